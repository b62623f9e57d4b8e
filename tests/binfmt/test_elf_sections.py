"""elf.parse with `only`: the same section records as a full parse, filtered by name, on real binaries."""

from __future__ import annotations

from gomedic.binfmt import elf
from gomedic.binfmt.inspect import SECTIONS
from gomedic.binfmt.source import BytesSource, FileSource
from tests.support.toolchains import NEWEST, toolchain


def test_only_gives_what_a_full_parse_gives_for_those_names() -> None:
    tools = toolchain(NEWEST) / "pkg" / "tool"
    paths = [str(p) for p in tools.rglob("*") if p.is_file()][:12]
    assert len(paths) >= 5
    for p in paths:
        with FileSource(p) as src:
            full = elf.parse(src)
            assert full.section_count == len(full.sections) > 0
            assert elf.parse(src, ".shstrtab").sections == elf.parse(src, (".shstrtab",)).sections != ()
            for names in (SECTIONS, (".go.buildinfo",), (".shstrtab", ".nosuch")):
                part = elf.parse(src, names)
                assert part.sections == tuple(s for s in full.sections if s.name in names), (p, names)
                assert part.section_count == full.section_count and part.progs == full.progs


def test_only_finds_a_name_that_shares_its_bytes_with_another() -> None:
    """Linkers merge suffixes: `.data` may start inside `.rela.data`'s string. Both are found."""
    names = b"\0.shstrtab\0.rela.data\0"
    data_at = names.index(b".data")
    shoff = 64 + len(names)
    table = b"".join(_shdr(n, t, o, sz) for n, t, o, sz in [
        (0, 0, 0, 0), (1, 3, 64, len(names)), (names.index(b".rela.data"), 1, 0, 0), (data_at, 1, 0, 0)])
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    hdr = ident + _u16(2) + _u16(62) + (1).to_bytes(4, "little") + bytes(8) + bytes(8) + shoff.to_bytes(8, "little")
    hdr += bytes(4) + _u16(64) + _u16(56) + _u16(0) + _u16(64) + _u16(4) + _u16(1)
    f = elf.parse(BytesSource(hdr + names + table), (".data", ".rela.data"))
    assert [s.name for s in f.sections] == [".rela.data", ".data"]
    assert f.section_count == 4


def _u16(v: int) -> bytes:
    return v.to_bytes(2, "little")


def _shdr(name: int, typ: int, off: int, size: int) -> bytes:
    return (name.to_bytes(4, "little") + typ.to_bytes(4, "little") + bytes(8) + bytes(8) + off.to_bytes(8, "little")
            + size.to_bytes(8, "little") + bytes(4) + bytes(4) + bytes(8) + bytes(8))
