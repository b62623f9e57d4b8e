"""The verdicts the issue names, each against a real binary built here with a real toolchain."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import pytest

from gomedic.facts.cpu import parse_cpuinfo
from tests.binary.conftest import gomedic_binary
from tests.support.gobuild import corpus

pytestmark = pytest.mark.slow
HOST_FLAGS = parse_cpuinfo(Path("/proc/cpuinfo").read_text()).flags


def status(check_id: str, exe: Path, *args: str) -> str:
    run = gomedic_binary("--format", "json", *args, exe)
    assert run.returncode in (0, 1), run.stderr
    return str(run.result(check_id, exe)["status"])


def test_arm64_binary_fails_arch_on_this_amd64_host() -> None:
    exe = corpus("linux-arm64")
    run = gomedic_binary("--format", "json", exe)
    r = run.result("binary.arch", exe)
    assert r["status"] == "fail" and "exec format error" in r["summary"] and "GOARCH=amd64" in r["fix"]
    assert run.returncode == 1
    assert status("binary.arch", corpus("linux-amd64")) == "ok"


def test_cgo_binary_glibc_rhel8_fails_debian12_passes() -> None:
    exe = corpus("cgo-glibc")
    run = gomedic_binary("--format", "json", "--target", "rhel-8", exe)
    r = run.result("binary.glibc", exe)
    assert r["status"] == "fail" and "GLIBC_2.34" in r["summary"] and "2.28" in r["summary"]
    assert r["evidence"]["glibc_needed"] == "2.34"
    assert status("binary.glibc", exe, "--target", "debian-12") == "ok"
    assert status("binary.glibc", exe, "--target", "glibc=2.31") == "fail"  # host with an override


def test_goamd64_v4_fails_cpu_level_without_avx512() -> None:
    exe = corpus("amd64-v4")
    # Declared CPU without AVX-512 (an x86-64-v3 machine):
    r = gomedic_binary("--format", "json", "--target", "host,cpu=x86-64-v3", exe).result("binary.cpu-level", exe)
    assert r["status"] == "fail" and "v4 microarchitecture support" in r["summary"] and "GOAMD64=v3" in r["fix"]
    # A profile baseline only warns; an explicit level fails.
    assert status("binary.cpu-level", exe, "--target", "debian-12") == "warn"
    assert status("binary.cpu-level", exe, "--target", "rhel-8,cpu=x86-64-v3") == "fail"
    # This host's real CPU, read from /proc/cpuinfo:
    expected = "ok" if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= HOST_FLAGS else "fail"
    assert status("binary.cpu-level", exe) == expected


def test_goamd64_v4_against_a_captured_cpu_without_avx512(tmp_path: Path) -> None:
    """A host CPU without AVX-512 cannot exist on this machine: the host target reads a captured
    /proc/cpuinfo (of an i7-6700) through Options.subject.cpuinfo, as the CPU fact does on such a host."""
    from gomedic.checks.binary import evaluate
    from gomedic.facts import Facts, Options
    from gomedic.subject import Subject
    from tests.facts.test_cpu import SKYLAKE

    info = tmp_path / "cpuinfo"
    info.write_text(SKYLAKE)
    facts = Facts(Options(subject=Subject(cpuinfo=str(info))))
    results = {r.id: r for r in evaluate(str(corpus("amd64-v4")), facts=facts)}
    r = results["binary.cpu-level"]
    assert r.status.value == "fail" and "avx512f" in r.summary and r.evidence["target_cpu"] == "x86-64-v3"
    assert {r.id for r in results.values()} >= {"binary.arch", "binary.glibc", "binary.kernel"}


def test_cgo_disabled_pie_fails_interpreter_on_alpine() -> None:
    exe = corpus("pie-nocgo")
    r = gomedic_binary("--format", "json", "--target", "alpine-3.20", exe).result("binary.interpreter", exe)
    assert r["status"] == "fail" and "/lib64/ld-linux-x86-64.so.2" in r["summary"]
    assert "No such file or directory" in r["summary"] and "buildmode=pie" in r["fix"]
    assert status("binary.interpreter", corpus("linux-amd64"), "--target", "alpine-3.20") == "ok"
    assert status("binary.interpreter", exe, "--target", "debian-12") == "ok"


def test_musl_binary_fails_against_glibc_only_target() -> None:
    exe = corpus("cgo-musl")
    run = gomedic_binary("--format", "json", "--target", "debian-12", exe)
    assert run.result("binary.glibc", exe)["status"] == "fail"
    assert run.result("binary.interpreter", exe)["status"] == "fail"
    assert status("binary.glibc", exe, "--target", "alpine-3.20") == "ok"


def test_go124_binary_fails_kernel_31() -> None:
    exe = corpus("linux-amd64")  # go1.27.3
    r = gomedic_binary("--format", "json", "--target", "kernel=3.1", exe).result("binary.kernel", exe)
    assert r["status"] == "fail" and r["evidence"]["kernel_min"] == "3.2" and "3.1" in r["summary"]
    assert status("binary.kernel", corpus("go1.22"), "--target", "kernel=3.1") == "ok"  # 1.22 needs 2.6.32
    assert status("binary.kernel", exe, "--target", "rhel-7") == "ok"  # 3.10


def _root(tmp_path: Path, with_ca: bool) -> Path:
    root = tmp_path / ("root-ca" if with_ca else "root")
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/sh\n")
    (root / "usr" / "share" / "zoneinfo").mkdir(parents=True)
    shutil.copy("/usr/share/zoneinfo/UTC", root / "usr" / "share" / "zoneinfo" / "UTC")
    if with_ca:
        (root / "etc" / "ssl" / "certs").mkdir(parents=True)
        shutil.copy("/etc/ssl/certs/ca-certificates.crt", root / "etc" / "ssl" / "certs")
    return root


def test_static_binary_warns_runtime_files_in_root_without_ca(tmp_path: Path) -> None:
    exe = corpus("static-net")
    bare = _root(tmp_path, False)
    r = gomedic_binary("--format", "json", "--root", bare, exe).result("binary.runtime-files", exe)
    assert r["status"] == "warn" and "x509: certificate signed by unknown authority" in r["summary"]
    assert r["evidence"]["ca_bundle"] == "none" and r["evidence"]["links_known"] == "true"
    assert status("binary.runtime-files", exe, "--root", str(_root(tmp_path, True))) == "ok"
    # A program that never verifies certificates is not warned about (read from its pclntab):
    assert status("binary.runtime-files", corpus("linux-amd64"), "--root", str(bare)) == "ok"


def test_root_tar_like_docker_export(tmp_path: Path) -> None:
    """A `docker export`-style tar of a root with a glibc loader and libc: the cgo binary runs there,
    the musl one does not; the glibc version is read from the root's own libc.so.6."""
    root = _root(tmp_path, True)
    for src in ("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6"):
        dest = root / src.lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(Path(src).resolve(), dest)
    tar = tmp_path / "rootfs.tar"
    with tarfile.open(tar, "w") as t:
        t.add(root, arcname=".")
    run = gomedic_binary("--format", "json", "--root", tar, corpus("cgo-glibc"), corpus("cgo-musl"))
    assert run.result("binary.interpreter", corpus("cgo-glibc"))["status"] == "ok"
    assert run.result("binary.libs", corpus("cgo-glibc"))["status"] == "ok"
    assert run.result("binary.glibc", corpus("cgo-glibc"))["status"] == "ok"
    assert run.result("binary.interpreter", corpus("cgo-musl"))["status"] == "fail"
    import os

    assert run.report["context"]["target"]["libc"] == "glibc " + os.confstr("CS_GNU_LIBC_VERSION").split()[1]
