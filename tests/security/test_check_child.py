"""Issue 12 item 4: the checks `fix --user U` runs as U. U plants `~/gomedic/__main__.py` (and a
usercustomize module) and watches /proc for the child's environment; root's environment holds secrets."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic.errors import GomedicError
from gomedic.fix import engine
from gomedic.fix.target import Target, child_env
from tests.fix.conftest import gomedic_root_system, plan_for
from tests.security.conftest import RACER_HEAD, SECRET, Racer, make_user
from tests.support.goenv import make_env
from tests.support.users import User

PLANT = "import os\nopen(os.path.expanduser('~/PWNED'), 'w').write(repr(dict(os.environ)))\n"

# As the user: read the environment and cwd of every process of theirs running `gomedic`; count them,
# and keep any environment holding root's secret in ~/leaks.
WATCHER = RACER_HEAD + """
secret, leaks = sys.argv[1], os.path.expanduser("~/leaks")
seen = set()
while True:
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or pid in seen:
            continue
        try:
            cmd = open(f"/proc/{pid}/cmdline", "rb").read()
            if b"gomedic" not in cmd or b"check" not in cmd:
                continue
            env = open(f"/proc/{pid}/environ", "rb").read()
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        seen.add(pid)
        n += 1
        with open(leaks, "a") as fh:
            fh.write(f"cwd={cwd} argv={cmd!r} secret={secret.encode() in env} env={env!r}\\n")
"""


@pytest.fixture
def user() -> Iterator[User]:
    yield from make_user("gmfix4")


def _plant(user: User) -> None:
    home = Path(user.home)
    pkg = home / "gomedic"
    pkg.mkdir()
    for name in ("__init__.py", "__main__.py", "cli.py"):
        (pkg / name).write_text(PLANT)
    site = home / ".local" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    site.mkdir(parents=True)
    (site / "usercustomize.py").write_text(PLANT)
    for p in [pkg, *pkg.iterdir(), *(home / ".local").rglob("*"), home / ".local"]:
        os.lchown(p, user.uid, user.gid)


def test_planted_module_and_root_environment(user: User, shared_tmp: Path, racers: list[Racer]) -> None:
    env = make_env(shared_tmp)
    home = Path(user.home)
    env.home = home
    # what `sudo gomedic fix --user U` has: root's HOME and whatever secrets root's environment holds
    env.env.update(HOME="/root", GOTOOLCHAIN="local", AWS_SECRET_ACCESS_KEY=SECRET, GMFIX_TOKEN=SECRET)
    cache = home / ".cache" / "go-build"
    cache.mkdir(parents=True)  # `sudo go build` left a root-owned build cache
    os.lchown(home / ".cache", user.uid, user.gid)
    _plant(user)
    watcher = Racer(user, WATCHER, SECRET)
    racers.append(watcher)
    # (root's own `python -m gomedic` runs in a root-owned directory: `-m` imports from its cwd)
    run = gomedic_root_system(env, "fix", "--user", user.name, "--yes", "--format", "json", "paths.gocache")
    seen, err = watcher.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    p = plan_for(run, "paths.gocache")
    assert p["state"] == "applied" and p["status_after"] == "ok", p
    assert os.stat(cache).st_uid == user.uid
    assert not (home / "PWNED").exists(), (home / "PWNED").read_text()
    assert SECRET not in run.stdout + run.stderr
    # the user saw the checks that ran as them: isolated, in /, without root's environment
    assert seen >= 1, err
    lines = (home / "leaks").read_text().splitlines()
    assert all(ln.startswith("cwd=/ ") and "secret=False" in ln for ln in lines), lines
    assert all("'-I'" in ln or "b'-I" in ln or "\\x00-I\\x00" in ln for ln in lines), lines


def _target(user: User) -> Target:
    return Target(user.name, user.uid, user.gid, user.name, user.home, "/bin/sh", "--user")


def test_child_environment_is_built_for_the_user(user: User) -> None:
    root_env = {"HOME": "/root", "USER": "root", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "GOFLAGS": "-mod=mod",
                "GOPATH": f"{user.home}/go", "CGO_ENABLED": "0", "AWS_SECRET_ACCESS_KEY": SECRET,
                "SSH_AUTH_SOCK": "/tmp/agent", "PYTHONPATH": "/x", "LD_PRELOAD": "/x.so", "SUDO_COMMAND": "x"}
    env = child_env(_target(user), root_env)
    assert env == {"HOME": user.home, "USER": user.name, "LOGNAME": user.name, "PATH": "/usr/bin:/bin",
                   "LANG": "C.UTF-8", "GOFLAGS": "-mod=mod", "GOPATH": f"{user.home}/go", "CGO_ENABLED": "0"}
    argv = engine.check_argv(_target(user), engine.Scope(frozenset({"paths.gocache"}), False, env, "/"))
    assert argv[:5] == ["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups", "--"]
    assert argv[5:8] == [sys.executable, "-I", "-c"] and argv[9] == engine.package_dir()


def test_untrusted_child_output_is_refused(user: User) -> None:
    for doc in ('{"results": [{"id": 1}]}', '{"results": "x"}', '[]', 'not json',
                json.dumps({"results": [{"id": "paths.gocache", "area": "paths", "category": "evil"}]})):
        with pytest.raises(GomedicError, match="cannot run the checks"):
            engine.parse_results(_target(user), doc, "exit 0")


def test_gomedic_inside_the_users_home_is_refused(user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "package_dir", lambda: os.path.join(user.home, "src"))
    with pytest.raises(GomedicError, match="inside gmfix4's home"):
        engine.check_argv(_target(user), engine.Scope(frozenset(), False, {}, "/"))
