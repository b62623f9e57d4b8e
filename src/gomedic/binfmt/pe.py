"""PE32 and PE32+ headers and the section table (Windows executables).

Only the headers are read; section contents are read on demand by virtual address (ImageBase included).
"""

from __future__ import annotations

import struct

from gomedic.binfmt.source import Source
from gomedic.errors import FormatError
from gomedic.values import frozen

MAX_SECTIONS = 96  # the loader's own limit
MAX_OPTIONAL = 4096

MACHINES: dict[int, str] = {0x14C: "386", 0x8664: "amd64", 0x1C0: "arm", 0x1C4: "arm", 0xAA64: "arm64"}

SCN_CNT_INITIALIZED_DATA = 0x00000040
SCN_MEM_READ = 0x40000000
SCN_MEM_WRITE = 0x80000000
SCN_ALIGN_32BYTES = 0x00600000
SCN_ALIGN_MASK = 0x00F00000
DATA_RW = SCN_CNT_INITIALIZED_DATA | SCN_MEM_READ | SCN_MEM_WRITE

DLL_DYNAMIC_BASE, DLL_NX_COMPAT, DLL_HIGH_ENTROPY_VA = 0x40, 0x100, 0x20


@frozen
class Section:
    name: str
    virtual_size: int
    virtual_address: int
    raw_size: int
    raw_offset: int
    characteristics: int


@frozen
class PeFile:
    src: Source
    machine: int
    bits: int  # 32 (PE32) or 64 (PE32+)
    image_base: int
    os_version: str  # MajorOperatingSystemVersion.Minor
    subsystem_version: str
    subsystem: int
    dll_characteristics: int
    sections: tuple[Section, ...]

    @property
    def goarch(self) -> str:
        return MACHINES.get(self.machine, f"machine-{self.machine:#x}")

    def data_start(self) -> tuple[int, int]:
        """The first initialized read-write data section, as debug/buildinfo chooses it.

        Go masks only the 32-byte alignment bits; third-party linkers use other alignments (golang/go#53071),
        so a second pass masks the whole alignment field.
        """
        for mask in (SCN_ALIGN_32BYTES, SCN_ALIGN_MASK):
            for s in self.sections:
                if s.virtual_address and s.raw_size and s.characteristics & ~mask == DATA_RW:
                    return s.virtual_address + self.image_base, s.virtual_size
        return 0, 0

    def read_vaddr(self, addr: int, n: int) -> bytes:
        """Up to n bytes at a virtual address, to the end of the containing section's raw data."""
        rva = addr - self.image_base
        for s in self.sections:
            if s.raw_size and s.virtual_address <= rva < s.virtual_address + s.raw_size:
                n = min(n, s.virtual_address + s.raw_size - rva)
                return self.src.read(s.raw_offset + rva - s.virtual_address, n)
        raise FormatError(f"{self.src.name}: address {addr:#x} is not in any section")


def _u(fmt: str, data: bytes, off: int = 0) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data, off)
    except struct.error as e:
        raise FormatError(f"truncated PE structure: {e}") from None


def parse(src: Source) -> PeFile:
    dos = src.read(0, min(64, src.size))
    if dos[:2] != b"MZ" or len(dos) < 64:
        raise FormatError(f"{src.name}: not a PE file")
    (lfanew,) = _u("<I", dos, 0x3C)
    coff = src.read(lfanew, 24)
    if coff[:4] != b"PE\0\0":
        raise FormatError(f"{src.name}: no PE signature at offset {lfanew:#x}")
    machine, nsect, _ts, _sym, _nsym, optsize, _ch = _u("<HHIIIHH", coff, 4)
    if nsect > MAX_SECTIONS or optsize > MAX_OPTIONAL:
        raise FormatError(f"{src.name}: bad PE header ({nsect} sections, optional header {optsize} bytes)")
    opt = src.read(lfanew + 24, optsize) if optsize else b""
    if len(opt) < 72:
        raise FormatError(f"{src.name}: PE optional header too short ({len(opt)} bytes)")
    (magic,) = _u("<H", opt)
    if magic == 0x10B:
        bits, (image_base,) = 32, _u("<I", opt, 28)
    elif magic == 0x20B:
        bits, (image_base,) = 64, _u("<Q", opt, 24)
    else:
        raise FormatError(f"{src.name}: unknown PE optional header magic {magic:#x}")
    os_major, os_minor = _u("<HH", opt, 40)
    ss_major, ss_minor = _u("<HH", opt, 48)
    subsystem, dllch = _u("<HH", opt, 68)
    table = src.read(lfanew + 24 + optsize, 40 * nsect)
    sections = []
    for i in range(nsect):
        o = i * 40
        name = table[o : o + 8].split(b"\0", 1)[0].decode("utf-8", "replace")
        vsize, vaddr, rsize, roff, _rel, _ln, _nrel, _nln, ch = _u("<IIIIIIHHI", table, o + 8)
        sections.append(Section(name, vsize, vaddr, rsize, roff, ch))
    return PeFile(
        src, machine, bits, image_base, f"{os_major}.{os_minor}", f"{ss_major}.{ss_minor}", subsystem, dllch,
        tuple(sections),
    )
