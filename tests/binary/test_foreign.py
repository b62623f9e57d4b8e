"""Other OSes' ELF files, Go binaries without build info, linker scripts, Mach-O/PE against Linux (issue 13.6).

The BSD and Solaris binaries are built here by a real toolchain, then their `.go.buildinfo` is removed with
objcopy (as some release pipelines do), so only the ELF itself says which OS it is for. Each verdict is
checked against what really happens when the binary is run here as nobody.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.binary.conftest import gomedic_binary
from tests.support.gobuild import corpus
from tests.support.runas import available, run_as_nobody
from tests.support.toolchains import NEWEST

pytestmark = pytest.mark.slow
FOREIGN = {"freebsd": "its ABI note", "netbsd": "its ABI note", "openbsd": "its ABI note",
           "solaris": "its interpreter /lib/amd64/ld.so.1"}


@pytest.fixture
def public_dir() -> Iterator[Path]:
    """A directory nobody can read (pytest's tmp_path is under a 0700 directory)."""
    d = Path(tempfile.mkdtemp(prefix="gomedic-binary."))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def without_buildinfo(exe: Path, tmp: Path) -> Path:
    out = tmp / exe.name
    subprocess.run(["objcopy", "--remove-section", ".go.buildinfo", str(exe), str(out)], check=True, timeout=120)
    out.chmod(0o755)
    return out


@pytest.mark.parametrize("goos", sorted(FOREIGN))
def test_foreign_elf_without_buildinfo_is_named_and_its_verdict_is_what_happens(goos: str, public_dir: Path) -> None:
    exe = without_buildinfo(corpus(f"{goos}-amd64"), public_dir)
    run = gomedic_binary("--format", "json", exe)
    fmt = run.result("binary.format", exe)
    assert fmt["status"] == "warn" and "Go binary without build info" in fmt["summary"], fmt
    assert fmt["evidence"]["go_version"] == f"go{NEWEST}" and fmt["evidence"]["format"].startswith(goos)
    assert fmt["evidence"]["os_evidence"] == FOREIGN[goos]
    arch = run.result("binary.arch", exe)
    assert arch["status"] == "fail" and "exec format error`" not in arch["summary"].split("not fail with")[0]
    for cid in ("binary.libs", "binary.glibc", "binary.kernel", "binary.cpu-level", "binary.runtime-files"):
        r = run.result(cid, exe)
        assert r["status"] == "skip" and r["summary"].startswith(f"not applicable: {exe} is a"), (cid, r)
    if (why := available()) is not None:
        pytest.skip(why)
    ran = run_as_nobody(exe, "--version")
    assert not ran.started, ran
    if "No such file or directory" in arch["summary"]:  # dynamic: the interpreter is missing
        assert ran.returncode == 127 and "No such file or directory" in ran.stderr, ran
    else:  # static: Linux starts it and its first system call kills it
        assert "crashes at start" in arch["summary"] and ran.signal in ("SIGSEGV", "SIGSYS", "SIGILL"), ran


def test_linux_go_binary_without_buildinfo_recovers_the_release(public_dir: Path) -> None:
    exe = without_buildinfo(corpus("linux-amd64"), public_dir)
    run = gomedic_binary("--format", "json", exe)
    fmt = run.result("binary.format", exe)
    assert "without build info (.gopclntab section; built with go" + NEWEST in fmt["summary"], fmt
    assert run.result("binary.arch", exe)["status"] == "ok"
    assert run.result("binary.kernel", exe)["evidence"]["because"].startswith("Go 1.")
    # a scan of a directory keeps it (it is a Go binary), where `go version -m` passes over it
    scan = gomedic_binary("--format", "json", "-r", public_dir)
    assert scan.result("binary.format", exe)["status"] == "warn"
    if (why := available()) is not None:
        pytest.skip(why)
    assert run_as_nobody(exe).started


def test_stripped_c_program_is_not_taken_for_go(tmp_path: Path) -> None:
    run = gomedic_binary("--format", "json", "/usr/bin/ls")
    fmt = run.result("binary.format", "/usr/bin/ls")
    assert fmt["status"] == "warn" and "not a Go binary" in fmt["summary"] and "linux ELF" in fmt["summary"]


def test_a_linker_script_is_not_called_another_architecture(tmp_path: Path) -> None:
    """A musl cgo binary needs `libc.so`; in a root where that name is a GNU ld script (libc6-dev's libc.so
    is `GROUP ( ... )` text), ld.so passes over it: it is missing, but not "for another architecture"."""
    exe = corpus("cgo-musl")
    script = Path("/usr/lib/x86_64-linux-gnu/libc.so")
    if not script.exists():
        pytest.skip("libc6-dev's /usr/lib/x86_64-linux-gnu/libc.so is not installed")
    assert script.read_bytes().lstrip().startswith((b"/*", b"GROUP"))
    root = tmp_path / "root"
    for d in ("lib", "usr/lib", "etc"):
        (root / d).mkdir(parents=True)
    (root / "usr/lib/libc.so").write_bytes(script.read_bytes())
    (root / "lib/ld-musl-x86_64.so.1").write_bytes(Path("/lib/ld-musl-x86_64.so.1").read_bytes())
    r = gomedic_binary("--format", "json", "--root", root, exe).result("binary.libs", exe)
    assert r["status"] == "fail" and "another architecture" not in r["summary"], r
    assert "/usr/lib/libc.so is a linker script" in r["summary"], r


@pytest.mark.parametrize("name", ["darwin-arm64", "windows-amd64"])
def test_macho_and_pe_checks_are_not_applicable_on_linux_the_same_way(name: str) -> None:
    exe = corpus(name)
    run = gomedic_binary("--format", "json", exe)
    kind = "Mach-O" if name.startswith("darwin") else "PE"
    goos = name.split("-")[0]
    for cid in ("binary.interpreter", "binary.libs", "binary.glibc", "binary.kernel", "binary.cpu-level",
                "binary.runtime-files"):
        r = run.result(cid, exe)
        assert r["status"] == "skip", (cid, r)
        assert re.fullmatch(rf"not applicable: {re.escape(str(exe))} is a {goos} binary \({kind}\) and this host "
                            r"runs linux; binary.arch says whether it runs there", r["summary"]), (cid, r)
    assert run.result("binary.arch", exe)["status"] == "fail"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    run = gomedic_binary("--format", "json", fifo)  # would hang in open() without O_NONBLOCK
    assert run.returncode == 2 and run.stdout == "", run.stdout  # a usage error before anything runs
    assert run.stderr.strip() == f"gomedic: error: {fifo}: a FIFO (named pipe), not a binary file"
    scan = gomedic_binary("--buildinfo", "-r", tmp_path)  # a directory scan passes over it, as go does
    assert scan.returncode == 0 and scan.stdout == ""
