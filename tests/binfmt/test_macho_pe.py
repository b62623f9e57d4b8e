"""Mach-O (thin and fat) and PE32/PE32+ readers on real cross-built Go binaries."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from gomedic.binfmt import buildinfo, macho, pe
from gomedic.binfmt.inspect import inspect
from gomedic.binfmt.source import FileSource
from tests.support.gobuild import corpus

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("name", "arch", "bits"), [("darwin-amd64", "amd64", 64), ("darwin-arm64", "arm64", 64)])
def test_macho(name: str, arch: str, bits: int) -> None:
    ins = inspect(corpus(name))
    assert ins.macho is not None and ins.goarch == arch and ins.bits == bits and ins.goos == "darwin"
    assert ins.macho.uuid and len(ins.macho.uuid) == 32  # Go >= 1.24 writes LC_UUID by default
    assert ins.macho.minos and int(ins.macho.minos.split(".")[0]) >= 11
    assert "/usr/lib/libSystem.B.dylib" in ins.macho.dylibs


@pytest.mark.parametrize(("name", "arch", "bits"), [("windows-amd64", "amd64", 64), ("windows-386", "386", 32)])
def test_pe(name: str, arch: str, bits: int) -> None:
    with FileSource(corpus(name)) as src:
        f = pe.parse(src)
        assert f.goarch == arch and f.bits == bits
        assert any(s.name == ".data" for s in f.sections)
    assert inspect(corpus(name)).setting("GOOS") == "windows"


def _fat(tmp: Path, members: list[Path]) -> Path:
    """A universal binary as lipo writes it: big-endian fat header, members aligned to 2^14."""
    out = bytearray(struct.pack(">II", 0xCAFEBABE, len(members)))
    blobs = [m.read_bytes() for m in members]
    offset = 1 << 14
    table = bytearray()
    for b in blobs:
        cputype, sub = struct.unpack_from("<II", b, 4)
        table += struct.pack(">IIIII", cputype, sub, offset, len(b), 14)
        offset = (offset + len(b) + (1 << 14) - 1) & ~((1 << 14) - 1)
    out += table
    for b in blobs:
        out += b"\0" * (((len(out) + (1 << 14) - 1) & ~((1 << 14) - 1)) - len(out))
        out += b
    p = tmp / "universal"
    p.write_bytes(bytes(out))
    return p


def test_fat_reads_first_arch_like_go(tmp_path: Path) -> None:
    fat = _fat(tmp_path, [corpus("darwin-arm64"), corpus("darwin-amd64")])
    with FileSource(fat) as src:
        f = macho.parse(src)
        assert f.arches == ("arm64", "amd64") and f.goarch == "arm64"
        assert buildinfo.read(src).setting("GOARCH") == "arm64"
