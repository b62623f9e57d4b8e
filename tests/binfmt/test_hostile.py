"""Hostile input: truncated, mutated and oversized executables give clear results, never a crash or a hang.

Property tests mutate real binaries of every container shape (ELF 64 LE, ELF 64 BE, ELF 32, Mach-O,
PE32, PE32+) and check that the readers either succeed or raise FormatError (inspect: return `error`).
"""

from __future__ import annotations

import tracemalloc
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.binfmt import buildinfo, gosyms
from gomedic.binfmt.inspect import Inspection, inspect, inspect_source
from gomedic.binfmt.source import BytesSource
from gomedic.errors import FormatError
from tests.support.gobuild import corpus

SHAPES = ["linux-amd64", "linux-s390x", "linux-arm", "darwin-arm64", "windows-386", "windows-amd64", "cgo-glibc"]
HEAD = 16 << 10  # mutations land where the headers and tables are


@cache
def blob(name: str) -> bytes:
    return corpus(name).read_bytes()


def _all_readers(data: bytes) -> Inspection:
    src = BytesSource(data, "mutant")
    ins = inspect_source(src)
    assert isinstance(ins, Inspection)
    assert (ins.error is None) or (ins.error and ins.format is None)
    try:
        buildinfo.read(src)
    except FormatError:
        pass
    try:
        gosyms.functions_with_prefixes(src, ["crypto/x509.", "os/user."])
    except FormatError:
        pass
    return ins


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(SHAPES), cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncated(name: str, cut: float) -> None:
    data = blob(name)
    _all_readers(data[: int(len(data) * cut)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(SHAPES),
       edits=st.lists(st.tuples(st.integers(0, HEAD - 1), st.integers(0, 255)), min_size=1, max_size=12))
def test_mutated_headers(name: str, edits: list[tuple[int, int]]) -> None:
    data = bytearray(blob(name))
    for off, val in edits:
        data[off % len(data)] = val
    _all_readers(bytes(data))


@settings(max_examples=80, deadline=None)
@given(name=st.sampled_from(SHAPES), off=st.integers(0, 1 << 22), word=st.sampled_from(
    [b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f", b"\x00\x00\x00\x80", b"\xff" * 8, b"\x00" * 8]))
def test_huge_fields(name: str, off: int, word: bytes) -> None:
    """Sizes and counts set to 2^31, 2^32-1 or 2^64-1 anywhere in the first 4 MiB: bounded memory."""
    data = bytearray(blob(name))
    off %= max(1, len(data) - len(word))
    data[off : off + len(word)] = word
    tracemalloc.start()
    try:
        _all_readers(bytes(data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 << 20


@given(data=st.binary(max_size=512))
@settings(max_examples=200, deadline=None)
def test_random_bytes(data: bytes) -> None:
    for prefix in (b"", b"\x7fELF\x02\x01\x01", b"MZ", b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        _all_readers(prefix + data)


def test_build_info_blob_bigger_than_64k() -> None:
    """A build info larger than 64 KiB (here a 70 kB -ldflags setting) is read whole: no 64 KiB cap."""
    from tests.support.gobuild import HELLO, build

    pad = "x" * 70_000
    exe = build(HELLO + "\nvar pad string\n", flags=[f"-ldflags=-X main.pad={pad}"], name="bigbuildinfo")
    bi = buildinfo.read_file(exe)
    assert len(bi.modinfo) > 70_000
    assert bi.setting("-ldflags") == f"-X main.pad={pad}"
    assert bi.setting("GOOS") == "linux"  # settings after the long one are there too


@pytest.mark.parametrize("text", ["", "#!/bin/sh\necho hi\n", "<html>404</html>"])
def test_not_executables(tmp_path, text: str) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "f"
    p.write_text(text)
    ins = inspect(p)
    assert ins.error and "unrecognized file format" in ins.error
    assert inspect(tmp_path / "missing").error


def test_magic_elsewhere_is_not_trusted() -> None:
    """The go command holds the magic twice (its debug/buildinfo constant sits in .noptrdata, aligned):
    only the .go.buildinfo section counts, so the version is the real one."""
    from tests.support.toolchains import go

    exe = go()
    data = exe.read_bytes()
    assert data.count(buildinfo.MAGIC) >= 2
    assert buildinfo.read_file(exe).go_version == "go1.27.3"


NOBI_SHAPES = ["linux-amd64", "linux-s390x", "linux-arm", "darwin-arm64", "windows-amd64", "freebsd-amd64",
               "openbsd-amd64", "solaris-amd64"]


@cache
def without_buildinfo(name: str) -> bytes:
    """The binary with its build-info magic wiped: the Go-runtime and OS readers (goruntime, elfos) run."""
    return blob(name).replace(b"\xff Go buildinf:", b"\0" * 14)


@pytest.mark.parametrize("name", NOBI_SHAPES)
def test_without_buildinfo_the_runtime_is_still_found(name: str) -> None:
    ins = _all_readers(without_buildinfo(name))
    assert ins.buildinfo is None and ins.go_runtime is not None and ins.go_version, ins
    assert ins.goos == name.split("-")[0]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(NOBI_SHAPES), edits=st.lists(
    st.tuples(st.floats(0.0, 1.0, exclude_max=True), st.sampled_from([b"go1.", b"\xff" * 8, b"\x00" * 8, b"go1.99.1"])),
    min_size=1, max_size=16))
def test_mutated_binaries_without_buildinfo(name: str, edits: list[tuple[float, bytes]]) -> None:
    """Version strings, pointers and sizes planted anywhere: a result (maybe no version), bounded memory."""
    data = bytearray(without_buildinfo(name))
    for where, word in edits:
        off = int(where * (len(data) - len(word)))
        data[off : off + len(word)] = word
    tracemalloc.start()
    try:
        ins = _all_readers(bytes(data))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 << 20
    assert ins.go_version is None or ins.go_version.startswith("go1.")
