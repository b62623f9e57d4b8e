"""ELF headers, section headers and program headers (32/64-bit, both byte orders).

Only the tables are read; section contents are read on demand through `read_section` / `read_vaddr`.
"""

from __future__ import annotations

import struct
from collections.abc import Collection

from gomedic.binfmt.source import Source
from gomedic.errors import FormatError
from gomedic.values import frozen

ELF_MAGIC = b"\x7fELF"
MAX_TABLE = 65535  # e_shnum/e_phnum are 16-bit; a bigger count is corruption

PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PT_GNU_EH_FRAME, PT_GNU_STACK, PT_GNU_RELRO, PT_GNU_PROPERTY = 0x6474E550, 0x6474E551, 0x6474E552, 0x6474E553
PF_X, PF_W, PF_R = 1, 2, 4
ET_EXEC, ET_DYN = 2, 3

# e_machine -> (GOARCH, bits). Used for arch checks and for naming what a binary is.
MACHINES: dict[int, str] = {
    3: "386",
    8: "mips",
    20: "ppc",
    21: "ppc64",
    22: "s390x",
    40: "arm",
    62: "amd64",
    183: "arm64",
    243: "riscv64",
    258: "loong64",
}


@frozen
class Section:
    name: str
    type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int
    entsize: int


@frozen
class Prog:
    type: int
    flags: int
    offset: int
    vaddr: int
    filesz: int
    memsz: int


@frozen
class ElfFile:
    src: Source
    bits: int  # 32 or 64
    big_endian: bool
    osabi: int
    type: int
    machine: int
    flags: int
    entry: int
    sections: tuple[Section, ...]
    progs: tuple[Prog, ...]
    section_count: int = 0  # section headers in the file (`sections` may hold only those asked for)

    @property
    def endian(self) -> str:
        return ">" if self.big_endian else "<"

    @property
    def goarch(self) -> str:
        arch = MACHINES.get(self.machine, f"machine-{self.machine}")
        if arch == "ppc64" and not self.big_endian:
            return "ppc64le"
        if arch == "mips":
            return ("mips64" if self.bits == 64 else "mips") + ("" if self.big_endian else "le")
        return arch

    def section(self, name: str) -> Section | None:
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def read_section(self, s: Section, limit: int | None = None) -> bytes:
        if s.type == 8:  # SHT_NOBITS
            return b""
        return self.src.read(s.offset, s.size if limit is None else min(limit, s.size))

    def prog_for(self, addr: int) -> Prog | None:
        for p in self.progs:
            if p.type == PT_LOAD and p.vaddr <= addr < p.vaddr + p.filesz:
                return p
        return None

    def read_vaddr(self, addr: int, n: int) -> bytes:
        """Up to n bytes at a virtual address, stopping at the end of the containing segment."""
        for p in self.progs:
            if p.filesz and p.vaddr <= addr < p.vaddr + p.filesz:
                n = min(n, p.vaddr + p.filesz - addr)
                return self.src.read(p.offset + addr - p.vaddr, n)
        raise FormatError(f"{self.src.name}: address {addr:#x} is not in any segment")


def _unpack(fmt: str, data: bytes, off: int = 0) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data, off)
    except struct.error as e:
        raise FormatError(f"truncated ELF structure: {e}") from None


def parse(src: Source, only: Collection[str] | None = None) -> ElfFile:
    """The headers and tables of an ELF file. With `only`, `sections` holds just the sections of those
    names (the tables are read and checked all the same): `go version -m` needs one section of a few
    dozen, and building the others is most of the cost of reading a Go binary's build info."""
    ident = src.read(0, 16)
    if ident[:4] != ELF_MAGIC:
        raise FormatError(f"{src.name}: not an ELF file")
    if ident[4] not in (1, 2) or ident[5] not in (1, 2):
        raise FormatError(f"{src.name}: bad ELF class {ident[4]} or data encoding {ident[5]}")
    bits = 32 if ident[4] == 1 else 64
    e = ">" if ident[5] == 2 else "<"
    if bits == 64:
        hdr = src.read(16, 48)
        (etype, machine, _v, entry, phoff, shoff, flags, _eh, phentsize, phnum, shentsize, shnum, shstrndx) = _unpack(
            e + "HHIQQQIHHHHHH", hdr
        )
    else:
        hdr = src.read(16, 36)
        (etype, machine, _v, entry, phoff, shoff, flags, _eh, phentsize, phnum, shentsize, shnum, shstrndx) = _unpack(
            e + "HHIIIIIHHHHHH", hdr
        )
    progs = _progs(src, bits, e, phoff, phentsize, phnum)
    sections, count = _sections(src, bits, e, shoff, shentsize, shnum, shstrndx, only)
    return ElfFile(src, bits, e == ">", ident[7], etype, machine, flags, entry, sections, progs, count)


def _progs(src: Source, bits: int, e: str, off: int, entsize: int, num: int) -> tuple[Prog, ...]:
    if num == 0 or off == 0:
        return ()
    want = 56 if bits == 64 else 32
    if entsize < want or num > MAX_TABLE:
        raise FormatError(f"{src.name}: bad program header table ({num} entries of {entsize} bytes)")
    table = src.read(off, entsize * num)
    fmt = struct.Struct(e + ("IIQQQQQQ" if bits == 64 else "IIIIIIII"))
    rows = fmt.iter_unpack(table) if entsize == fmt.size else (fmt.unpack_from(table, i * entsize) for i in range(num))
    if bits == 64:  # (type, flags, offset, vaddr, paddr, filesz, memsz, align)
        return tuple(Prog(r[0], r[1], r[2], r[3], r[5], r[6]) for r in rows)
    return tuple(Prog(r[0], r[6], r[1], r[2], r[4], r[5]) for r in rows)  # flags come after memsz


def _sections(src: Source, bits: int, e: str, off: int, entsize: int, num: int, strndx: int,
              only: Collection[str] | None = None) -> tuple[tuple[Section, ...], int]:
    if off == 0 or num == 0:
        return (), 0
    want = 64 if bits == 64 else 40
    if entsize < want or num > MAX_TABLE:
        raise FormatError(f"{src.name}: bad section header table ({num} entries of {entsize} bytes)")
    table = src.read(off, entsize * num)
    fmt = struct.Struct(e + ("IIQQQQIIQQ" if bits == 64 else "IIIIIIIIII"))
    rows = fmt.iter_unpack(table) if entsize == fmt.size else (fmt.unpack_from(table, i * entsize) for i in range(num))
    full = list(rows)  # (name, type, flags, addr, offset, size, link, info, addralign, entsize)
    names = b""
    if 0 < strndx < num:
        _n, stype, _f, _a, soff, size, *_rest = full[strndx]
        if stype != 8 and size:
            names = src.read(soff, min(size, 1 << 20))
    if only is not None:
        wanted = (only,) if isinstance(only, str) else only  # one name, not its characters
        at = {i: name for name in wanted for i in _offsets(names, name.encode())}
        return tuple(Section(at[r[0]], r[1], r[2], r[3], r[4], r[5], r[6], r[9]) for r in full if r[0] in at), num
    raw = [(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[9]) for r in full]
    # most names start right after a NUL: split once, fall back to a search for suffix-shared names
    starts: dict[int, str] = {}
    pos = 0
    for part in names.split(b"\0"):
        starts[pos] = part.decode("utf-8", "replace")
        pos += len(part) + 1
    return tuple(Section(starts[r[0]] if r[0] in starts else _cstr(names, r[0]), *r[1:]) for r in raw), num


def _offsets(table: bytes, name: bytes) -> set[int]:
    """Where a section name `name` can start in the string table (as _cstr reads it: up to a NUL or the
    end). Names may share suffixes, so every occurrence counts."""
    out = set()
    i = table.find(name + b"\0")
    while i >= 0:
        out.add(i)
        i = table.find(name + b"\0", i + 1)
    if name and table.endswith(name):
        out.add(len(table) - len(name))
    return out


def _cstr(table: bytes, off: int) -> str:
    if off >= len(table):
        return ""
    end = table.find(b"\0", off)
    return table[off : end if end >= 0 else len(table)].decode("utf-8", "replace")
