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
