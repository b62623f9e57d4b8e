"""Real unprivileged users for permission tests, and running commands as them.

Tests run as root; access must be evaluated for the user a tool or service runs as, so tests create real
users with `useradd` and run gomedic as them with `setpriv`. gomedic runs under Debian's /usr/bin/python3
with PYTHONPATH pointing at a world-readable copy of src/ (root's home and a pyenv there are not readable).

Lifetime: a user is made on first use by `ensure_user` and recorded in a registry in the test cache
(`users-created`). Every pytest process (the xdist controller and each worker, and concurrent runs from other
checkouts sharing the cache) registers itself in `users-active/` when it starts (`session_begin`) and leaves
when it ends (`session_end`); the last one to leave runs `userdel -r` for every registered user. Users that
existed before a test run made them are never touched. Run as non-root, `ensure_user` skips the test.
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.toolchains import cache_dir

SRC = Path(__file__).resolve().parents[2] / "src"
SYSTEM_PYTHON = "/usr/bin/python3"


@dataclass(frozen=True)
class User:
    name: str
    uid: int
    gid: int
    home: str


def ensure_user(name: str) -> User:
    """Create (once) a system user with a home directory; idempotent and safe across xdist workers.

    Run as non-root this skips the calling test: useradd and setpriv need root.
    """
    if os.geteuid() != 0:
        import pytest

        pytest.skip(f"needs root: the test creates the user {name} with useradd and runs as it with setpriv")
    with _locked():
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True, timeout=30)
            pw = pwd.getpwnam(name)
            with open(_registry(), "a") as reg:
                reg.write(name + "\n")
    return User(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir)


def _registry() -> Path:
    return cache_dir() / "users-created"


def _active_dir() -> Path:
    return cache_dir() / "users-active"


@contextmanager
def _locked() -> Iterator[None]:
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".lock-users", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat): a pid plus it names one process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]


def _me() -> str:
    return f"{os.getpid()}-{_start_time(os.getpid())}"


def _alive(entry: str) -> bool:
    pid, _, start = entry.partition("-")
    return pid.isdigit() and _start_time(int(pid)) == start


def session_begin() -> None:
    """Register this pytest process as one that may use the test users."""
    if os.geteuid() != 0:
        return
    with _locked():
        _active_dir().mkdir(exist_ok=True)
        (_active_dir() / _me()).touch()


def session_end() -> list[str]:
    """Leave; the last live process removes the users test runs created. Returns the users it removed."""
    if os.geteuid() != 0:
        return []
    with _locked():
        (_active_dir() / _me()).unlink(missing_ok=True)
        others = [e for e in _active_dir().iterdir() if _alive(e.name)] if _active_dir().is_dir() else []
        if others or not _registry().exists():
            return []
        names = list(dict.fromkeys(_registry().read_text().split()))
        kept = [n for n in names if not _userdel(n)]
        _registry().write_text("".join(n + "\n" for n in kept))
        for stale in _active_dir().iterdir():
            stale.unlink(missing_ok=True)
        return [n for n in names if n not in kept]


def _userdel(name: str) -> bool:
    """Remove the user, its group and its home; False (kept for the next run) while a process still runs as it."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        return True
    done = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True, timeout=60)
    try:
        pwd.getpwnam(name)
    except KeyError:
        return True
    print(f"tests/support/users.py: userdel {name} failed: {done.stderr.strip()}", file=sys.stderr)
    return False


def readable_src() -> Path:
    """A copy of src/ any user can read (the checkout may live under root's home)."""
    probe = SRC
    if all(os.stat(p).st_mode & 0o005 == 0o005 for p in [*probe.parents][:-1] if p.exists()):
        return SRC
    dest = cache_dir() / "src-copy"
    with open(cache_dir() / ".lock-src", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        tmp = cache_dir() / f"src-copy.{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(SRC, tmp, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
        subprocess.run(["chmod", "-R", "a+rX", str(dest)], check=True, timeout=30)
    return dest


def as_user(user: User, argv: list[str]) -> list[str]:
    """argv that runs `argv` as `user` (its uid, primary gid and supplementary groups)."""
    return ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups", "--", *argv]


def gomedic_argv_as(user: User) -> tuple[list[str], dict[str, str]]:
    """(argv prefix, extra env) to run gomedic as `user`."""
    return as_user(user, [SYSTEM_PYTHON, "-m", "gomedic"]), {"PYTHONPATH": str(readable_src())}


@contextmanager
def temporary_user(prefix: str) -> Iterator[User]:
    """A user made for one test (name `<prefix><pid>x<n>`, home under /home) and removed with its home
    afterwards, so nothing is left on the machine; parallel workers get distinct names."""
    global _serial
    _serial += 1
    name = f"{prefix}{os.getpid()}x{_serial}"[:32]
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True, timeout=30,
                   capture_output=True)
    try:
        pw = pwd.getpwnam(name)
        yield User(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir)
    finally:
        subprocess.run(["userdel", "--remove", name], timeout=30, capture_output=True)


_serial = 0
