"""Real unprivileged users for permission tests, and running commands as them.

Tests run as root; access must be evaluated for the user a tool or service runs as, so tests create real
users with `useradd` and run gomedic as them with `setpriv`. gomedic runs under Debian's /usr/bin/python3
with PYTHONPATH pointing at a world-readable copy of src/ (root's home and a pyenv there are not readable).
"""

from __future__ import annotations

import fcntl
import os
import pwd
import shutil
import subprocess
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
    """Create (once) a system user with a home directory; idempotent and safe across xdist workers."""
    with open(cache_dir() / ".lock-users", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", name], check=True, timeout=30)
            pw = pwd.getpwnam(name)
    return User(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir)


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
