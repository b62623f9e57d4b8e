"""Everything a process started by execx left behind: found and killed.

Killing a process group is not enough: a child that calls setsid() (a command check's `setsid sleep`, a
daemonising double fork) leaves the group and outlives its job. So each started process is tracked three
ways, and its job's processes are the union:

- a cgroup v2 child group it joins before it runs (gomedic.jobcgroup), when the hierarchy is mounted and
  writable here (as root, usually): cgroup.procs lists every process, cgroup.kill kills them at once;
- its descendants, found through /proc (the ppid links), repeated until none is left;
- a random token appended to GOMEDIC_EXECX_JOBS in its environment, which its descendants inherit even
  after setsid and a double fork, found by reading /proc/<pid>/environ.

Signals go through a pidfd checked against the start time that was seen, so a pid reused in between is
never hit. The gomedic command is also a child subreaper (PR_SET_CHILD_SUBREAPER): an orphan reparents
to it instead of init, so one that dropped its token (`env -i setsid cmd &`) and has no cgroup is still
found, as a stray child no running job owns (`kill_strays`, after each job), and at exit
(`kill_descendants`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import time
from collections.abc import Callable

from gomedic.jobcgroup import Cgroup
from gomedic.values import frozen

TAG_VAR = "GOMEDIC_EXECX_JOBS"
PR_SET_CHILD_SUBREAPER = 36
MAX_ENVIRON = 1 << 20  # an environ bigger than this is not searched for the token
KILL_ROUNDS = 200  # each round finds and SIGKILLs what is left; a fork bomb cannot outrun it for long

_subreaper = False
_wanted = False


def want_subreaper() -> None:
    """Become a subreaper before the first child starts (execx calls `become_subreaper` then): a command
    that never starts a process pays nothing for it."""
    global _wanted
    _wanted = True


def subreaper_wanted() -> bool:
    return _wanted


def become_subreaper() -> bool:
    """Make this process the reaper of its orphaned descendants (Linux >= 3.4). True when it is."""
    global _subreaper
    if not _subreaper:
        try:
            _subreaper = _prctl(PR_SET_CHILD_SUBREAPER, 1) == 0
        except (OSError, AttributeError):
            _subreaper = False
    return _subreaper


def _prctl(option: int, arg: int) -> int:
    """prctl(option, arg, 0, 0, 0). Through _ctypes, ctypes' C core, when it has what this needs: the
    ctypes package around it is ~1.5 ms of `gomedic check`'s start-up (bench/README.md) for one call."""
    try:
        import _ctypes

        libc = _ctypes.dlopen(None)  # type: ignore[arg-type]  # dlopen(NULL): this process's own symbols
        fn = _ctypes.dlsym(libc, "prctl")
        return int(_ctypes.call_function(fn, (option, arg, 0, 0, 0)))
    except (ImportError, AttributeError):
        import ctypes

        return int(ctypes.CDLL(None, use_errno=True).prctl(option, arg, 0, 0, 0))


def is_subreaper() -> bool:
    return _subreaper


PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """In a forked worker: SIGKILL when the parent dies (a worker never outlives the run that made it)."""
    try:
        _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL))
    except (OSError, AttributeError):
        pass


@frozen
class ProcEntry:
    ppid: int
    state: str  # Z: a zombie, already dead
    start: int  # start time in clock ticks since boot: with the pid, who the process is


def entry(pid: int | str) -> ProcEntry | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            data = fh.read(4096)
    except OSError:
        return None
    # comm may hold spaces and parentheses: the fields that follow start after the last ')'.
    rest = data[data.rfind(b")") + 2:].split()
    if len(rest) < 20 or not rest[1].lstrip(b"-").isdigit() or not rest[19].isdigit():
        return None
    return ProcEntry(int(rest[1]), rest[0].decode("ascii", "replace"), int(rest[19]))


def snapshot() -> dict[int, ProcEntry]:
    """Every process's parent, state and start time, from /proc/<pid>/stat."""
    table: dict[int, ProcEntry] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if name.isdecimal():
            e = entry(name)
            if e is not None:
                table[int(name)] = e
    return table


def send(pid: int, seen: ProcEntry, sig: int) -> None:
    """Signal the process that was seen, not whatever holds its pid by now: a pidfd pins the process,
    then its start time must still be the one seen (a pid reused in between is left alone)."""
    try:
        fd = os.pidfd_open(pid)
    except AttributeError:  # no pidfd in this Python/kernel: the pid it must be
        with contextlib.suppress(OSError):
            os.kill(pid, sig)
        return
    except OSError as e:
        if e.errno == errno.ENOSYS:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        return  # ESRCH: it is gone
    try:
        now = entry(pid)
        if now is not None and now.start == seen.start:
            signal.pidfd_send_signal(fd, sig)
    except OSError:
        pass
    finally:
        os.close(fd)


def descendants(roots: set[int], table: dict[int, ProcEntry]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, e in table.items():
        children.setdefault(e.ppid, []).append(pid)
    out: set[int] = set()
    todo = list(roots)
    while todo:
        for c in children.get(todo.pop(), ()):
            if c not in out and c not in roots:
                out.add(c)
                todo.append(c)
    return out


def carries(pid: int, token: str) -> bool:
    """Whether process `pid` has `token` in its GOMEDIC_EXECX_JOBS (False when unreadable)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            data = fh.read(MAX_ENVIRON)
    except OSError:
        return False
    prefix = TAG_VAR.encode() + b"="
    for item in data.split(b"\0"):
        if item.startswith(prefix):
            return token.encode() in item[len(prefix):].split()
    return False


def tagged_env(env: dict[str, str], token: str) -> dict[str, str]:
    """`env` with `token` added to the job tokens it already carries (a job's job keeps both)."""
    old = env.get(TAG_VAR, "").split()
    return {**env, TAG_VAR: " ".join([*old[-15:], token])}


def children(pid: int) -> set[int] | None:
    """Children of `pid` from /proc/<pid>/task/*/children (cheap: no scan of every process); None when
    the kernel has no such file (CONFIG_PROC_CHILDREN off)."""
    out: set[int] = set()
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    found = False
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as fh:
                out.update(int(x) for x in fh.read().split())
            found = True
        except FileNotFoundError:
            continue
        except (OSError, ValueError):
            found = True
    return out if found or not tids else None


def tree(root: int) -> dict[int, ProcEntry] | None:
    """`root` (while it lives) and its descendants, walked through the children files; None: no such files."""
    out: dict[int, ProcEntry] = {}
    todo = [root]
    while todo and len(out) < 1 << 16:
        pid = todo.pop()
        e = entry(pid)
        if e is None or pid in out:
            continue
        out[pid] = e
        kids = children(pid)
        if kids is None:
            return None
        todo.extend(kids)
    return out


class Tracked:
    """One started process and everything it started."""

    def __init__(self, pid: int, token: str, cgroup: Cgroup | None) -> None:
        self.pid = pid
        self.token = token
        self.cgroup = cgroup

    def members(self, full: bool) -> dict[int, ProcEntry]:
        """The live processes of this job (the top process included while it lives). Quick: its cgroup
        (which it joined before it ran anything) or else its process tree. Full, when it was stopped:
        also every process carrying its token, whatever its parent, from a scan of all of /proc."""
        found: dict[int, ProcEntry] = {}
        if self.cgroup:
            found = {p: e for p in self.cgroup.pids() if (e := entry(p)) is not None}
        quick = None if full or self.cgroup else tree(self.pid)
        if quick is not None:
            found.update(quick)
        elif full or not self.cgroup:
            table = snapshot()
            found.update({p: table[p] for p in descendants({self.pid}, table)})
            if self.pid in table:
                found[self.pid] = table[self.pid]
            if full:
                found.update({p: e for p, e in table.items() if carries(p, self.token)})
        me = os.getpid()
        return {p: e for p, e in found.items() if e.state != "Z" and p != me}

    def signal_all(self, sig: int, full: bool = True) -> int:
        pids = self.members(full)
        for p, e in pids.items():
            send(p, e, sig)
        return len(pids)

    def kill(self, reap: Callable[[], None], full: bool = True) -> None:
        """SIGKILL every member, again and again until none is left; `reap` collects the dead."""
        for _ in range(KILL_ROUNDS):
            if self.cgroup:
                self.cgroup.kill()
            left = self.signal_all(signal.SIGKILL, full)
            reap()
            if not left:
                break
            time.sleep(0.01)
        if self.cgroup:
            self.cgroup.remove()


def own_children() -> dict[int, ProcEntry]:
    me = os.getpid()
    kids = children(me)
    if kids is None:
        return {p: e for p, e in snapshot().items() if e.ppid == me}
    return {p: e for p in kids if (e := entry(p)) is not None and e.ppid == me}


def reap_orphans(skip: frozenset[int]) -> None:
    """Collect dead orphans that reparented to this process (only as a subreaper: no other children
    of ours can then be taken from their owners, because execx starts them all and lists them in `skip`)."""
    if not _subreaper:
        return
    for pid, e in own_children().items():
        if e.state == "Z" and pid not in skip:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)


def kill_strays(live: dict[int, Tracked]) -> None:
    """As a subreaper: kill this process's children that no running job owns. They are orphans that
    reparented here after dropping every trace of their job (`env -i setsid cmd &`): left alone they
    would live as long as gomedic (serve: for weeks). A child still carrying a running job's token is
    that job's, and is left to it. Returns once every stray is dead (a zombie): a SIGKILL is delivered
    late to a process in uninterruptible sleep (an exec reading its binary under load)."""
    if not _subreaper:
        return
    for _ in range(KILL_ROUNDS):
        strays = {pid: e for pid, e in own_children().items()
                  if e.state != "Z" and pid not in live and not any(carries(pid, t.token) for t in live.values())}
        if not strays:
            return
        for pid, e in strays.items():
            send(pid, e, signal.SIGKILL)
        time.sleep(0.01)


def kill_descendants(reap: Callable[[], None]) -> None:
    """SIGKILL every descendant of this process until none is left (at exit, as a subreaper). As a
    subreaper every descendant is in its tree (an orphan reparents here), so the children files are
    walked; a scan of all of /proc (~1 ms per 100 processes, at the end of every `gomedic check`) only
    where the kernel has no children files."""
    me = os.getpid()
    for _ in range(KILL_ROUNDS):
        table = (tree(me) if _subreaper else None) or snapshot()
        live = [p for p in descendants({me}, table) if table[p].state != "Z"]
        for p in live:
            send(p, table[p], signal.SIGKILL)
        reap()
        if not live:
            return
        time.sleep(0.01)
