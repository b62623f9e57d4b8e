"""toolchain.* against real broken environments built around real Go releases.

Tests taking `goenv` run under every release of the matrix (Debian's go1.19, go1.21.13, the newest);
what differs by release (GOTOOLCHAIN exists from 1.21) is asserted per release, against what that go
really does.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv, make_env, needs
from tests.support.gomodules import write_module
from tests.support.systools import system_path
from tests.support.toolchains import DEBIAN, FIRST_GOTOOLCHAIN, copy_tree, release, toolchain

OLD, NEW = "1.22.10", "1.27.3"


@pytest.fixture
def goenv(anygo: GoEnv) -> GoEnv:
    return anygo


def test_healthy(goenv: GoEnv) -> None:
    run = goenv.check("--area", "toolchain")
    assert run.returncode == 0, run.stdout + run.stderr
    assert {r["status"] for r in run.report["results"]} == {"ok"}
    assert run.result("toolchain.goroot-matches")["summary"] == f"go, GOROOT and compiler are all {goenv.version}"


def test_goroot_of_another_release(goenv: GoEnv) -> None:
    goenv.env["GOROOT"] = str(toolchain(OLD))
    run = goenv.check("--area", "toolchain")
    r = run.result("toolchain.goroot-matches")
    assert r["status"] == "fail"
    assert f"go{OLD}" in r["summary"] and goenv.version in r["summary"] and str(toolchain(OLD)) in r["summary"]
    assert r["evidence"]["GOROOT/VERSION"] == f"go{OLD}"
    assert r["fix"].startswith("unset GOROOT")
    assert run.returncode == 1


def test_goroot_of_newer_release(tmp_path: Path) -> None:
    env = make_env(tmp_path, OLD)
    env.env["GOROOT"] = str(toolchain(NEW))
    r = env.check("--area", "toolchain").result("toolchain.goroot-matches")
    assert r["status"] == "fail"
    assert f"holds go{NEW}" in r["summary"] and f"is go{OLD}" in r["summary"]


def test_tree_overwritten_in_place(goenv: GoEnv) -> None:
    """A release unpacked over another's tree: VERSION and go are one release, the compiler another."""
    root = copy_tree(goenv.name, goenv.root / "go")
    shutil.copy2(toolchain(OLD) / "pkg/tool/linux_amd64/compile", root / "pkg/tool/linux_amd64/compile")
    goenv.env["PATH"] = goenv.env["PATH"].replace(str(goenv.goroot / "bin"), str(root / "bin"))
    r = goenv.check("--area", "toolchain").result("toolchain.goroot-matches")
    assert r["status"] == "fail"
    assert f'compile: version "go{OLD}" does not match go tool version "{goenv.version}"' in r["summary"]
    # ground truth: that release's go refuses to build with that compiler, in those words
    d = write_module(goenv.root / "m", "example.com/m", "1.19", {"main.go": "package main\n\nfunc main() {}\n"})
    goenv.env["GOCACHE"] = str(goenv.root / "gocache")
    p = subprocess.run([str(root / "bin" / "go"), "build", "-o", os.devnull, "."], env=goenv.env, cwd=d,
                       capture_output=True, text=True, timeout=300)
    assert p.returncode != 0 and f'version "go{OLD}" does not match go tool version "{goenv.version}"' in p.stderr


def test_goroot_missing(goenv: GoEnv) -> None:
    goenv.env["GOROOT"] = "/nonexistent/go"
    run = goenv.check()
    r = run.result("toolchain.goroot-exists")
    assert r["status"] == "fail" and "/nonexistent/go" in r["summary"] and "does not exist" in r["summary"]
    # go itself cannot run: the report is still complete, the rest skip with a reason
    assert run.result("toolchain.goroot-matches")["status"] == "skip"
    assert all(x["status"] != "error" for x in run.report["results"]), run.stdout
    assert run.returncode == 1


def test_goroot_ending_in_bin(goenv: GoEnv) -> None:
    goenv.env["GOROOT"] = str(goenv.goroot / "bin")
    r = goenv.check("--area", "toolchain").result("toolchain.goroot-exists")
    assert r["status"] == "fail" and "points inside bin/" in r["summary"]
    assert f"GOROOT={goenv.goroot}" in r["fix"]


def test_two_releases_on_path(goenv: GoEnv) -> None:
    goenv.env["PATH"] += os.pathsep + str(toolchain(OLD) / "bin")
    r = goenv.check("--area", "toolchain").result("toolchain.multiple-go")
    assert r["status"] == "warn"
    assert goenv.version in r["summary"] and f"go{OLD}" in r["summary"] and "wins" in r["summary"]


def test_no_go_at_all(tmp_path: Path) -> None:
    env = make_env(tmp_path)
    env.env["PATH"] = system_path()
    run = env.check()
    r = run.result("toolchain.go-on-path")
    assert r["status"] == "fail" and "no go on PATH" in r["summary"]
    assert run.result("toolchain.goroot-matches")["status"] == "skip"
    assert "no go command on PATH" in run.result("toolchain.goroot-matches")["summary"]
    assert run.returncode == 1
    assert "Traceback" not in run.stderr


def test_no_go_on_path_recommends_the_newest_install(tmp_path: Path) -> None:
    """Debian's go1.19 in /usr/lib/go-1.19 (installed on this machine for the matrix), an SDK in ~/sdk
    and a second link to that SDK: each install is named once, with its release, and the newest wins."""
    env = make_env(tmp_path)
    sdk = env.home / "sdk"
    sdk.mkdir(parents=True)
    os.symlink(toolchain(NEW), sdk / "go1.27.3")
    os.symlink(toolchain(NEW), sdk / "go-current")  # the same install again
    os.symlink(toolchain(FIRST_GOTOOLCHAIN), sdk / f"go{FIRST_GOTOOLCHAIN}")
    env.env["PATH"] = system_path()
    r = env.check("--area", "toolchain").result("toolchain.go-on-path")
    assert r["status"] == "fail", r
    # Debian's golang-go (CI installs it) adds /usr/lib/go -> go-1.19, found first: the same install, named once.
    debian_dir = "/usr/lib/go" if os.path.realpath("/usr/lib/go") == os.path.realpath(toolchain(DEBIAN)) \
        else toolchain(DEBIAN)
    debian = f"{debian_dir}/bin/go ({release(DEBIAN)})"
    newest = f"{sdk}/go-current/bin/go (go{NEW})"  # go-current sorts before go1.27.3: found first
    assert r["summary"] == f"no go on PATH, but Go is installed at {newest}, " \
        f"{sdk}/go{FIRST_GOTOOLCHAIN}/bin/go (go{FIRST_GOTOOLCHAIN}), {debian}", r["summary"]
    assert r["fix"].startswith(f'export PATH="$PATH:{sdk}/go-current/bin"  (the newest release found, go{NEW};')
    assert r["evidence"]["recommended"] == newest
    # Debian's go alone: recommended, and said to be unsupported
    shutil.rmtree(sdk)
    r = env.check("--area", "toolchain").result("toolchain.go-on-path")
    assert r["summary"] == f"no go on PATH, but Go is installed at {debian}"
    assert f"{release(DEBIAN)} is no longer supported: install go" in r["fix"]


def _module(dirpath: Path, go_line: str, toolchain_line: str | None = None) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    text = f"module example.com/m\n\ngo {go_line}\n"
    if toolchain_line:
        text += f"\ntoolchain {toolchain_line}\n"
    (dirpath / "go.mod").write_text(text)
    return dirpath


NEWER_FEATURE = "package main\n\nfunc main() {\n\tfor i := range 3 {\n\t\t_ = i\n\t}\n}\n"  # range over int: Go 1.22


def test_gomod_needs_newer_go_with_local(goenv: GoEnv) -> None:
    mod = _module(goenv.root / "m", "1.28.0")
    goenv.env["GOTOOLCHAIN"] = "local"
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "fail"
    p = goenv.go("list", "-m", cwd=mod, check=False)  # ground truth, as this release says it
    assert p.returncode != 0
    if goenv.minor >= 21:
        said = f"go.mod requires go >= 1.28.0 (running go {goenv.version[2:]}; GOTOOLCHAIN=local)"
        assert said in r["summary"] and said in p.stderr
    else:  # no GOTOOLCHAIN: the three-part line is what stops it, and the variable is ignored
        assert "invalid go version '1.28.0': must match format 1.23" in p.stderr
        assert "GOTOOLCHAIN=local is ignored" in r["summary"] and "cannot parse" in r["summary"]
        assert r["evidence"]["GOTOOLCHAIN"] == f"local (ignored by {goenv.version})"


def test_two_part_go_line_newer_than_local(goenv: GoEnv) -> None:
    line = f"1.{goenv.minor + 1}"
    mod = _module(goenv.root / "m", line)
    (mod / "main.go").write_text(NEWER_FEATURE)
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    if goenv.minor >= 21:
        assert r["status"] == "fail"
        assert f"go {line}" in r["summary"] and f"go{line}" in r["summary"] and goenv.version in r["summary"]
        assert f"{line}.0" in r["fix"]
        return
    # go1.19 does not switch: it compiles with itself and blames the go line only after an error
    assert r["status"] == "warn", r
    assert f"says go {line}, newer than {goenv.version}" in r["summary"]
    assert f"`note: module requires Go {line}`" in r["summary"] and "download" not in r["fix"]
    goenv.env["GOCACHE"] = str(goenv.root / "gocache")
    p = goenv.go("build", "-o", os.devnull, ".", cwd=mod, check=False)
    assert p.returncode != 0 and f"note: module requires Go {line}" in p.stderr


def test_gomod_satisfied(goenv: GoEnv) -> None:
    mod = _module(goenv.root / "m", "1.19")
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "ok", r
    if goenv.minor >= 21:
        assert r["summary"] == f"go.mod needs go1.19; the local {goenv.version} satisfies it"
    else:
        assert r["summary"] == f"{mod}/go.mod says go 1.19; {goenv.version} predates GOTOOLCHAIN (Go 1.21): it " \
            "never switches or downloads a toolchain, and none is needed"


def test_auto_download_is_a_warning(goenv: GoEnv) -> None:
    needs(goenv, 21, "no toolchain downloads without GOTOOLCHAIN")
    mod = _module(goenv.root / "m", "1.28.0")
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "warn" and "downloads go1.28.0" in r["summary"]


def test_gotoolchain_on_a_go_without_it(goenv: GoEnv) -> None:
    """GOTOOLCHAIN set for a go that predates it: said to be ignored, never explained as a download."""
    if goenv.minor >= 21:
        pytest.skip(f"{goenv.version} has GOTOOLCHAIN: covered by the tests above")
    goenv.env["GOTOOLCHAIN"] = f"go{NEW}"
    mod = _module(goenv.root / "m", "1.19")
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "ok" and f"GOTOOLCHAIN=go{NEW} is ignored" in r["summary"]
    assert "download" not in r["summary"].replace("never switches or downloads", "")
    # ground truth: it runs itself
    assert goenv.go("version", cwd=mod).stdout.startswith(f"go version {goenv.version} ")
    goenv.env["GOTOOLCHAIN"] = "nonsense"  # not even validated by a go that has no GOTOOLCHAIN
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "ok" and "GOTOOLCHAIN=nonsense is ignored" in r["summary"]
    assert goenv.go("version", cwd=mod).returncode == 0
    (mod / "go.mod").write_text(f"module example.com/m\n\ngo 1.19\n\ntoolchain go{NEW}\n")
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "fail" and f"`toolchain go{NEW}`" in r["summary"]
    assert "unknown directive: toolchain" in goenv.go("list", "-m", cwd=mod, check=False).stderr


def test_goos_set_to_another_os(goenv: GoEnv) -> None:
    goenv.env["GOOS"] = "windows"
    r = goenv.check("--area", "toolchain").result("toolchain.host-target")
    assert r["status"] == "warn"
    assert "GOOS=windows (environment)" in r["summary"] and "exec format error" in r["summary"]


def test_goarch_in_goenv_file(goenv: GoEnv) -> None:
    goenv.write_goenv("GOARCH=arm64\n")
    r = goenv.check("--area", "toolchain").result("toolchain.host-target")
    assert r["status"] == "warn" and "GOARCH=arm64 (GOENV file)" in r["summary"]
    assert r["fix"].startswith("go env -u GOARCH")


def test_version_manager_shim(goenv: GoEnv, tmp_path: Path) -> None:
    shims = tmp_path / "shims"
    shims.mkdir()
    shim = shims / "go"
    shim.write_text(f'#!/bin/sh\nexec "{goenv.goroot}/bin/go" "$@"\n')
    shim.chmod(0o755)
    goenv.env["PATH"] = goenv.env["PATH"].replace(str(goenv.goroot / "bin"), str(shims))
    run = goenv.check("--area", "toolchain")
    r = run.result("toolchain.go-on-path")
    assert r["status"] == "ok" and f"shim that runs {goenv.version}" in r["summary"]
    assert run.result("toolchain.goroot-matches")["status"] == "ok"
    assert run.returncode == 0, run.stdout
