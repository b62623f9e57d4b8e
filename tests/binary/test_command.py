"""`gomedic binary` and `gomedic targets` as users run them: files, directories, formats, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.binary.conftest import SRC, gomedic_binary
from tests.support.gobuild import corpus

pytestmark = pytest.mark.slow
BINARY_CHECKS = {"binary.format", "binary.arch", "binary.interpreter", "binary.libs", "binary.glibc",
                 "binary.cpu-level", "binary.kernel", "binary.go-release", "binary.runtime-files", "binary.hardening",
                 "binary.codesign"}


def test_one_result_per_check_and_binary() -> None:
    exes = [corpus("linux-amd64"), corpus("cgo-glibc"), corpus("darwin-arm64"), corpus("windows-amd64")]
    run = gomedic_binary("--format", "json", *exes)
    results = run.report["results"]
    assert {r["id"] for r in results} == BINARY_CHECKS
    for exe in exes:
        assert sorted(r["id"] for r in results if r["subject"] == str(exe)) == sorted(BINARY_CHECKS)
    assert run.result("binary.arch", corpus("darwin-arm64"))["status"] == "fail"
    assert run.result("binary.interpreter", corpus("windows-amd64"))["status"] == "skip"
    assert run.report["context"]["target"]["name"] == "host"
    assert run.returncode == 1


def test_directory_needs_r_and_skips_non_go_quietly(tmp_path: Path) -> None:
    (tmp_path / "app").symlink_to(corpus("linux-amd64"))
    (tmp_path / "README").write_text("hello\n")
    (tmp_path / "ls").symlink_to("/usr/bin/ls")
    assert gomedic_binary(tmp_path).returncode == 2
    run = gomedic_binary("--format", "json", "-r", tmp_path)
    assert {r["subject"] for r in run.report["results"]} == {str(tmp_path / "app")}
    # Named explicitly, a non-Go executable is reported (warn), and garbage fails binary.format.
    run = gomedic_binary("--format", "json", "/usr/bin/ls", tmp_path / "README")
    assert run.result("binary.format", "/usr/bin/ls")["status"] == "warn"
    assert run.result("binary.format", tmp_path / "README")["status"] == "fail"
    assert run.result("binary.arch", tmp_path / "README")["status"] == "skip"


def test_bad_target_is_a_usage_error() -> None:
    for spec in ("nosuch-os", "debian-12,cpu=v9", "rhel-8,arch=riscv64", "glibc=abc"):
        run = gomedic_binary("--target", spec, corpus("linux-amd64"))
        assert run.returncode == 2 and "gomedic: error" in run.stderr, (spec, run.stderr)


def test_text_output_and_explain() -> None:
    run = gomedic_binary("--target", "rhel-8", corpus("cgo-glibc"))
    assert run.returncode == 1 and "binary.glibc" in run.stdout and "GLIBC_2.34" in run.stdout
    env = {**os.environ, "PYTHONPATH": SRC}
    for cid in BINARY_CHECKS:
        p = subprocess.run([sys.executable, "-m", "gomedic", "explain", cid], env=env, capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0 and "Fix" in p.stdout, cid


def test_targets_lists_the_profiles() -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    p = subprocess.run([sys.executable, "-m", "gomedic", "targets", "--format", "json"], env=env,
                       capture_output=True, text=True, timeout=60)
    names = {t["name"] for t in json.loads(p.stdout)["targets"]}
    want = {f"debian-{n}" for n in (10, 11, 12, 13)} | {f"ubuntu-{v}" for v in ("18.04", "20.04", "22.04", "24.04")}
    want |= {f"rhel-{n}" for n in (7, 8, 9, 10)} | {"amazonlinux-2", "amazonlinux-2023", "distroless-static",
                                                     "distroless-base", "scratch"}
    want |= {f"alpine-3.{n}" for n in (18, 19, 20, 21)}
    want |= {f"macos-{v}-{a}" for v in (11, 12, 13, 14, 15) for a in ("arm64", "amd64")}
    assert want <= names
    text = subprocess.run([sys.executable, "-m", "gomedic", "targets"], env=env, capture_output=True, text=True,
                          timeout=60).stdout
    assert "rhel-8" in text and "glibc 2.28" in text


def test_evaluate_api_with_a_seeded_target() -> None:
    """What the service checks call for a unit's ExecStart: every binary.* result for one path."""
    from gomedic.checks.binary import evaluate
    from gomedic.facts import Facts
    from gomedic.facts.host import HOST
    from gomedic.targets.resolve import resolve

    host = Facts().get(HOST)
    rhel8 = resolve("rhel-8", None, host, None, None, {})
    results = {r.id: r for r in evaluate(str(corpus("cgo-glibc")), rhel8)}
    assert set(results) == BINARY_CHECKS
    assert results["binary.glibc"].status.value == "fail" and results["binary.glibc"].subject == str(
        corpus("cgo-glibc")
    )
    assert results["binary.arch"].status.value == "ok"
