"""Attacks by a real unprivileged user on gomedic running as root: users made with useradd (prefix
`gmfix`, removed with `userdel -r` at the end), a root-owned victim the attack aims at, and racing
processes running as that user (setpriv) while root works."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import signal
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.users import SYSTEM_PYTHON, User, as_user, ensure_user

SECRET = "GMFIX-ROOT-SECRET-7f3a9c"


def _retry(what: Callable[[], object]) -> None:
    """useradd/userdel fail while another process (other tests on this machine) holds /etc/passwd's lock."""
    for _ in range(30):
        try:
            what()
            return
        except subprocess.CalledProcessError:
            time.sleep(1)
    what()


def make_user(name: str) -> Iterator[User]:
    """A real user `name` (prefix gmfix), removed with its home (`userdel -r`) when the test ends."""
    users: list[User] = []
    _retry(lambda: users.append(ensure_user(name)))
    try:
        yield users[0]
    finally:
        _retry(lambda: subprocess.run(["userdel", "-r", "-f", name], capture_output=True, timeout=60, check=True))


class Victim:
    """A root-owned directory (0711) on the same file system as the users' homes, holding a 0600 secret
    (hard links need the same file system) and a 0644 file in a 0755 subdirectory."""

    def __init__(self, base: Path) -> None:
        self.dir = base / f".gmfix-victim-{os.getpid()}-{secrets.token_hex(3)}"
        self.dir.mkdir(mode=0o711)
        os.chmod(self.dir, 0o711)
        self.secret = self.dir / "secret"
        self.secret.write_text(SECRET + "\n")
        os.chmod(self.secret, 0o600)
        (self.dir / "sub").mkdir()
        os.chmod(self.dir / "sub", 0o755)
        (self.dir / "sub" / "plain").write_text("root's\n")
        os.chmod(self.dir / "sub" / "plain", 0o644)
        self.before = self.state()

    def state(self) -> dict[str, tuple[int, int, int, str]]:
        out: dict[str, tuple[int, int, int, str]] = {}
        for p in [self.dir, *sorted(self.dir.rglob("*"))]:
            st = os.lstat(p)
            digest = hashlib.sha256(p.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode) else ""
            out[str(p)] = (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode), digest)
        return out

    def intact(self) -> bool:
        return self.state() == self.before


@pytest.fixture
def victim() -> Iterator[Victim]:
    v = Victim(Path("/home"))
    yield v
    shutil.rmtree(v.dir, ignore_errors=True)


class Racer:
    """A Python loop (`script`) running as `user` until stopped; it prints how many attacks it made."""

    def __init__(self, user: User, script: str, *args: str) -> None:
        argv = as_user(user, [SYSTEM_PYTHON, "-I", "-c", script, *args])
        env = {"HOME": user.home, "USER": user.name, "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True, cwd="/", env=env)
        self._wait_running(user)

    def _wait_running(self, user: User) -> None:
        """Until the racer runs as the user (setpriv has exec'd python): attacks start with the first run."""
        for _ in range(3000):
            try:
                status = Path(f"/proc/{self.proc.pid}/status").read_text()
                cmd = Path(f"/proc/{self.proc.pid}/cmdline").read_bytes()
            except OSError:
                break
            uid = next(ln.split()[1] for ln in status.splitlines() if ln.startswith("Uid:"))
            if uid == str(user.uid) and cmd.startswith(SYSTEM_PYTHON.encode()):
                return
            time.sleep(0.01)
        raise AssertionError(f"the racer did not start: {self.proc.poll()}")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> tuple[int, str]:
        """(attacks made, stderr)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            out, err = self.proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            out, err = self.proc.communicate()
        lines = out.split()
        return (int(lines[-1]) if lines else -1), err


@pytest.fixture
def racers() -> Iterator[list[Racer]]:
    started: list[Racer] = []
    yield started
    for r in started:
        if r.proc.poll() is None:
            r.stop()


@pytest.fixture
def hardlinks_unprotected() -> Iterator[None]:
    """fs.protected_hardlinks=0 for the test (users may link files they do not own), restored after."""
    path = Path("/proc/sys/fs/protected_hardlinks")
    try:
        old = path.read_text().strip()
        path.write_text("0\n")
    except OSError as e:
        pytest.skip(f"cannot set fs.protected_hardlinks=0 here: {e.strerror or e}")
    try:
        yield
    finally:
        path.write_text(old + "\n")


# The common start of every racer: stop on SIGTERM and print how many attacks were made.
RACER_HEAD = """
import os, signal, sys
n = 0
def _stop(*_):
    print(n, flush=True)
    os._exit(0)
signal.signal(signal.SIGTERM, _stop)
"""
