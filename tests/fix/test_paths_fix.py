"""`gomedic fix` for root-owned caches in an unprivileged user's home (left by `sudo go ...`), a missing
cache directory under a root-owned parent, and the install dir on PATH (rc files only with --edit-rc)."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fix.conftest import file_proxy, gomedic_root_system, plan_for, plans, settle, snapshot
from tests.support.goenv import GoEnv, make_env
from tests.support.users import User, as_user, ensure_user

USER = "gomedic-fixer"


@pytest.fixture
def fixer() -> User:
    return ensure_user(USER)


def _user_env(shared_tmp: Path, user: User) -> GoEnv:
    """A Go environment whose HOME belongs to `user`, with a file:// module proxy."""
    env = make_env(shared_tmp)
    home = shared_tmp / "fixer-home"
    shutil.copytree(env.home, home, dirs_exist_ok=True)
    env.env["PATH"] = env.env["PATH"].replace(str(env.home), str(home))
    env.home = home
    (home / "go" / "bin").mkdir(parents=True, exist_ok=True)
    env.env["HOME"] = str(home)
    settle(env)
    for p in [home, *home.rglob("*")]:
        os.lchown(p, user.uid, user.gid)
    env.env.update(HOME=str(home), USER=user.name, GOSUMDB="off", GOTOOLCHAIN="local",
                   GOPROXY=file_proxy(shared_tmp / "proxy"))
    return env


def _sudo_go(env: GoEnv, *args: str) -> None:
    """What `sudo go ...` does with the user's HOME: root-owned files in the user's caches."""
    env.go(*args, cwd=env.root)


def test_root_owned_caches_handed_back(fixer: User, shared_tmp: Path) -> None:
    env = _user_env(shared_tmp, fixer)
    shutil.rmtree(env.home / ".cache" / "go-build")  # the first go run will be `sudo go build`
    mod = shared_tmp / "app"
    mod.mkdir()
    (mod / "go.mod").write_text("module app\n\ngo 1.22\n")
    (mod / "lib.go").write_text("package app\n\nfunc F() int { return 1 }\n")  # no imports: builds in ms
    os.chmod(mod, 0o755)
    _sudo_go(env, "mod", "download", "-x", "example.com/hello@v1.0.0")
    env.go("build", "-o", os.devnull, ".", cwd=mod)
    modcache, cache = env.home / "go" / "pkg" / "mod", env.home / ".cache" / "go-build"
    assert os.stat(modcache).st_uid == 0 and os.stat(cache).st_uid == 0

    run = env.check("--area", "paths", user=fixer)
    assert run.result("paths.gomodcache")["status"] == "fail"
    assert run.result("paths.gocache")["status"] == "fail"

    # the user's dry run plans the chown, says it needs root, and changes nothing
    before = snapshot(env.home)
    dry = env.gomedic("fix", "--format", "json", user=fixer)
    assert dry.returncode == 1, dry.stderr
    p = plan_for(dry, "paths.gomodcache")
    assert p["state"] == "planned" and p["actions"][0]["needs_root"]
    assert p["actions"][0]["change"].startswith(f"chown -R {fixer.name}:")
    assert f"sudo gomedic fix --user {fixer.name} --yes paths.gomodcache" in p["note"]
    assert any("go clean -modcache" in a for a in p["alternatives"])
    # --yes without root fails cleanly, still without changing anything
    failed = env.gomedic("fix", "--yes", "--format", "json", "paths.gomodcache", user=fixer)
    assert plan_for(failed, "paths.gomodcache")["state"] == "failed"
    assert "root" in plan_for(failed, "paths.gomodcache")["error"]
    assert snapshot(env.home) == before

    # root fixes it for the user; the re-check runs as the user
    fixed = gomedic_root_system(env, "fix", "--user", fixer.name, "--yes", "--format", "json")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    for check_id in ("paths.gomodcache", "paths.gocache"):
        p = plan_for(fixed, check_id)
        assert p["state"] == "applied" and p["status_after"] == "ok", p
    assert all(os.lstat(x).st_uid == fixer.uid for x in [modcache, *modcache.rglob("*"), cache, *cache.rglob("*")])
    # read-only module files stay read-only (by design)
    hello = modcache / "example.com" / "hello@v1.0.0" / "hello.go"
    assert os.stat(hello).st_mode & 0o222 == 0
    after = env.check("--area", "paths", user=fixer)
    assert after.result("paths.gomodcache")["status"] == "ok" and after.result("paths.gocache")["status"] == "ok"
    # and go works for the user now: a new compile writes to the cache
    (mod / "lib.go").write_text("package app\n\nfunc F() int { return 2 }\n")
    entries = len(list(cache.glob("*/*")))
    subprocess.run(as_user(fixer, [str(env.goroot / "bin" / "go"), "build", "-o", os.devnull, "."]),
                   env=env.env, cwd=mod, check=True, capture_output=True, timeout=300)
    assert len(list(cache.glob("*/*"))) > entries

    # a second run changes nothing
    before = snapshot(env.home)
    again = gomedic_root_system(env, "fix", "--user", fixer.name, "--yes", "--format", "json")
    assert again.returncode == 0, again.stderr
    assert [p for p in plans(again) if p["check"].startswith("paths.gom") or p["check"] == "paths.gocache"] == []
    assert snapshot(env.home) == before


def test_missing_cache_under_root_owned_parent(fixer: User, shared_tmp: Path) -> None:
    env = _user_env(shared_tmp, fixer)
    parent = env.home / "caches"
    parent.mkdir()  # `sudo mkdir ~/caches`: root-owned, 0755
    env.env["GOCACHE"] = str(parent / "go-build")
    assert env.check("--area", "paths", user=fixer).result("paths.gocache")["status"] == "fail"
    fixed = gomedic_root_system(env, "fix", "--user", fixer.name, "--yes", "--format", "json", "paths.gocache")
    p = plan_for(fixed, "paths.gocache")
    assert p["state"] == "applied" and p["status_after"] == "ok", p
    assert [a["change"].split()[0:2] for a in p["actions"]] == [["chown", "-R"], ["mkdir", "-p"]]
    st = os.stat(parent / "go-build")
    assert (st.st_uid, st.st_gid) == (fixer.uid, fixer.gid)
    assert pwd.getpwuid(os.stat(parent).st_uid).pw_name == fixer.name


def test_outside_home_is_manual(fixer: User, shared_tmp: Path) -> None:
    env = _user_env(shared_tmp, fixer)
    shared = shared_tmp / "shared-cache"
    shared.mkdir()
    env.env["GOCACHE"] = str(shared)
    before = snapshot(shared_tmp / "shared-cache")
    run = gomedic_root_system(env, "fix", "--user", fixer.name, "--yes", "--format", "json", "paths.gocache")
    p = plan_for(run, "paths.gocache")
    assert p["state"] == "manual" and "outside" in p["note"] and p["actions"] == []
    assert snapshot(shared) == before


def test_gobin_rc_lines_only_with_edit_rc(goenv: GoEnv) -> None:
    settle(goenv)
    goenv.env["PATH"] = goenv.env["PATH"].replace(str(goenv.gobin) + os.pathsep, "")
    rc = goenv.home / ".bashrc"
    rc.write_text("# my settings\nalias ll='ls -l'\n")
    # a missing install dir is created (owned by the user); the rc lines are only printed
    shutil.rmtree(goenv.gobin, ignore_errors=True)
    run = goenv.gomedic("fix", "--yes", "--shell", "bash", "--format", "json", "paths.gobin-on-path")
    p = plan_for(run, "paths.gobin-on-path")
    assert p["state"] == "applied" and p["actions"][0]["change"].startswith(f"mkdir -p {goenv.gobin}")
    assert goenv.gobin.is_dir() and not rc.read_text().count("gomedic")
    assert p["status_after"] == "warn"  # PATH is what the user's shell has: unchanged until they add the lines
    assert "until those lines are in" in p["note"] and "a new shell is opened" in p["note"]
    before = snapshot(goenv.root)
    run = goenv.gomedic("fix", "--yes", "--shell", "bash", "--format", "json", "paths.gobin-on-path")
    p = plan_for(run, "paths.gobin-on-path")
    assert p["state"] == "manual" and p["actions"] == []
    assert any(str(goenv.gobin) in m for m in p["manual"]) and str(rc) in p["manual"][0]
    assert snapshot(goenv.root) == before  # printed, not written

    run = goenv.gomedic("fix", "--yes", "--edit-rc", "--shell", "bash", "--format", "json", "paths.gobin-on-path")
    p = plan_for(run, "paths.gobin-on-path")
    assert p["state"] == "applied" and p["status_after"] == "ok", p
    text = rc.read_text()
    assert text.startswith("# my settings\nalias ll='ls -l'\n") and text.count("# >>> gomedic shellenv >>>") == 1
    backup = next(goenv.home.glob(".bashrc.gomedic-*.bak"))
    assert backup.read_text() == "# my settings\nalias ll='ls -l'\n"
    # an interactive bash started with this rc file has the directory on PATH
    out = subprocess.run(["bash", "-c", f". {rc}; . {rc}; printf %s \"$PATH\""], env=goenv.env,
                         capture_output=True, text=True, timeout=30, check=True).stdout
    assert out.split(":").count(str(goenv.gobin)) == 1
    # again: nothing changes
    before = snapshot(goenv.root)
    again = goenv.gomedic("fix", "--yes", "--edit-rc", "--shell", "bash", "--format", "json", "paths.gobin-on-path")
    assert plan_for(again, "paths.gobin-on-path")["state"] == "nothing"
    assert snapshot(goenv.root) == before
