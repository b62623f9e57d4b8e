"""`sudo gomedic fix --user U goenv.file` finds the entry the check reported (issue 13 item 8): the
evidence `key` (the GOENV key) crosses from the user's check to root unmasked, while a secret in the
same file stays hidden."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fix.conftest import gomedic_root_system, plan_for
from tests.support.goenv import make_env
from tests.support.users import User, ensure_user

USER = "gmredact1"
SECRET = "goenvFilePassw0rd-planted"


@pytest.fixture
def user() -> Iterator[User]:
    u = ensure_user(USER)
    try:
        yield u
    finally:
        subprocess.run(["userdel", "--remove", USER], check=False, timeout=30, capture_output=True)


def test_fix_user_goenv_file_plans_the_reported_entry(user: User, shared_tmp: Path) -> None:
    env = make_env(shared_tmp)
    cfg = Path(user.home) / ".config" / "go"
    cfg.mkdir(parents=True)
    (cfg / "env").write_text(f"GOPROXY=https://ci:{SECRET}@proxy.corp.example\nGOFOO=1\n")
    for p in (Path(user.home) / ".config", cfg, cfg / "env"):
        os.lchown(p, user.uid, user.gid)
    env.env.update(HOME=user.home, USER=user.name, GOTOOLCHAIN="local")
    run = gomedic_root_system(env, "fix", "--user", user.name, "--format", "json", "goenv.file")
    assert run.returncode == 1, run.stderr
    assert SECRET not in run.stdout + run.stderr
    plan = plan_for(run, "goenv.file")
    assert plan["state"] == "planned", plan
    change = " ".join(a["change"] for a in plan["actions"])
    assert "GOFOO=1" in change and "line 2" in change, change
    assert "no longer has the entry" not in run.stdout
