"""Issue 12 item 5: root reading through a user's links. `fix --user U --yes --edit-rc` with
`~/.bashrc -> root's secret`, and `sudo gomedic check`/`report` in U's module whose go.work or go.mod
leads to a file U cannot read: nothing of the secret appears in any output or file."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fix.conftest import gomedic_root_system, plan_for
from tests.security.conftest import SECRET, Victim, make_user
from tests.support.goenv import GoEnv, make_env
from tests.support.users import User, as_user


@pytest.fixture
def user() -> Iterator[User]:
    yield from make_user("gmfix5")


def _env(shared_tmp: Path, user: User) -> GoEnv:
    env = make_env(shared_tmp, gobin_on_path=False)
    env.home = Path(user.home)
    env.env.update(HOME="/root", GOTOOLCHAIN="local", GOFLAGS="", GOPROXY="off")
    return env


def _no_secret_under(d: Path) -> None:
    for p in [d, *d.rglob("*")]:
        if p.is_file() and not p.is_symlink():
            assert SECRET.encode() not in p.read_bytes(), p


def _as_user(user: User, *argv: str) -> None:
    subprocess.run(as_user(user, list(argv)), check=True, timeout=30, env={"PATH": "/usr/bin:/bin"})


def test_rc_symlink_to_root_secret(user: User, victim: Victim, shared_tmp: Path) -> None:
    home = Path(user.home)
    _as_user(user, "ln", "-sfn", str(victim.secret), str(home / ".bashrc"))
    env = _env(shared_tmp, user)
    run = gomedic_root_system(env, "fix", "--user", user.name, "--yes", "--edit-rc", "--shell", "bash",
                              "--format", "json", "paths.gobin-on-path")
    p = plan_for(run, "paths.gobin-on-path")
    assert p["state"] == "failed" and "does not read through a user's links" in p["error"], p
    assert SECRET not in run.stdout + run.stderr
    assert os.readlink(home / ".bashrc") == str(victim.secret)
    assert victim.intact()
    _no_secret_under(home)


def test_rc_dir_symlink_to_root_dir(user: User, victim: Victim, shared_tmp: Path) -> None:
    """fish's rc file under ~/.config, with ~/.config a link to a root directory: not written there."""
    home = Path(user.home)
    _as_user(user, "ln", "-sfn", str(victim.dir), str(home / ".config"))
    env = _env(shared_tmp, user)
    run = gomedic_root_system(env, "fix", "--user", user.name, "--yes", "--edit-rc", "--shell", "fish",
                              "--format", "json", "paths.gobin-on-path")
    p = plan_for(run, "paths.gobin-on-path")
    assert p["state"] == "failed" and "symlink" in p["error"], p
    assert victim.intact()


def _module(user: User) -> Path:
    app = Path(user.home) / "app"
    _as_user(user, "mkdir", str(app))
    _as_user(user, "sh", "-c", f"printf 'module example.com/app\\n\\ngo 1.22\\n' > {app}/go.mod")
    return app


@pytest.mark.parametrize("name", ["go.work", "go.mod"])
def test_modfile_symlink_to_root_secret(user: User, victim: Victim, shared_tmp: Path, name: str) -> None:
    app = _module(user)
    _as_user(user, "ln", "-sfn", str(victim.secret), str(app / name))
    env = _env(shared_tmp, user)
    check = gomedic_root_system(env, "check", "--area", "modules", "--deep", "--format", "json", cwd=app)
    assert SECRET not in check.stdout + check.stderr
    assert "is not shown" in check.stdout, check.stdout
    report = gomedic_root_system(env, "report", cwd=app)  # every area
    assert SECRET not in report.stdout + report.stderr
    assert "is not shown" in report.stdout
    assert victim.intact()


def test_modfile_hard_link_to_root_secret(user: User, victim: Victim, shared_tmp: Path,
                                         hardlinks_unprotected: None) -> None:
    app = _module(user)
    _as_user(user, "ln", str(victim.secret), str(app / "go.work"))
    env = _env(shared_tmp, user)
    check = gomedic_root_system(env, "check", "--area", "modules", "--deep", "--format", "json", cwd=app)
    assert SECRET not in check.stdout + check.stderr
    assert "is not shown" in check.stdout, check.stdout


def test_vendor_modules_txt_link_to_root_secret(user: User, victim: Victim, shared_tmp: Path) -> None:
    app = _module(user)
    _as_user(user, "mkdir", str(app / "vendor"))
    _as_user(user, "ln", "-s", str(victim.secret), str(app / "vendor" / "modules.txt"))
    env = _env(shared_tmp, user)
    check = gomedic_root_system(env, "check", "--area", "modules", "--format", "json", cwd=app)
    assert SECRET not in check.stdout + check.stderr
    assert "is not shown" in check.stdout, check.stdout
