"""The only place gomedic starts processes (tests/test_process_starts.py holds every other module to it).

Which program runs: an argv[0] with a `/` is run as given (the caller chose it: the user's own go found
on gomedic's own PATH, sys.executable, a binary gomedic just built); a bare name is looked up on
`search_path`, by default TRUSTED_PATH, never on the PATH of the environment the child is given (that may
be built for another user) and never on anything gomedic inspects. docs/process-audit.md lists every
caller and where its program comes from.

Every process runs in its own session with a timeout. Its output is read as it comes and kept up to
MAX_OUTPUT bytes per stream: past that the process is killed and the result says `truncated`, so a command
that prints a gigabyte costs no more memory than one that prints the cap. When it exits, times out or is
cut off, everything it started is killed too, found through a cgroup, /proc and an inherited token
(gomedic.proctree), and `kill_all()` (at serve's shutdown; `shutdown()` at exit) kills what any running call started.
"""

from __future__ import annotations

import atexit
import os
import selectors
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence

from gomedic import debuglog, jobcgroup, proctree
from gomedic.errors import CommandError
from gomedic.values import frozen

log = debuglog.logger(__name__)

MAX_OUTPUT = 4 << 20  # bytes kept of each stream; more is cut (and said), and the process killed
GRACE_S = 0.5
CHUNK = 1 << 16
TRUSTED_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CUT = b"\n[output cut by gomedic]"


@frozen
class CmdResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False
    truncated: bool = False  # it printed more than MAX_OUTPUT on a stream and was killed

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.truncated

    def first_error_line(self) -> str:
        """The first non-empty stderr line (or stdout's): what a user would read first."""
        for line in (self.stderr + "\n" + self.stdout).splitlines():
            if line.strip():
                return line.strip()
        return f"exit status {self.returncode}"

    def describe(self) -> str:
        cmd = " ".join(self.argv)
        if self.timed_out:
            return f"`{cmd}` timed out after {self.duration_s:.1f}s"
        if self.truncated:
            return f"`{cmd}` printed more than {MAX_OUTPUT} bytes on one stream and was stopped"
        return f"`{cmd}` exited {self.returncode}: {self.first_error_line()}"


_lock = threading.RLock()  # re-entrant: kill_all may run from a signal handler while this thread holds it
_live: dict[int, proctree.Tracked] = {}  # pid of each running child -> what it started
_closed = False  # set by shutdown(): from then on nothing starts


def _register(t: proctree.Tracked) -> None:
    _live[t.pid] = t


def shutdown() -> None:
    """The process is ending (at exit, on SIGTERM, once `check` has written its report): start nothing
    more, and kill what every running call started. Without the first, a worker thread (a daemon: it
    runs while the interpreter exits) could start a process after the kill, and it would outlive gomedic."""
    global _closed
    with _lock:  # a start holds it from fork to _register: it is listed (and killed) or never happens
        _closed = True
    kill_all()


atexit.register(shutdown)


def _reap() -> None:
    with _lock:  # a child still listed is Popen's to wait for
        proctree.reap_orphans(frozenset(_live))


def kill_all() -> None:
    """Kill everything every running call started (serve's shutdown, interpreter exit)."""
    with _lock:
        jobs = list(_live.values())
    for t in jobs:
        t.kill(_reap)
    if proctree.is_subreaper():
        proctree.kill_descendants(_reap)


def resolve(name: str, search_path: str | None = None) -> str:
    """The program a bare name runs: the first executable `name` on search_path, or by default the first
    on TRUSTED_PATH that only root could have put there (as root: file, its real directory and the PATH
    entry owned by root and not group/other-writable)."""
    if "/" in name:
        return name
    if search_path is not None:
        import shutil  # here: shutil (and zlib, bz2, lzma) is ~2.5 ms of start-up the doctor does not need

        found = shutil.which(name, path=search_path)
    else:
        found = next((p for d in TRUSTED_PATH.split(":") if _root_only(p := os.path.join(d, name))), None)
    if found is None:
        raise CommandError(f"cannot run {name}: not found in {search_path or TRUSTED_PATH}")
    return found


def _root_only(path: str) -> bool:
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return False
    if os.geteuid() != 0:
        return True  # an unprivileged gomedic runs what its user could run anyway
    try:
        stats = [os.stat(p) for p in (path, os.path.dirname(os.path.realpath(path)), os.path.dirname(path))]
    except OSError:
        return False
    return all(st.st_uid == 0 and not st.st_mode & 0o022 for st in stats)


class _Reader:
    """Reads a child's stdout and stderr as they come, each kept up to MAX_OUTPUT bytes."""

    def __init__(self, proc: subprocess.Popen[bytes], data: bytes | None) -> None:
        self.sel = selectors.DefaultSelector()
        self.bufs: dict[int, bytearray] = {}
        self.truncated = False
        self.data = memoryview(data or b"")
        self.stdin = proc.stdin
        assert proc.stdout is not None and proc.stderr is not None
        self.out, self.err = proc.stdout.fileno(), proc.stderr.fileno()
        for fd in (self.out, self.err):
            os.set_blocking(fd, False)
            self.bufs[fd] = bytearray()
            self.sel.register(fd, selectors.EVENT_READ)
        if self.stdin is not None:
            os.set_blocking(self.stdin.fileno(), False)
            self.sel.register(self.stdin.fileno(), selectors.EVENT_WRITE)

    def done(self) -> bool:
        return not self.sel.get_map() or self.truncated

    def step(self, wait: float) -> None:
        for key, _ in self.sel.select(max(0.0, wait)):
            fd = key.fd
            if fd not in self.bufs:
                self._write(fd)
                continue
            try:
                chunk = os.read(fd, CHUNK)
            except BlockingIOError:
                continue
            if not chunk:
                self.sel.unregister(fd)
                continue
            buf = self.bufs[fd]
            room = MAX_OUTPUT - len(buf)
            buf += chunk[:room]
            if len(chunk) > room:
                self.truncated = True  # stop reading: the caller kills the process

    def _write(self, fd: int) -> None:
        try:
            n = os.write(fd, self.data[:CHUNK])
        except BlockingIOError:
            return
        except OSError:  # the child closed its stdin
            n = len(self.data)
        self.data = self.data[n:]
        if not self.data and self.stdin is not None:
            self.sel.unregister(fd)
            try:
                self.stdin.close()
            except OSError:
                pass

    def text(self, fd: int) -> str:
        b = bytes(self.bufs[fd]) + (CUT if len(self.bufs[fd]) >= MAX_OUTPUT and self.truncated else b"")
        return b.decode("utf-8", "replace")

    def close(self) -> None:
        self.sel.close()


def _stop(proc: subprocess.Popen[bytes], t: proctree.Tracked) -> None:
    """SIGTERM the job (its group and every member), a grace period, then SIGKILL whatever is left.

    A job that ended by itself is swept quickly (its cgroup or process tree; as a subreaper, orphans
    come back as strays); one that was stopped, or without a subreaper, gets the full /proc scan."""
    stopped = proc.poll() is None
    if stopped:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except OSError:
            pass
        t.signal_all(signal.SIGTERM)
        try:
            proc.wait(GRACE_S)
        except subprocess.TimeoutExpired:
            pass
    t.kill(_reap, full=stopped or not proctree.is_subreaper())
    proc.wait()


def _sweep_strays(job: int) -> None:
    with _lock:  # held: a child being forked by another call is not yet listed, and must not look stray
        proctree.kill_strays({p: x for p, x in _live.items() if p != job})
        proctree.reap_orphans(frozenset(_live))


def _popen(
    argv: Sequence[str],
    exe: str,
    env: dict[str, str],
    cwd: str | os.PathLike[str] | None,
    stdin: bool,
    token: str,
    cgroup: jobcgroup.Cgroup | None,
    cg_fd: int | None,
) -> tuple[subprocess.Popen[bytes], proctree.Tracked]:
    with _lock:  # held while forking: reap_orphans never takes a child Popen still has to wait for
        if _closed:
            raise CommandError(f"cannot run {argv[0]}: gomedic is exiting")
        proc = subprocess.Popen(
            list(argv), executable=exe,
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=env, cwd=cwd, start_new_session=True,
            # The child joins its cgroup between fork and exec, before it can fork anything. Only an
            # os.write on a descriptor opened before the fork runs there: no lock, no import.
            preexec_fn=None if cg_fd is None else (lambda: _join(cg_fd)),
        )
        t = proctree.Tracked(proc.pid, token, cgroup if cg_fd is not None else None)
        _register(t)
    return proc, t


def _join(fd: int) -> None:
    os.write(fd, b"0")


def _start(argv: Sequence[str], exe: str, env: Mapping[str, str] | None, cwd: str | os.PathLike[str] | None,
           stdin: bool) -> tuple[subprocess.Popen[bytes], proctree.Tracked]:
    if proctree.subreaper_wanted():
        proctree.become_subreaper()
    token = os.urandom(8).hex()
    child_env = proctree.tagged_env(dict(env) if env is not None else dict(os.environ), token)
    cgroup = jobcgroup.Cgroup.create()
    cg_fd = cgroup.procs_fd() if cgroup else None
    try:
        try:
            return _popen(argv, exe, child_env, cwd, stdin, token, cgroup, cg_fd)
        except subprocess.SubprocessError:  # the group refused the child: run it without one
            return _popen(argv, exe, child_env, cwd, stdin, token, None, None)
    except OSError as e:
        raise CommandError(f"cannot run {argv[0]}: {e.strerror or e}") from e
    finally:
        if cg_fd is not None:
            os.close(cg_fd)
        if cgroup and not _cgroup_in_use(cgroup):  # unused: it did not start, or started without it
            cgroup.remove()


def _cgroup_in_use(cgroup: jobcgroup.Cgroup) -> bool:
    with _lock:
        return any(t.cgroup is cgroup for t in _live.values())


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input: bytes | None = None,
    search_path: str | None = None,
) -> CmdResult:
    """Run argv to completion, timeout or output cap. Raises CommandError only when it cannot be started.

    A bare argv[0] is looked up on `search_path` (TRUSTED_PATH by default), not on env's PATH."""
    start = time.monotonic()
    exe = resolve(argv[0], search_path)
    try:
        proc, t = _start(argv, exe, env, cwd, input is not None)
    except CommandError as e:
        log.debug("could not start %s (in %s): %s", _shown(argv, exe), cwd or os.getcwd(), e)
        raise
    deadline = start + timeout
    reader = _Reader(proc, input)
    timed_out = False
    drain_until: float | None = None  # once it exited: how long pipes held by something unfound are read
    try:
        while not reader.done():
            now = time.monotonic()
            if drain_until is not None and now >= drain_until:
                break  # it exited and what it left is killed; a pipe still open is held by an escapee
            if now >= deadline:
                timed_out = True
                break
            reader.step(min(deadline - now, 0.2))
            if drain_until is None and proc.poll() is not None and not reader.done():
                # It exited: what it left behind goes, which also closes the pipes it held.
                t.kill(_reap, full=not proctree.is_subreaper())
                _sweep_strays(proc.pid)
                drain_until = time.monotonic() + GRACE_S
        if not timed_out and not reader.truncated:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        _stop(proc, t)
        with _lock:
            _live.pop(proc.pid, None)
        _sweep_strays(proc.pid)
        reader.close()
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except OSError:
                    pass
    result = CmdResult(
        argv=tuple(argv),
        returncode=proc.returncode if proc.returncode is not None else -1,
        stdout=reader.text(reader.out),
        stderr=reader.text(reader.err),
        duration_s=time.monotonic() - start,
        timed_out=timed_out,
        truncated=reader.truncated and not timed_out,
    )
    if debuglog.enabled():
        how = "timed out" if result.timed_out else "output cut at the cap" if result.truncated else \
            f"exit {result.returncode}"
        log.debug("ran %s (in %s) in %.3fs: %s", _shown(argv, exe), cwd or os.getcwd(), result.duration_s, how)
    return result


def _shown(argv: Sequence[str], exe: str) -> str:
    """The command as a shell would take it, program resolved; arguments redacted (a token in argv)."""
    import shlex

    from gomedic.redact import redact_text

    return redact_text(shlex.join([exe, *argv[1:]]))

