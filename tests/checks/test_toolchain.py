"""toolchain.* against real broken environments built around real Go releases."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tests.support.goenv import GoEnv, make_env
from tests.support.toolchains import toolchain

OLD, NEW = "1.22.10", "1.27.3"


def test_healthy(goenv: GoEnv) -> None:
    run = goenv.check("--area", "toolchain")
    assert run.returncode == 0, run.stdout + run.stderr
    assert {r["status"] for r in run.report["results"]} == {"ok"}
    assert run.result("toolchain.goroot-matches")["summary"] == f"go, GOROOT and compiler are all go{NEW}"


def test_goroot_of_older_release(goenv: GoEnv) -> None:
    goenv.env["GOROOT"] = str(toolchain(OLD))
    run = goenv.check("--area", "toolchain")
    r = run.result("toolchain.goroot-matches")
    assert r["status"] == "fail"
    assert f"go{OLD}" in r["summary"] and f"go{NEW}" in r["summary"] and str(toolchain(OLD)) in r["summary"]
    assert r["evidence"]["GOROOT/VERSION"] == f"go{OLD}"
    assert r["fix"].startswith("unset GOROOT")
    assert run.returncode == 1


def test_goroot_of_newer_release(tmp_path: Path) -> None:
    env = make_env(tmp_path, OLD)
    env.env["GOROOT"] = str(toolchain(NEW))
    r = env.check("--area", "toolchain").result("toolchain.goroot-matches")
    assert r["status"] == "fail"
    assert f"holds go{NEW}" in r["summary"] and f"is go{OLD}" in r["summary"]


def test_tree_overwritten_in_place(tmp_path: Path) -> None:
    """A new release unpacked over an old tree: VERSION and go are new, the compiler is old."""
    root = tmp_path / "go"
    shutil.copytree(toolchain(NEW), root, symlinks=True)
    shutil.copy2(toolchain(OLD) / "pkg/tool/linux_amd64/compile", root / "pkg/tool/linux_amd64/compile")
    env = make_env(tmp_path)
    env.env["PATH"] = env.env["PATH"].replace(str(toolchain(NEW) / "bin"), str(root / "bin"))
    r = env.check("--area", "toolchain").result("toolchain.goroot-matches")
    assert r["status"] == "fail"
    assert f'compile: version "go{OLD}" does not match go tool version "go{NEW}"' in r["summary"]


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
    assert f"go{NEW}" in r["summary"] and f"go{OLD}" in r["summary"] and "wins" in r["summary"]


def test_no_go_at_all(goenv: GoEnv) -> None:
    goenv.env["PATH"] = "/usr/bin:/bin"
    run = goenv.check()
    r = run.result("toolchain.go-on-path")
    assert r["status"] == "fail" and "no go on PATH" in r["summary"]
    assert run.result("toolchain.goroot-matches")["status"] == "skip"
    assert "no go command on PATH" in run.result("toolchain.goroot-matches")["summary"]
    assert run.returncode == 1
    assert "Traceback" not in run.stderr


def test_no_go_on_path_names_usual_install(goenv: GoEnv) -> None:
    sdk = goenv.home / "sdk" / "go1.27.3"
    sdk.parent.mkdir(parents=True)
    os.symlink(goenv.goroot, sdk)
    goenv.env["PATH"] = "/usr/bin:/bin"
    r = goenv.check("--area", "toolchain").result("toolchain.go-on-path")
    assert r["status"] == "fail" and str(sdk / "bin" / "go") in r["summary"]
    assert str(sdk / "bin") in r["fix"]


def _module(dirpath: Path, go_line: str, toolchain_line: str | None = None) -> Path:
    dirpath.mkdir(parents=True, exist_ok=True)
    text = f"module example.com/m\n\ngo {go_line}\n"
    if toolchain_line:
        text += f"\ntoolchain {toolchain_line}\n"
    (dirpath / "go.mod").write_text(text)
    return dirpath


def test_gomod_needs_newer_go_with_local(goenv: GoEnv) -> None:
    mod = _module(goenv.root / "m", "1.28.0")
    goenv.env["GOTOOLCHAIN"] = "local"
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "fail"
    assert "requires go >= 1.28.0 (running go 1.27.3; GOTOOLCHAIN=local)" in r["summary"]


def test_two_part_go_line_newer_than_local(tmp_path: Path) -> None:
    env = make_env(tmp_path, OLD)
    mod = _module(env.root / "m", "1.25")
    r = env.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "fail"
    assert "go 1.25" in r["summary"] and "go1.25" in r["summary"] and f"go{OLD}" in r["summary"]
    assert "1.25.0" in r["fix"]


def test_gomod_satisfied(goenv: GoEnv) -> None:
    mod = _module(goenv.root / "m", "1.22.0")
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "ok" and "go1.22.0" in r["summary"]


def test_auto_download_is_a_warning(goenv: GoEnv) -> None:
    mod = _module(goenv.root / "m", "1.28.0")
    r = goenv.check("--area", "toolchain", cwd=mod).result("toolchain.gotoolchain")
    assert r["status"] == "warn" and "downloads go1.28.0" in r["summary"]


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
    assert r["status"] == "ok" and "shim that runs go1.27.3" in r["summary"]
    assert run.result("toolchain.goroot-matches")["status"] == "ok"
    assert run.returncode == 0, run.stdout
