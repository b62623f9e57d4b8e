"""Everything a process started by execx left behind: found and killed.

Killing a process group is not enough: a child that calls setsid() (a command check's `setsid sleep`, a
daemonising double fork) leaves the group and outlives its job. So each started process is tracked three
ways, and its job's processes are the union:

- a cgroup v2 child group it is moved into right after it starts, when the hierarchy is mounted and
  writable here (as root, usually): cgroup.procs lists every process, cgroup.kill kills them at once;
- its descendants, found through /proc (the ppid links), repeated until none is left;
- a random token appended to GOMEDIC_EXECX_JOBS in its environment, which its descendants inherit even
  after setsid and a double fork, found by reading /proc/<pid>/environ.

The gomedic command itself also becomes a child subreaper (PR_SET_CHILD_SUBREAPER): an orphan reparents to
it instead of init, so whatever is left at exit is its descendant and is killed then (`kill_descendants`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable

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
        import ctypes  # only here: ctypes costs start-up time every command would pay

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            _subreaper = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
        except (OSError, AttributeError):
            _subreaper = False
    return _subreaper


def is_subreaper() -> bool:
    return _subreaper


@frozen
class ProcEntry:
    ppid: int
    state: str  # Z: a zombie, already dead


def snapshot() -> dict[int, ProcEntry]:
    """Every process's parent and state, from /proc/<pid>/stat."""
    table: dict[int, ProcEntry] = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return table
    for name in names:
        if not name.isdecimal():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as fh:
                data = fh.read(4096)
        except OSError:
            continue
        # comm may hold spaces and parentheses: the fields that follow start after the last ')'.
        rest = data[data.rfind(b")") + 2:].split()
        if len(rest) >= 2 and rest[1].lstrip(b"-").isdigit():
            table[int(name)] = ProcEntry(int(rest[1]), rest[0].decode("ascii", "replace"))
    return table


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


class Cgroup:
    """A cgroup v2 child group of this process's own group, or nothing when that cannot be made."""

    _base: str | None = None
    _probed = False
    _count = 0

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def _own_dir(cls) -> str | None:
        if cls._probed:
            return cls._base
        cls._probed = True
        mount = None
        try:
            with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    left, _, right = line.partition(" - ")
                    if right.split()[:1] == ["cgroup2"]:
                        mount = left.split()[4]
                        break
            with open("/proc/self/cgroup", encoding="utf-8", errors="replace") as fh:
                own = next((ln[3:].strip() for ln in fh if ln.startswith("0::")), None)
        except OSError:
            return None
        if mount is None or own is None or own.endswith(" (deleted)"):
            return None
        d = os.path.join(mount, own.lstrip("/"))
        cls._base = d if os.access(d, os.W_OK) else None
        if cls._base:
            sweep(cls._base)
        return cls._base

    @classmethod
    def create(cls) -> Cgroup | None:
        base = cls._own_dir()
        if base is None:
            return None
        cls._count += 1
        path = os.path.join(base, f"gomedic-{os.getpid()}-{cls._count}-{time.monotonic_ns()}")
        try:
            os.mkdir(path)
        except OSError:
            return None
        return cls(path)

    def procs_fd(self) -> int | None:
        """An open descriptor of cgroup.procs: the child writes "0" to it between fork and exec, so it is
        inside the group before it can run (and fork) anything."""
        try:
            return os.open(os.path.join(self.path, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            return None

    def add(self, pid: int) -> bool:
        try:
            with open(os.path.join(self.path, "cgroup.procs"), "w") as fh:
                fh.write(str(pid))
            return True
        except OSError:
            return False

    def pids(self) -> set[int]:
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as fh:
                return {int(x) for x in fh.read().split()}
        except (OSError, ValueError):
            return set()

    def kill(self) -> None:
        """cgroup.kill (Linux >= 5.14) SIGKILLs every member at once; older kernels: each pid."""
        try:
            with open(os.path.join(self.path, "cgroup.kill"), "w") as fh:
                fh.write("1")
            return
        except OSError:
            pass
        for pid in self.pids():
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)

    def remove(self) -> None:
        """rmdir the group and, first, any group a gomedic inside it made and could not remove (it was
        killed): only empty groups can go, so a live process is never lost track of."""
        remove_tree(self.path)


def remove_tree(path: str, depth: int = 0) -> None:
    if depth > 32:  # a gomedic in a gomedic in ...: bounded
        return
    try:
        subdirs = [e.path for e in os.scandir(path) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for d in subdirs:
        remove_tree(d, depth + 1)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def sweep(base: str) -> None:
    """Remove groups left by a gomedic that was killed before it could (its pid is in the name)."""
    try:
        names = [n for n in os.listdir(base) if n.startswith("gomedic-")]
    except OSError:
        return
    for n in names:
        pid = n.split("-")[1]
        if pid.isdecimal() and int(pid) != os.getpid() and not os.path.exists(f"/proc/{pid}"):
            remove_tree(os.path.join(base, n))


class Tracked:
    """One started process and everything it started."""

    def __init__(self, pid: int, token: str, cgroup: Cgroup | None) -> None:
        self.pid = pid
        self.token = token
        self.cgroup = cgroup

    def members(self, table: dict[int, ProcEntry]) -> set[int]:
        """The live processes of this job (the top process included while it lives)."""
        found = self.cgroup.pids() if self.cgroup else set()
        found |= descendants({self.pid}, table)
        if self.pid in table:
            found.add(self.pid)
        found |= {p for p in table if p != os.getpid() and carries(p, self.token)}
        return {p for p in found if p in table and table[p].state != "Z" and p != os.getpid()}

    def signal_all(self, sig: int) -> int:
        pids = self.members(snapshot())
        for p in pids:
            with contextlib.suppress(OSError):
                os.kill(p, sig)
        return len(pids)

    def kill(self, reap: Callable[[], None]) -> None:
        """SIGKILL every member, again and again until none is left; `reap` collects the dead."""
        for _ in range(KILL_ROUNDS):
            if self.cgroup:
                self.cgroup.kill()
            left = self.signal_all(signal.SIGKILL)
            reap()
            if not left:
                break
            time.sleep(0.01)
        if self.cgroup:
            self.cgroup.remove()


def reap_orphans(skip: frozenset[int]) -> None:
    """Collect dead orphans that reparented to this process (only as a subreaper: no other children
    of ours can then be taken from their owners, because execx starts them all and lists them in `skip`)."""
    if not _subreaper:
        return
    me = os.getpid()
    for pid, e in snapshot().items():
        if e.ppid == me and e.state == "Z" and pid not in skip:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)


def kill_strays(live: dict[int, Tracked]) -> None:
    """As a subreaper: kill this process's children that no running job owns. They are orphans that
    reparented here after dropping every trace of their job (`env -i setsid cmd &`): left alone they
    would live as long as gomedic (serve: for weeks). A child still carrying a running job's token is
    that job's, and is left to it."""
    if not _subreaper:
        return
    me = os.getpid()
    for pid, e in snapshot().items():
        if e.ppid != me or e.state == "Z" or pid in live:
            continue
        if any(carries(pid, t.token) for t in live.values()):
            continue
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def kill_descendants(reap: Callable[[], None]) -> None:
    """SIGKILL every descendant of this process until none is left (at exit, as a subreaper)."""
    for _ in range(KILL_ROUNDS):
        table = snapshot()
        live = [p for p in descendants({os.getpid()}, table) if table[p].state != "Z"]
        for p in live:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)
        reap()
        if not live:
            return
        time.sleep(0.01)
