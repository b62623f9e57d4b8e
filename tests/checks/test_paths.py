"""paths.* against real environments, including caches owned by root evaluated as a real unprivileged user.

Tests taking `goenv` run under every release of the matrix (Debian's go1.19, go1.21.13, the newest), and
what go says on that release (as that user) is the ground truth gomedic's verdict is held to.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv
from tests.support.gomodules import HELLO, OFFLINE, file_proxy, write_module
from tests.support.hostfixtures import world_dir
from tests.support.systools import system_path
from tests.support.users import User, as_user, ensure_user, temporary_user

AREAS = ("--area", "paths")


@pytest.fixture
def goenv(anygo: GoEnv) -> GoEnv:
    return anygo


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


def test_new_machine_install_dir_not_on_path_is_advice(goenv: GoEnv) -> None:
    """A brand-new machine: ~/go/bin does not exist and is not on PATH. Nothing is broken yet: a warning
    with the fix, exit 0; once a tool is installed there, its `command not found` is a failure."""
    goenv.env["PATH"] = goenv.env["PATH"].replace(str(goenv.gobin) + os.pathsep, "")
    run = goenv.check(*AREAS)
    r = run.result("paths.gobin-on-path")
    assert r["status"] == "warn" and str(goenv.gobin) in r["summary"] and "not on PATH" in r["summary"]
    assert "does not exist yet (go install creates it)" in r["summary"]
    assert r["fix"] == f'export PATH="$PATH:{goenv.gobin}"  (add it to ~/.profile or your shell rc file, then ' \
        "open a new shell)"
    assert run.returncode == 0, run.stdout
    d = write_module(goenv.root / "hello", "example.com/hello", "1.19", {"main.go": HELLO})
    goenv.env["GOCACHE"] = str(goenv.root / "gocache")
    goenv.go("install", ".", cwd=d)  # for real: go creates ~/go/bin and puts hello there
    assert (goenv.gobin / "hello").exists()
    run = goenv.check(*AREAS)
    r = run.result("paths.gobin-on-path")
    assert r["status"] == "fail" and "the 1 installed there (hello) are `command not found`" in r["summary"]
    assert run.returncode == 1


def test_gobin_not_on_path(goenv: GoEnv) -> None:
    goenv.env["GOBIN"] = str(goenv.home / "bin")
    r = goenv.check(*AREAS).result("paths.gobin-on-path")
    assert r["status"] == "warn" and f"{goenv.home}/bin (GOBIN, environment)" in r["summary"]


def test_dangling_symlink_caches(goenv: GoEnv, tmp_path: Path) -> None:
    """GOCACHE/GOMODCACHE are symlinks to directories that are gone: go's mkdir meets the link and fails."""
    cache, modcache = goenv.home / ".cache" / "go-build", goenv.home / "go" / "pkg" / "mod"
    for link, gone in ((cache, tmp_path / "gone" / "build"), (modcache, tmp_path / "gone" / "mod")):
        link.parent.mkdir(parents=True)
        link.symlink_to(gone)
    run = goenv.check(*AREAS)
    c, m = run.result("paths.gocache"), run.result("paths.gomodcache")
    assert c["status"] == "fail" and m["status"] == "fail", run.stdout
    said = f"failed to initialize build cache at {cache}: mkdir {cache}: file exists"
    assert f"{cache} is a symlink to {tmp_path}/gone/build, which does not exist" in c["summary"]
    assert f"`{said}`" in c["summary"] and c["fix"].startswith(f"mkdir -p {tmp_path}/gone/build")
    said_mod = f"go: could not create module cache: mkdir {modcache}: file exists"
    assert f"`{said_mod}`" in m["summary"]
    # ground truth, on this release
    d = write_module(goenv.root / "uses", "example.com/uses", "1.19",
                     {"main.go": 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.V) }\n'},
                     "\nrequire example.com/lib v1.0.0\n")
    goenv.env.update(OFFLINE)
    goenv.env["GOPROXY"] = file_proxy(tmp_path / "proxy", "example.com/lib", "v1.0.0",
                                      {"lib.go": "package lib\n\nconst V = 1\n"})
    hello = write_module(goenv.root / "hello", "example.com/hello", "1.19", {"main.go": HELLO})  # no requirement
    assert said in goenv.go("build", "-o", os.devnull, ".", cwd=hello, check=False).stderr
    assert said_mod in goenv.go("mod", "download", "example.com/lib", cwd=d, check=False).stderr
    # following the fix makes both work
    (tmp_path / "gone" / "build").mkdir(parents=True)
    (tmp_path / "gone" / "mod").mkdir(parents=True)
    run = goenv.check(*AREAS)
    assert run.result("paths.gocache")["status"] == run.result("paths.gomodcache")["status"] == "ok"
    goenv.go("mod", "download", "example.com/lib", cwd=d)
    subprocess.run(["chmod", "-R", "u+w", str(tmp_path / "gone")], check=True)  # let pytest clean up


def _user_env(goenv: GoEnv, user: User) -> GoEnv:
    """goenv moved into a real user's own home (under /home), with that user's name."""
    goenv.home = Path(user.home)
    goenv.env.update(HOME=user.home, USER=user.name,
                     PATH=system_path(goenv.goroot / "bin", Path(user.home) / "go" / "bin"))
    return goenv


def _as(goenv: GoEnv, user: User, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(as_user(user, [str(goenv.goroot / "bin" / "go"), *args]), env=goenv.env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_symlinked_caches_whose_targets_the_user_cannot_write(goenv: GoEnv) -> None:
    with temporary_user("gmtc") as user, world_dir("gomedic-tc-") as shared:
        env = _user_env(goenv, user)
        home = Path(user.home)
        targets = {"GOCACHE": shared / "build", "GOMODCACHE": shared / "mod"}  # root's, 0755
        for key, t in targets.items():
            t.mkdir()
            (home / key.lower()).symlink_to(t)
            os.lchown(home / key.lower(), user.uid, user.gid)
            env.env[key] = str(home / key.lower())
        run = env.check(*AREAS, user=user)
        c, m = run.result("paths.gocache"), run.result("paths.gomodcache")
        assert c["status"] == "fail" and m["status"] == "fail", run.stdout
        cache = home / "gocache"
        said = f"failed to initialize build cache at {cache}: mkdir {cache}/00: permission denied"
        assert f"(-> {targets['GOCACHE']})" in c["summary"] and f"`{said}`" in c["summary"]
        assert c["evidence"]["points to"] == str(targets["GOCACHE"])
        assert f"(-> {targets['GOMODCACHE']})" in m["summary"] and "permission denied" in m["summary"]
        d = write_module(shared / "app", "example.com/app", "1.19", {"main.go": HELLO})
        p = _as(env, user, "build", "-o", os.devnull, ".", cwd=d)  # ground truth, as the user
        assert p.returncode != 0 and said in p.stderr
        env.env.update(OFFLINE)
        env.env["GOPROXY"] = file_proxy(shared / "proxy", "example.com/lib", "v1.0.0", {"lib.go": "package lib\n"})
        env.env["GOCACHE"] = str(home / ".cache" / "go-build")  # the module cache alone is in the way now
        p = _as(env, user, "mod", "download", "example.com/lib@v1.0.0", cwd=d)
        assert p.returncode != 0 and f"mkdir {home}/gomodcache/cache: permission denied" in p.stderr, p.stderr
        env.env["GOCACHE"] = str(cache)
        # root is fine with the same tree (it may write anywhere)
        assert env.check(*AREAS).result("paths.gocache")["status"] == "ok"


def test_install_dir_the_user_cannot_write(goenv: GoEnv) -> None:
    with temporary_user("gmtc") as user, world_dir("gomedic-tc-") as shared:
        env = _user_env(goenv, user)
        gobin = shared / "bin"  # root's, 0755, on PATH
        gobin.mkdir()
        env.env["GOBIN"] = str(gobin)
        env.env["PATH"] = system_path(env.goroot / "bin", gobin)
        run = env.check(*AREAS, user=user)
        r = run.result("paths.gobin-on-path")
        assert r["status"] == "fail", run.stdout
        assert f"go install cannot write to {gobin} (GOBIN, environment)" in r["summary"]
        assert f"open {gobin}/<program>: permission denied" in r["summary"]
        assert r["fix"].startswith(f"sudo chown {user.name} {gobin}")
        d = write_module(shared / "hello", "example.com/hello", "1.19", {"main.go": HELLO})
        p = _as(env, user, "install", ".", cwd=d)  # ground truth, as the user
        assert p.returncode != 0 and f"open {gobin}/hello: permission denied" in p.stderr
        assert "go install example.com/hello: copying " in p.stderr
        # GOPATH/bin missing under a directory the user cannot write
        del env.env["GOBIN"]
        env.env["GOPATH"] = str(shared / "gopath")
        (shared / "gopath").mkdir()
        r = env.check(*AREAS, user=user).result("paths.gobin-on-path")
        assert r["status"] == "fail" and f"mkdir {shared}/gopath/bin/: permission denied" in r["summary"]
        p = _as(env, user, "install", ".", cwd=d)
        assert p.returncode != 0 and f"mkdir {shared}/gopath/bin/: permission denied" in p.stderr


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
