"""Mach-O headers and load commands (32/64-bit, both byte orders) and fat (universal) files.

Only the header and the load commands are read; section contents are read on demand by virtual address.
A fat file is opened at its first architecture, as `debug/buildinfo` does; `arches` lists them all.
"""

from __future__ import annotations

import struct

from gomedic.binfmt.source import Source
from gomedic.errors import FormatError
from gomedic.values import frozen

MAGIC_32_BE, MAGIC_32_LE = b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe"
MAGIC_64_BE, MAGIC_64_LE = b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe"
FAT_MAGIC, FAT_MAGIC_64 = b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"
MAX_CMDS_SIZE = 16 << 20
MAX_FAT_ARCHES = 64

LC_SEGMENT, LC_SEGMENT_64, LC_UUID = 0x1, 0x19, 0x1B
LC_LOAD_DYLIB, LC_VERSION_MIN_MACOSX, LC_BUILD_VERSION = 0xC, 0x24, 0x32
LC_CODE_SIGNATURE = 0x1D
MH_EXECUTE, MH_PIE = 2, 0x200000

CPU_ARCH_ABI64 = 0x01000000
CPUTYPES: dict[int, str] = {
    7: "386",
    7 | CPU_ARCH_ABI64: "amd64",
    12: "arm",
    12 | CPU_ARCH_ABI64: "arm64",
    18: "ppc",
    18 | CPU_ARCH_ABI64: "ppc64",
}


def is_macho(head: bytes) -> bool:
    return head[:4] in (MAGIC_32_BE, MAGIC_32_LE, MAGIC_64_BE, MAGIC_64_LE)


def is_fat(head: bytes) -> bool:
    return head[:4] in (FAT_MAGIC, FAT_MAGIC_64)


@frozen
class Segment:
    name: str
    addr: int
    memsz: int
    offset: int
    filesz: int
    maxprot: int
    prot: int


@frozen
class Section:
    name: str
    segment: str
    addr: int
    size: int
    offset: int


@frozen
class MachoFile:
    src: Source
    base: int  # offset of this architecture inside a fat file
    bits: int
    big_endian: bool
    cputype: int
    cpusubtype: int
    filetype: int
    flags: int
    segments: tuple[Segment, ...]
    sections: tuple[Section, ...]
    uuid: str | None
    minos: str | None  # LC_BUILD_VERSION.minos or LC_VERSION_MIN_MACOSX.version
    dylibs: tuple[str, ...]
    arches: tuple[str, ...] = ()  # every architecture of a fat file (empty for a thin one)
    sdk: str | None = None  # LC_BUILD_VERSION.sdk or LC_VERSION_MIN_MACOSX.sdk
    signature: tuple[int, int] | None = None  # LC_CODE_SIGNATURE (dataoff, datasize), relative to `base`

    @property
    def goarch(self) -> str:
        return CPUTYPES.get(self.cputype, f"cputype-{self.cputype:#x}")

    @property
    def pie(self) -> bool:
        return bool(self.flags & MH_PIE)

    def section(self, name: str) -> Section | None:
        for s in self.sections:
            if s.name == name:
                return s
        return None

    def read_vaddr(self, addr: int, n: int) -> bytes:
        """Up to n bytes at a virtual address, to the end of the containing segment (never __PAGEZERO)."""
        for seg in self.segments:
            if seg.name != "__PAGEZERO" and seg.filesz and seg.addr <= addr < seg.addr + seg.filesz:
                n = min(n, seg.addr + seg.filesz - addr)
                return self.src.read(self.base + seg.offset + addr - seg.addr, n)
        raise FormatError(f"{self.src.name}: address {addr:#x} is not in any segment")


def _u(fmt: str, data: bytes, off: int = 0) -> tuple[int, ...]:
    try:
        return struct.unpack_from(fmt, data, off)
    except struct.error as e:
        raise FormatError(f"truncated Mach-O structure: {e}") from None


def _name(b: bytes) -> str:
    return b.split(b"\0", 1)[0].decode("utf-8", "replace")


def _version(v: int) -> str:
    return f"{v >> 16}.{(v >> 8) & 0xFF}" + (f".{v & 0xFF}" if v & 0xFF else "")


def parse(src: Source) -> MachoFile:
    """A thin Mach-O file, or the first architecture of a fat one."""
    head = src.read(0, min(8, src.size))
    if is_fat(head):
        return _parse_fat(src)
    return parse_at(src, 0)


def fat_slices(src: Source) -> tuple[tuple[str, int], ...]:
    """(GOARCH, offset) of each architecture of a fat file."""
    return tuple((CPUTYPES.get(c, f"cputype-{c:#x}"), off) for c, off in _fat_entries(src))


def slice_for(src: Source, goarch: str) -> MachoFile | None:
    """The slice of one architecture: the file itself when thin, the matching slice of a fat file."""
    if not is_fat(src.read(0, min(8, src.size))):
        f = parse_at(src, 0)
        return f if f.goarch == goarch else None
    for arch, off in fat_slices(src):
        if arch == goarch:
            return parse_at(src, off)
    return None


def _fat_entries(src: Source) -> list[tuple[int, int]]:
    hdr = src.read(0, 8)
    wide = hdr[:4] == FAT_MAGIC_64
    (n,) = _u(">I", hdr, 4)
    if n == 0 or n > MAX_FAT_ARCHES:
        raise FormatError(f"{src.name}: fat file with {n} architectures")
    size = 32 if wide else 20
    table = src.read(8, n * size)
    entries = []
    for i in range(n):
        if wide:
            cpu, _sub, off, _sz, _al, _r = _u(">IIQQII", table, i * size)
        else:
            cpu, _sub, off, _sz, _al = _u(">IIIII", table, i * size)
        entries.append((cpu, off))
    return entries


def _parse_fat(src: Source) -> MachoFile:
    entries = _fat_entries(src)
    first = parse_at(src, entries[0][1])
    arches = tuple(CPUTYPES.get(c, f"cputype-{c:#x}") for c, _ in entries)
    return MachoFile(
        first.src, first.base, first.bits, first.big_endian, first.cputype, first.cpusubtype, first.filetype,
        first.flags, first.segments, first.sections, first.uuid, first.minos, first.dylibs, arches, first.sdk,
        first.signature,
    )


def parse_at(src: Source, base: int) -> MachoFile:
    magic = src.read(base, 4)
    if magic in (MAGIC_32_BE, MAGIC_64_BE):
        e = ">"
    elif magic in (MAGIC_32_LE, MAGIC_64_LE):
        e = "<"
    else:
        raise FormatError(f"{src.name}: not a Mach-O file")
    bits = 64 if magic in (MAGIC_64_BE, MAGIC_64_LE) else 32
    hsize = 32 if bits == 64 else 28
    cputype, sub, filetype, ncmds, sizeofcmds, flags = _u(e + "IIIIII", src.read(base, hsize), 4)
    if sizeofcmds > MAX_CMDS_SIZE or ncmds > sizeofcmds // 8 + 1:
        raise FormatError(f"{src.name}: bad load command table ({ncmds} commands, {sizeofcmds} bytes)")
    cmds = src.read(base + hsize, sizeofcmds)
    segs: list[Segment] = []
    sects: list[Section] = []
    uuid = minos = sdk = None
    signature: tuple[int, int] | None = None
    dylibs: list[str] = []
    off = 0
    for _ in range(ncmds):
        cmd, size = _u(e + "II", cmds, off)
        if size < 8 or off + size > len(cmds):
            raise FormatError(f"{src.name}: bad load command size {size} at offset {off}")
        body = cmds[off : off + size]
        if cmd in (LC_SEGMENT, LC_SEGMENT_64):
            _segment(e, cmd == LC_SEGMENT_64, body, segs, sects)
        elif cmd == LC_UUID and size >= 24:
            uuid = body[8:24].hex()
        elif cmd == LC_BUILD_VERSION and size >= 24:
            _plat, mn, sd = _u(e + "III", body, 8)
            minos, sdk = _version(mn), _version(sd)
        elif cmd == LC_VERSION_MIN_MACOSX and size >= 16 and minos is None:
            mn, sd = _u(e + "II", body, 8)
            minos, sdk = _version(mn), _version(sd)
        elif cmd == LC_CODE_SIGNATURE and size >= 16:
            dataoff, datasize = _u(e + "II", body, 8)
            signature = (dataoff, datasize)
        elif cmd == LC_LOAD_DYLIB and size >= 24:
            (noff,) = _u(e + "I", body, 8)
            if noff < size:
                dylibs.append(_name(body[noff:]))
        off += size
    return MachoFile(
        src, base, bits, e == ">", cputype, sub, filetype, flags, tuple(segs), tuple(sects), uuid, minos, tuple(dylibs),
        (), sdk, signature,
    )


def _segment(e: str, wide: bool, body: bytes, segs: list[Segment], sects: list[Section]) -> None:
    if wide:
        name = _name(body[8:24])
        addr, memsz, foff, fsz, maxprot, prot, nsects, _fl = _u(e + "QQQQiiII", body, 24)
        first, ssize = 72, 80
    else:
        name = _name(body[8:24])
        addr, memsz, foff, fsz, maxprot, prot, nsects, _fl = _u(e + "IIIIiiII", body, 24)
        first, ssize = 56, 68
    segs.append(Segment(name, addr, memsz, foff, fsz, maxprot, prot))
    for i in range(nsects):
        o = first + i * ssize
        if o + ssize > len(body):
            raise FormatError("Mach-O segment command too short for its sections")
        sname, segname = _name(body[o : o + 16]), _name(body[o + 16 : o + 32])
        if wide:
            saddr, ssz, soff = _u(e + "QQI", body, o + 32)
        else:
            saddr, ssz, soff = _u(e + "III", body, o + 32)
        sects.append(Section(sname, segname, saddr, ssz, soff))
