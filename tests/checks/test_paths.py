"""paths.* against real environments, including caches owned by root evaluated as a real unprivileged user."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv
from tests.support.users import ensure_user

AREAS = ("--area", "paths")


def test_healthy(goenv: GoEnv) -> None:
    run = goenv.check(*AREAS)
    assert run.returncode == 0, run.stdout
    assert {r["status"] for r in run.report["results"]} == {"ok"}


def test_relative_gopath(goenv: GoEnv) -> None:
    goenv.env["GOPATH"] = "go/work"
    r = goenv.check(*AREAS).result("paths.gopath")
    assert r["status"] == "fail"
    assert "GOPATH=go/work (environment)" in r["summary"] and "relative" in r["summary"]


def test_gopath_trailing_separator(goenv: GoEnv) -> None:
    goenv.env["GOPATH"] = f"{goenv.home}/go:"
    r = goenv.check(*AREAS).result("paths.gopath")
    assert r["status"] == "fail" and "empty element" in r["summary"]


def test_gopath_equals_goroot(goenv: GoEnv) -> None:
    goenv.env["GOPATH"] = str(goenv.goroot)
    r = goenv.check(*AREAS).result("paths.gopath")
    assert r["status"] == "fail" and f"GOPATH={goenv.goroot}" in r["summary"] and "is GOROOT" in r["summary"]


def test_install_dir_not_on_path(goenv: GoEnv) -> None:
    goenv.env["PATH"] = goenv.env["PATH"].replace(str(goenv.gobin) + os.pathsep, "")
    r = goenv.check(*AREAS).result("paths.gobin-on-path")
    assert r["status"] == "fail" and str(goenv.gobin) in r["summary"] and "not on PATH" in r["summary"]
    assert f'export PATH="$PATH:{goenv.gobin}"' in r["fix"]


def test_gobin_not_on_path(goenv: GoEnv) -> None:
    goenv.env["GOBIN"] = str(goenv.home / "bin")
    r = goenv.check(*AREAS).result("paths.gobin-on-path")
    assert r["status"] == "fail" and f"{goenv.home}/bin (GOBIN, environment)" in r["summary"]


def test_installed_tool_shadowed(goenv: GoEnv, tmp_path: Path) -> None:
    early = tmp_path / "early"
    early.mkdir()
    goenv.gobin.mkdir(parents=True)
    for d in (early, goenv.gobin):
        tool = d / "mytool"
        tool.write_text("#!/bin/sh\n")
        tool.chmod(0o755)
    goenv.path_prepend(early)
    r = goenv.check(*AREAS).result("paths.gobin-on-path")
    assert r["status"] == "warn" and r["subject"] == "mytool"
    assert f"shadowed by {early}/mytool" in r["summary"]


def test_no_home_and_no_gocache(goenv: GoEnv) -> None:
    del goenv.env["HOME"]
    run = goenv.check(*AREAS)
    r = run.result("paths.gocache")
    assert r["status"] == "fail"
    assert "GOCACHE is not defined and neither $XDG_CACHE_HOME nor $HOME are defined" in r["summary"]
    assert "Traceback" not in run.stderr


def test_gocache_off(goenv: GoEnv) -> None:
    goenv.env["GOCACHE"] = "off"
    r = goenv.check(*AREAS).result("paths.gocache")
    assert r["status"] == "fail" and "required as of Go 1.12" in r["summary"]


@pytest.fixture
def gopher():  # type: ignore[no-untyped-def]
    return ensure_user("gomedic-gopher")


def test_root_owned_caches_as_unprivileged_user(gopher, shared_tmp: Path) -> None:  # type: ignore[no-untyped-def]
    """`sudo go build` and `sudo go mod download` left root-owned caches behind in the user's home."""
    from tests.support.goenv import make_env

    tmp_path = shared_tmp
    env = make_env(tmp_path)
    home = Path(tmp_path / "gopher-home")
    shutil.copytree(env.home, home, dirs_exist_ok=True)
    env.home = home
    env.env["HOME"] = str(home)
    env.env["PATH"] = env.env["PATH"].replace(str(tmp_path / "home"), str(home))
    env.env["USER"] = gopher.name
    cache = home / ".cache" / "go-build"
    modcache = home / "go" / "pkg" / "mod"
    cache.mkdir(parents=True)
    modcache.mkdir(parents=True)
    (home / "go" / "bin").mkdir()
    for p in [home, home / ".cache", home / "go", home / "go" / "pkg", home / "go" / "bin"]:
        os.chown(p, gopher.uid, gopher.gid)
    # cache and modcache stay root-owned, 0755: the user can read but not write
    run = env.check(*AREAS, user=gopher)
    assert run.stderr == "" or "Traceback" not in run.stderr
    c = run.result("paths.gocache")
    m = run.result("paths.gomodcache")
    assert c["status"] == "fail" and m["status"] == "fail", run.stdout
    assert str(cache) in c["summary"] and "gomedic-gopher" in c["summary"] and "root" in c["summary"]
    assert c["evidence"]["owner"] == "root:root" and c["evidence"]["user"].startswith("gomedic-gopher")
    assert f"sudo chown -R gomedic-gopher {cache}" in c["fix"]
    assert str(modcache) in m["summary"]
    # the same tree is fine for root (root bypasses mode bits) ...
    assert env.check(*AREAS).result("paths.gocache")["status"] == "ok"
    # ... and for the user once the caches are theirs
    for p in [cache, modcache]:
        os.chown(p, gopher.uid, gopher.gid)
    run = env.check(*AREAS, user=gopher)
    assert run.result("paths.gocache")["status"] == "ok" and run.result("paths.gomodcache")["status"] == "ok"
