"""Test users are removed by the last test process to end (tests/support/users.py, CONTRIBUTING.md).

Real users and real processes: two "sessions" are separate Python processes sharing a cache directory of
their own (GOMEDIC_TEST_CACHE), so the suite's own registry is not touched.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import users

REPO = Path(__file__).resolve().parents[1]
NEW, OLD = "gmcli1", "gmcli2"  # this topic's users: made here, removed here

SESSION = """
import sys
from tests.support import users
users.session_begin()
for name in sys.argv[1:]:
    users.ensure_user(name)
print("ready", flush=True)
sys.stdin.readline()
print(",".join(users.session_end()), flush=True)
"""


def exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[dict[str, str]]:
    if os.geteuid() != 0:
        pytest.skip("needs root: the test creates users with useradd")
    yield {**os.environ, "GOMEDIC_TEST_CACHE": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    for name in (NEW, OLD):
        if exists(name):
            subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)


def start(env: dict[str, str], *names: str) -> subprocess.Popen[str]:
    p = subprocess.Popen([sys.executable, "-c", SESSION, *names], env=env, cwd=REPO, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdout is not None and p.stdout.readline().strip() == "ready"
    return p


def finish(p: subprocess.Popen[str]) -> list[str]:
    out, _ = p.communicate("\n", timeout=120)
    assert p.returncode == 0
    return [n for n in out.strip().split(",") if n]


def test_last_session_removes_the_users_runs_made(cache: dict[str, str]) -> None:
    subprocess.run(["useradd", "--create-home", OLD], check=True, timeout=30)  # there before the tests
    first = start(cache)
    second = start(cache, NEW, OLD)
    assert exists(NEW) and Path(pwd.getpwnam(NEW).pw_dir).is_dir()
    assert finish(second) == []  # `first` still runs: it may use the users
    assert exists(NEW)
    assert finish(first) == [NEW]  # the last one out removes what test runs made, home included
    assert not exists(NEW) and not Path(f"/home/{NEW}").exists()
    assert exists(OLD)  # never removed: no test run made it
    reg = Path(cache["GOMEDIC_TEST_CACHE"])
    assert (reg / "users-created").read_text() == "" and list((reg / "users-active").iterdir()) == []


def test_a_session_that_died_does_not_keep_users_forever(cache: dict[str, str]) -> None:
    dead = start(cache)
    dead.kill()  # killed: never deregisters
    dead.wait()
    p = start(cache, NEW)
    assert finish(p) == [NEW] and not exists(NEW)


def test_non_root_skips_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    # Run as another user, useradd is refused; the suite says so instead of failing on it.
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match=f"needs root: the test creates the user {NEW} with useradd"):
        users.ensure_user(NEW)
    assert not exists(NEW)
