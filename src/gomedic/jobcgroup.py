"""A cgroup v2 child group per started process: every process in it is listed and killed at once.

Made under this process's own group when the cgroup2 hierarchy is mounted and writable here (as root,
usually; a systemd unit with Delegate=yes). The child joins it between fork and exec (execx), so nothing
it starts is ever outside it. Groups a killed gomedic could not remove are removed later: nested ones
with their parent, and those of dead gomedics (the pid is in the name) when a gomedic first looks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    import _thread
    from typing import ClassVar


class Cgroup:
    """A cgroup v2 child group of this process's own group, or nothing when that cannot be made."""

    _base: str | None = None
    _probed = False
    _count = 0
    _spares: ClassVar[list[tuple[int, Cgroup]]] = []  # made by warm() for the next create(), with its maker's pid

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
        try:
            pid, spare = cls._spares.pop()  # atomic: two threads never get the same group
        except IndexError:
            pass
        else:
            if pid == os.getpid():  # not a parent's, in a forked child
                return spare
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

    @classmethod
    def warm(cls) -> bool:
        """Pay now, on a thread of its own, for the wait that the next child's join would otherwise pay.

        Moving a process into a group takes a kernel lock (cgroup_threadgroup_rwsem) whose first writer
        waits for an RCU grace period (5-30 ms on this 2-core VM, measured; bench/README.md); writers that
        come within about a grace period of the last one do not wait. So this writes this process's own
        pid into its own group's cgroup.procs, a move to where it already is (the kernel skips it; an
        error, e.g. EBUSY, comes after the lock and is ignored): a child forked a few ms later joins its
        group in microseconds instead of waiting after fork, before it can exec. Nothing is given up: the
        child still joins before it runs anything, and one that comes too late waits as before. True when
        the write was started (a writable hierarchy: as root, usually).

        The write holds cgroup_mutex while it waits, and mkdir in the hierarchy needs it too: the group of
        the next child is made now, before the write (`create` hands it out), so that child is forked and
        ready to join while the wait goes on; `drop_spare` (at exit) removes it when no child came."""
        base = cls._own_dir()
        if base is None:
            return False
        spare = cls.create()
        if spare is not None:
            import atexit

            cls._spares.append((os.getpid(), spare))
            atexit.register(cls.drop_spare)
        try:
            fd = os.open(os.path.join(base, "cgroup.procs"), os.O_WRONLY | os.O_CLOEXEC)
        except OSError:
            return False
        import _thread  # threading is not imported yet: this runs first thing in `gomedic check`

        # Wait (briefly) for the thread to be at the write: a new thread waits for the CPU it was put on
        # (where this thread is busy importing) and then for the GIL, 2-4 ms measured, all on go's path.
        going = _thread.allocate_lock()
        going.acquire()
        try:
            _thread.start_new_thread(_move_self, (fd, going))
        except RuntimeError:  # no thread to be had: go env's child will wait, as before
            os.close(fd)
            return False
        going.acquire(timeout=0.05)
        return True

    @classmethod
    def drop_spare(cls) -> None:
        """Remove the group `warm` made when no child took it (the process is ending)."""
        try:
            pid, spare = cls._spares.pop()
        except IndexError:
            return
        if pid == os.getpid():
            spare.remove()

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


def _move_self(fd: int, going: _thread.LockType) -> None:
    going.release()
    try:
        os.write(fd, str(os.getpid()).encode())  # blocks for the grace period, without the GIL
    except OSError:
        pass
    finally:
        os.close(fd)


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
