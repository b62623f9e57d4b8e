"""cgo.* against real compilers, a real empty sysroot, and real modules with cgo packages.

Tests taking `goenv` run under every release of the matrix (Debian's go1.19, go1.21.13, the newest).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv, make_env
from tests.support.gomodules import HELLO, OFFLINE, warm_gocache, write_module
from tests.support.systools import tools_dir
from tests.support.toolchains import VERSIONS

AREAS = ("--area", "cgo")

CGO_PKG = ('package csum\n\n// int add(int a, int b) { return a + b; }\nimport "C"\n\n'
           "func Add(a, b int) int { return int(C.add(C.int(a), C.int(b))) }\n")
NOCGO_FALLBACK = "//go:build !cgo\n\npackage csum\n\nfunc Add(a, b int) int { return a + b }\n"
CGO_MAIN = 'package main\n\n// int one(void) { return 1; }\nimport "C"\n\nfunc main() { _ = C.one() }\n'
MAIN = ('package main\n\nimport (\n\t"fmt"\n\t"net"\n\t"os/user"\n\n\t"example.com/capp/csum"\n)\n\n'
        "func main() { _, _ = user.Current(); fmt.Println(csum.Add(1, 2), net.IPv4len) }\n")


@pytest.fixture
def goenv(anygo: GoEnv) -> GoEnv:
    return anygo


@pytest.fixture
def capp(goenv: GoEnv) -> Path:
    goenv.env.update(OFFLINE)
    return write_module(goenv.root / "capp", "example.com/capp", "1.19", {"main.go": MAIN, "csum/csum.go": CGO_PKG})


def test_healthy(goenv: GoEnv) -> None:
    d = write_module(goenv.root / "app", "example.com/app", "1.19", {"main.go": HELLO})
    run = goenv.check(*AREAS, cwd=d)
    assert run.returncode == 0, run.stdout + run.stderr
    st = {r["id"]: r["status"] for r in run.report["results"]}
    assert not {"warn", "fail", "error"} & set(st.values()), st
    assert st["cgo.cc"] == "ok" and st["cgo.headers"] == "ok" and st["cgo.deps"] == "skip"
    r = run.result("cgo.enabled")
    assert f"CGO_ENABLED=1 by default: the default C compiler was found at {tools_dir()}/gcc" in r["summary"]


@pytest.mark.parametrize("version", VERSIONS)
def test_healthy_across_releases(tmp_path: Path, version: str) -> None:
    env = make_env(tmp_path, version)
    d = write_module(env.root / "app", "example.com/app", "1.22", {"main.go": HELLO})
    run = env.check("--area", "cgo", "--area", "modules", "--area", "editor", cwd=d)
    bad = [(r["id"], r["summary"]) for r in run.report["results"] if r["status"] in ("warn", "fail", "error")]
    assert not bad and run.returncode == 0, bad
    env.env["CGO_ENABLED"] = "0"
    r = env.check("--area", "cgo", cwd=d).result("cgo.deps")
    assert r["status"] == "ok" and "none of the" in r["summary"]


def test_missing_cc(goenv: GoEnv) -> None:
    goenv.env.update({"CGO_ENABLED": "1", "CC": "gomedic-missing-cc"})
    run = goenv.check(*AREAS)
    r = run.result("cgo.cc")
    assert r["status"] == "fail"
    assert "CC=gomedic-missing-cc (environment): gomedic-missing-cc is not on PATH" in r["summary"]
    assert 'cgo: C compiler "gomedic-missing-cc" not found' in r["summary"]
    assert run.returncode == 1
    assert run.result("cgo.enabled")["summary"] == "CGO_ENABLED=1: set in the environment"


def test_cc_path_with_unquoted_space(goenv: GoEnv, tmp_path: Path) -> None:
    tools = tmp_path / "my tools"
    tools.mkdir()
    os.symlink("/usr/bin/gcc", tools / "gcc")
    goenv.env["CC"] = str(tools / "gcc")
    r = goenv.check(*AREAS).result("cgo.cc")
    assert r["status"] == "fail" and "unquoted space" in r["summary"]
    assert f"{tmp_path}/my" in r["summary"] and str(tools / "gcc") in r["summary"]
    goenv.env["CC"] = f"'{tools / 'gcc'}'"  # quoted as cmd/go wants: fine
    assert goenv.check(*AREAS).result("cgo.cc")["status"] == "ok"


def test_no_compiler_means_cgo_off_by_default(goenv: GoEnv) -> None:
    goenv.env["PATH"] = str(goenv.goroot / "bin")
    run = goenv.check(*AREAS)
    r = run.result("cgo.enabled")
    if goenv.minor < 20:  # go1.19 keeps cgo on: a cgo package fails, quoted as go1.19 says it
        said = 'cgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH'
        assert r["status"] == "warn" and f"CGO_ENABLED=1 by default on {goenv.version}" in r["summary"]
        assert said in r["summary"]
        d = write_module(goenv.root / "c", "example.com/c", "1.19", {"main.go": CGO_MAIN})
        p = goenv.go("build", "-o", os.devnull, ".", cwd=d, check=False)
        assert p.returncode != 0 and said in p.stderr
        return
    assert r["status"] == "ok" and "CGO_ENABLED=0 by default: no C compiler (gcc or clang) on PATH" in r["summary"]
    assert run.result("cgo.cc")["status"] == "skip"


def test_invalid_cgo_enabled_value(goenv: GoEnv) -> None:
    goenv.env["CGO_ENABLED"] = "yes"
    r = goenv.check(*AREAS).result("cgo.enabled")
    assert r["status"] == "warn" and "CGO_ENABLED=yes (environment) is neither 0 nor 1" in r["summary"]


def test_empty_sysroot(goenv: GoEnv, tmp_path: Path) -> None:
    root = tmp_path / "sysroot"
    (root / "usr" / "include").mkdir(parents=True)
    goenv.env["CC"] = f"gcc --sysroot={root}"
    r = goenv.check(*AREAS).result("cgo.headers")
    assert r["status"] == "fail"
    assert f"errno.h, stdlib.h, pthread.h not found in sysroot {root}" in r["summary"]
    assert "fatal error: errno.h: No such file or directory" in r["summary"]
    del goenv.env["CC"]
    goenv.env["CGO_CFLAGS"] = f"-O2 --sysroot {root}"  # the same, from CGO_CFLAGS
    r = goenv.check(*AREAS).result("cgo.headers")
    assert r["status"] == "fail" and str(root) in r["summary"]


@pytest.mark.slow
def test_works_deep_and_fails_with_the_empty_sysroot(goenv: GoEnv, tmp_path: Path) -> None:
    warm_gocache(goenv)
    r = goenv.check(*AREAS, "--deep").result("cgo.works")
    assert r["status"] == "ok" and "CC=gcc" in r["summary"], r
    root = tmp_path / "sysroot"
    root.mkdir()
    goenv.env["CGO_CFLAGS"] = f"--sysroot={root}"
    r = goenv.check(*AREAS, "--deep").result("cgo.works")
    assert r["status"] == "fail" and "fatal error:" in r["summary"] and "No such file or directory" in r["summary"], r


def test_cgo_package_while_cgo_disabled(goenv: GoEnv, capp: Path) -> None:
    goenv.env["CGO_ENABLED"] = "0"
    r = goenv.check(*AREAS, cwd=capp).result("cgo.deps")
    assert r["status"] == "fail"
    assert "CGO_ENABLED=0 (environment) but example.com/capp/csum need cgo" in r["summary"]
    assert "build constraints exclude all Go files" in r["summary"]
    assert "net" not in r["evidence"].get("needs cgo[1]", "")  # std fallbacks are not problems
    # go list ran without the user's build cache (go1.19 refuses GOCACHE=off: a throwaway one there)
    assert not (goenv.home / ".cache").exists()
    p = goenv.go("build", "./...", cwd=capp, check=False)  # ground truth
    assert p.returncode != 0 and "build constraints exclude all Go files" in p.stderr


def test_cgo_package_with_fallback_is_fine(goenv: GoEnv, capp: Path) -> None:
    (capp / "csum" / "csum_nocgo.go").write_text(NOCGO_FALLBACK)
    goenv.env["CGO_ENABLED"] = "0"
    r = goenv.check(*AREAS, cwd=capp).result("cgo.deps")
    assert r["status"] == "ok" and "none of the" in r["summary"] and str(capp) in r["summary"]


def test_cgo_files_dropped_without_fallback(goenv: GoEnv, capp: Path) -> None:
    (capp / "csum" / "doc.go").write_text("package csum\n\nconst Name = \"csum\"\n")
    goenv.env["CGO_ENABLED"] = "0"
    r = goenv.check(*AREAS, cwd=capp).result("cgo.deps")
    assert r["status"] == "fail" and "no file is built for !cgo" in r["summary"]


def test_main_package_that_is_all_cgo(goenv: GoEnv, tmp_path: Path) -> None:
    """`./...` matches nothing when every file needs cgo; the check must still see the package."""
    d = tmp_path / "allcgo"
    d.mkdir()
    (d / "go.mod").write_text("module example.com/allcgo\n\ngo 1.19\n")
    (d / "main.go").write_text('package main\n\n// #include <stdlib.h>\nimport "C"\n\nfunc main() { C.free(nil) }\n')
    goenv.env["CGO_ENABLED"] = "0"
    r = goenv.check("--area", "cgo", cwd=d).result("cgo.deps")
    assert r["status"] == "fail"
    assert "example.com/allcgo" in r["summary"] and "build constraints exclude all Go files" in r["summary"]
