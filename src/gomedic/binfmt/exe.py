"""Open an executable of any supported format behind one small interface (sniff, data start, vaddr reads)."""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

from gomedic.binfmt import elf
from gomedic.binfmt.source import Source
from gomedic.errors import FormatError
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:  # Mach-O and PE readers load only when such a file shows up (start-up time)
    from gomedic.binfmt import macho, pe

# Mach-O thin (both byte orders, 32/64-bit) and fat magics, as in macho.py.
_MACHO_MAGICS = (b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                 b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf")


class Format(str, Enum):
    ELF = "elf"
    MACHO = "macho"
    PE = "pe"


class UnrecognizedFormat(FormatError):
    """Not ELF, Mach-O or PE: `unrecognized file format`, as debug/buildinfo says."""


def sniff(head: bytes) -> Format | None:
    if head[:4] == elf.ELF_MAGIC:
        return Format.ELF
    if head[:2] == b"MZ":
        return Format.PE
    if head[:4] in _MACHO_MAGICS:
        return Format.MACHO
    return None


@frozen
class Exe:
    format: Format
    file: elf.ElfFile | macho.MachoFile | pe.PeFile

    @property
    def goos(self) -> str:
        """The OS family the container format implies (ELF may also be a BSD: build info says which)."""
        return {Format.ELF: "linux", Format.MACHO: "darwin", Format.PE: "windows"}[self.format]

    @property
    def goarch(self) -> str:
        return self.file.goarch

    @property
    def bits(self) -> int:
        return self.file.bits

    def data_start(self) -> tuple[int, int]:
        """(vaddr, size) of where Go's linker puts the build info blob."""
        f = self.file
        if isinstance(f, elf.ElfFile):
            s = f.section(".go.buildinfo")
            if s is not None:
                return s.addr, s.size
            # No section headers (sstrip'd): the first writable, non-executable segment holds it first.
            for p in f.progs:
                if p.type == elf.PT_LOAD and p.flags & (elf.PF_X | elf.PF_W) == elf.PF_W:
                    return p.vaddr, p.memsz
            return 0, 0
        if self.format is Format.MACHO:
            assert not isinstance(f, elf.ElfFile)
            ms = f.section("__go_buildinfo")  # type: ignore[union-attr]
            if ms is not None:
                return ms.addr, ms.size
            for seg in f.segments:  # type: ignore[union-attr]
                if seg.addr and seg.filesz and seg.prot == seg.maxprot == 3:
                    return seg.addr, seg.memsz
            return 0, 0
        return f.data_start()  # type: ignore[union-attr]

    def read(self, addr: int, n: int) -> bytes:
        return self.file.read_vaddr(addr, n)


def open_exe(src: Source, buildinfo_only: bool = False, sections: Collection[str] | None = None) -> Exe:
    """The executable in src. With buildinfo_only, an ELF file's sections are left out but the one that
    holds the build info (`go version -m` reads nothing else: see elf.parse); with `sections`, all but
    those named."""
    head = src.read(0, min(16, src.size))
    fmt = sniff(head)
    if fmt is None or len(head) < 16:
        raise UnrecognizedFormat(f"{src.name}: unrecognized file format")
    try:
        if fmt is Format.ELF:
            return Exe(fmt, elf.parse(src, (".go.buildinfo",) if buildinfo_only else sections))
        if fmt is Format.MACHO:
            from gomedic.binfmt import macho

            return Exe(fmt, macho.parse(src))
        from gomedic.binfmt import pe

        return Exe(fmt, pe.parse(src))
    except FormatError as e:
        raise UnrecognizedFormat(str(e)) from None
