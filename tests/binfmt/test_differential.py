"""Differential tests: gomedic's readers against `go version -m` and `readelf`, on real binaries.

The corpus (tests/support/gobuild.py CORPUS) is built here with real toolchains: seven Linux
architectures, Windows and macOS, static, cgo with glibc and with musl, PIE with and without cgo,
-trimpath, -s -w, GOAMD64=v3/v4, external linking, two older releases; plus every executable of the
test toolchains' bin/ and pkg/tool/.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gomedic.binfmt import buildinfo
from gomedic.binfmt.inspect import inspect
from tests.support.gobuild import CORPUS, corpus, go_env, toolchain_executables
from tests.support.toolchains import NEWEST, VERSIONS, go

pytestmark = pytest.mark.slow
SRC = str(Path(__file__).resolve().parents[2] / "src")
ELF_CORPUS = [n for n in CORPUS if not n.startswith(("windows", "darwin"))]


def go_version_m(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(go(NEWEST)), "version", "-m", *args], env=go_env(NEWEST), capture_output=True,
                          timeout=300)


def gomedic(*args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run([sys.executable, "-m", "gomedic", *args], env=env, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every corpus binary (symlinked) plus two non-Go files that a directory scan must pass over."""
    d = tmp_path_factory.mktemp("corpus")
    for n in CORPUS:
        (d / n).symlink_to(corpus(n))
    (d / "notes.txt").write_text("not a binary\n")
    (d / "sub").mkdir()
    (d / "sub" / "ls").symlink_to("/usr/bin/ls")
    return d


@pytest.mark.parametrize("name", list(CORPUS))
def test_format_m_equals_go_version_m(name: str) -> None:
    exe = str(corpus(name))
    expected = go_version_m(exe)
    assert expected.returncode == 0, expected.stderr
    assert buildinfo.format_m(exe, buildinfo.read_file(exe)).encode() == expected.stdout
    as_json = go_version_m("-json", exe).stdout.decode()
    assert buildinfo.go_json(buildinfo.read_file(exe)) == as_json


def test_buildinfo_command_equals_go_version_m_on_a_directory(corpus_dir: Path) -> None:
    expected = go_version_m(str(corpus_dir))
    got = gomedic("binary", "--buildinfo", "-r", str(corpus_dir))
    assert got.returncode == expected.returncode == 0, got.stderr
    assert got.stdout == expected.stdout
    assert got.stdout.count(b": go1.") == len(CORPUS)


@pytest.mark.parametrize("version", VERSIONS)
def test_buildinfo_command_equals_go_version_m_on_toolchains(version: str) -> None:
    exes = [str(p) for p in toolchain_executables([version])]
    assert len(exes) >= 5
    expected = go_version_m(*exes)
    got = gomedic("binary", "--buildinfo", *exes)
    assert got.returncode == expected.returncode == 0, got.stderr
    assert got.stdout == expected.stdout


def test_buildinfo_json_and_errors_match_go(corpus_dir: Path) -> None:
    named = [str(corpus_dir / "cgo-glibc"), str(corpus_dir / "darwin-arm64")]
    assert gomedic("binary", "--buildinfo", "--format", "json", *named).stdout == go_version_m("-json", *named).stdout
    # A non-Go file named explicitly: go exits 1 and prints nothing on stdout; so does gomedic.
    got = gomedic("binary", "--buildinfo", "/usr/bin/ls")
    assert got.returncode == go_version_m("/usr/bin/ls").returncode == 1
    assert got.stdout == b"" and b"not a Go executable" in got.stderr


def _readelf(args: list[str], path: str) -> str:
    return subprocess.run(["readelf", *args, path], capture_output=True, text=True, timeout=60).stdout


TOOLCHAIN_EXES = [str(p) for p in toolchain_executables(VERSIONS)]


@pytest.mark.parametrize("exe", [*ELF_CORPUS, *TOOLCHAIN_EXES])
def test_loader_facts_equal_readelf(exe: str) -> None:
    exe = exe if exe.startswith("/") else str(corpus(exe))
    ins = inspect(exe)
    assert ins.elf is not None and ins.error is None
    dyn = ins.elf.dynamic
    needed = tuple(re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", _readelf(["-dW"], exe)))
    interp = re.search(r"Requesting program interpreter: (.*)\]", _readelf(["-lW"], exe))
    glibc = sorted(set(re.findall(r"Name: (GLIBC_[0-9.]+)", _readelf(["-VW"], exe))))
    assert dyn.needed == needed
    assert dyn.interpreter == (interp.group(1) if interp else None)
    assert sorted(dyn.glibc_versions) == glibc
    assert ins.goarch == ins.setting("GOARCH")


def test_corpus_has_the_shapes_the_issue_asks_for() -> None:
    """The loader facts that make the corpus meaningful (not just 23 copies of one binary)."""
    cgo, musl, pie = inspect(corpus("cgo-glibc")), inspect(corpus("cgo-musl")), inspect(corpus("pie-nocgo"))
    assert cgo.elf and cgo.elf.dynamic.needed == ("libc.so.6",) and cgo.elf.dynamic.glibc_required
    assert musl.elf and musl.elf.dynamic.interpreter == "/lib/ld-musl-x86_64.so.1"
    assert pie.elf and pie.elf.hardening.pie and pie.elf.dynamic.needed == () and pie.elf.dynamic.interpreter
    assert inspect(corpus("stripped")).elf.hardening.stripped  # type: ignore[union-attr]
    assert inspect(corpus("amd64-v4")).setting("GOAMD64") == "v4"
    assert inspect(corpus("linux-s390x")).elf.big_endian  # type: ignore[union-attr]
    assert inspect(corpus("linux-arm")).bits == 32


@pytest.mark.parametrize("path", ["/usr/bin/ls", "/bin/sh", "/usr/bin/readelf"])
def test_system_binaries_equal_readelf(path: str) -> None:
    """Non-Go, distribution-built (PIE, full RELRO, many NEEDED) ELF files read the same as readelf reads them."""
    ins = inspect(path)
    assert ins.elf is not None and not ins.is_go
    needed = tuple(re.findall(r"\(NEEDED\)\s+Shared library: \[(.*)\]", _readelf(["-dW"], path)))
    glibc = sorted(set(re.findall(r"Name: (GLIBC_[0-9.]+)", _readelf(["-VW"], path))))
    assert ins.elf.dynamic.needed == needed
    assert sorted(ins.elf.dynamic.glibc_versions) == glibc
