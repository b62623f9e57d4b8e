"""What the dynamic loader and the kernel read from an ELF file: PT_INTERP, the dynamic section
(DT_NEEDED, RPATH/RUNPATH, flags), symbol version needs and definitions (GLIBC_x.y), notes
(NT_GNU_ABI_TAG, the GNU x86 ISA level property) and hardening facts (PIE, RELRO, NX, stripped).

Everything is found through program headers, as ld.so finds it, so binaries without section headers work.
"""

from __future__ import annotations

import re
import struct
from functools import lru_cache

from gomedic.binfmt import elf
from gomedic.errors import FormatError
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Literal

    Relro = Literal["full", "partial", "none"]

MAX_DYNAMIC = 1 << 20
MAX_STRTAB = 8 << 20
MAX_NOTES = 1 << 20
MAX_VERSIONS = 4096

DT_NULL, DT_NEEDED, DT_STRTAB, DT_STRSZ, DT_RPATH = 0, 1, 5, 10, 15
DT_BIND_NOW, DT_RUNPATH, DT_FLAGS, DT_FLAGS_1 = 24, 29, 30, 0x6FFFFFFB
DT_VERDEF, DT_VERDEFNUM, DT_VERNEED, DT_VERNEEDNUM = 0x6FFFFFFC, 0x6FFFFFFD, 0x6FFFFFFE, 0x6FFFFFFF
DF_BIND_NOW, DF_1_NOW, DF_1_PIE = 0x8, 0x1, 0x08000000

NT_GNU_ABI_TAG, NT_GNU_PROPERTY_TYPE_0 = 1, 5
GNU_PROPERTY_X86_ISA_1_NEEDED = 0xC0008002
ABI_OS = {0: "Linux", 1: "Hurd", 2: "Solaris", 3: "FreeBSD"}
NOTE_GOOS = {"Linux": "linux", "Solaris": "solaris", "FreeBSD": "freebsd"}
# Note owners whose type-1 note says which BSD the object is for (and Android's NDK note).
OWNER_GOOS = {b"FreeBSD": "freebsd", b"OpenBSD": "openbsd", b"NetBSD": "netbsd", b"Android": "android"}

_GLIBC = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")


@frozen
class VersionNeed:
    file: str  # the library that must provide the versions (libc.so.6)
    versions: tuple[str, ...]  # GLIBC_2.34, ...


@frozen
class Dynamic:
    interpreter: str | None
    needed: tuple[str, ...]
    rpath: tuple[str, ...]
    runpath: tuple[str, ...]
    flags: int
    flags_1: int
    bind_now: bool
    version_needs: tuple[VersionNeed, ...]
    version_defs: tuple[str, ...]
    has_dynamic: bool

    @property
    def glibc_versions(self) -> tuple[str, ...]:
        """Every GLIBC_x.y[.z] needed, sorted by version (GLIBC_PRIVATE and other non-numeric names left out)."""
        names = {v for n in self.version_needs for v in n.versions if _GLIBC.match(v)}
        return tuple(sorted(names, key=glibc_tuple))

    @property
    def glibc_required(self) -> tuple[int, int] | None:
        """The highest (major, minor) glibc the binary needs; GLIBC_ABI_DT_RELR counts as 2.36."""
        best: tuple[int, int] | None = None
        for n in self.version_needs:
            for v in n.versions:
                t = (2, 36) if v == "GLIBC_ABI_DT_RELR" else glibc_tuple(v)[:2]
                if t != (0, 0) and (best is None or t > best):
                    best = t
        return best


@lru_cache(maxsize=256)  # the same few symbol versions in every glibc binary of a scan
def glibc_tuple(v: str) -> tuple[int, int, int]:
    m = _GLIBC.match(v)
    if not m:
        return (0, 0, 0)
    return int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)


@frozen
class Notes:
    abi_tag: tuple[str, str] | None  # ("Linux", "3.2.0"): the oldest kernel a static glibc binary accepts
    x86_isa_needed: int | None  # bit mask: 1 baseline, 2 v2, 4 v3, 8 v4
    go_buildid: bool
    os: str | None = None  # the OS an ABI note names: FreeBSD .note.tag, OpenBSD/NetBSD ident, GNU ABI tag

    @property
    def x86_isa_level(self) -> int | None:
        """The highest x86-64 level the GNU property note says the object needs (1-4), or None."""
        m = self.x86_isa_needed
        if not m:
            return None
        return max(i + 1 for i in range(4) if m & (1 << i)) if m & 0xF else None


@frozen
class Hardening:
    pie: bool
    static_pie: bool
    relro: Relro
    nx: bool
    stripped: bool


def interpreter(f: elf.ElfFile) -> str | None:
    for p in f.progs:
        if p.type == elf.PT_INTERP:
            data = f.src.read(p.offset, min(p.filesz, 4096))
            return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")
    return None


def _entries(f: elf.ElfFile) -> list[tuple[int, int]]:
    for p in f.progs:
        if p.type == elf.PT_DYNAMIC:
            data = f.src.read(p.offset, min(p.filesz, MAX_DYNAMIC))
            fmt = f.endian + ("qQ" if f.bits == 64 else "iI")
            size = struct.calcsize(fmt)
            out = []
            for off in range(0, len(data) - size + 1, size):
                tag, val = struct.unpack_from(fmt, data, off)
                if tag == DT_NULL:
                    break
                out.append((tag, val))
            return out
    return []


class _Strtab:
    def __init__(self, f: elf.ElfFile, addr: int, size: int) -> None:
        self.data = f.read_vaddr(addr, min(size, MAX_STRTAB)) if addr and size else b""

    def get(self, off: int) -> str:
        if off >= len(self.data):
            raise FormatError(f"dynamic string offset {off} beyond the string table ({len(self.data)} bytes)")
        end = self.data.find(b"\0", off)
        return self.data[off : end if end >= 0 else len(self.data)].decode("utf-8", "surrogateescape")


def parse(f: elf.ElfFile) -> Dynamic:
    entries = _entries(f)
    tags: dict[int, int] = {}
    for t, v in entries:
        tags.setdefault(t, v)
    strtab = _Strtab(f, tags.get(DT_STRTAB, 0), tags.get(DT_STRSZ, 0))
    needed = tuple(strtab.get(v) for t, v in entries if t == DT_NEEDED)
    rpath = tuple(p for t, v in entries if t == DT_RPATH for p in strtab.get(v).split(":"))
    runpath = tuple(p for t, v in entries if t == DT_RUNPATH for p in strtab.get(v).split(":"))
    flags, flags_1 = tags.get(DT_FLAGS, 0), tags.get(DT_FLAGS_1, 0)
    bind_now = DT_BIND_NOW in tags or bool(flags & DF_BIND_NOW) or bool(flags_1 & DF_1_NOW)
    needs = _verneed(f, strtab, tags.get(DT_VERNEED, 0), tags.get(DT_VERNEEDNUM, 0))
    defs = _verdef(f, strtab, tags.get(DT_VERDEF, 0), tags.get(DT_VERDEFNUM, 0))
    return Dynamic(interpreter(f), needed, rpath, runpath, flags, flags_1, bind_now, needs, defs, bool(entries))


def _verneed(f: elf.ElfFile, strtab: _Strtab, addr: int, num: int) -> tuple[VersionNeed, ...]:
    out: list[VersionNeed] = []
    e = f.endian
    seen = 0
    while addr and num and len(out) < min(num, MAX_VERSIONS):
        _ver, cnt, file_off, aux, nxt = struct.unpack(e + "HHIII", _read16(f, addr))
        versions = []
        a = addr + aux
        for _ in range(min(cnt, MAX_VERSIONS)):
            _h, _fl, _other, name, anext = struct.unpack(e + "IHHII", _read16(f, a))
            versions.append(strtab.get(name))
            seen += 1
            if not anext or seen > MAX_VERSIONS:
                break
            a += anext
        out.append(VersionNeed(strtab.get(file_off), tuple(versions)))
        if not nxt:
            break
        addr += nxt
    return tuple(out)


def _verdef(f: elf.ElfFile, strtab: _Strtab, addr: int, num: int) -> tuple[str, ...]:
    out: list[str] = []
    e = f.endian
    while addr and num and len(out) < min(num, MAX_VERSIONS):
        # Elf_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32
        _v, _fl, _ndx, cnt, _h, aux, nxt = struct.unpack(e + "HHHHIII", f.read_vaddr(addr, 20).ljust(20, b"\0"))
        if cnt:
            name_off = struct.unpack(e + "I", _read16(f, addr + aux)[:4])[0]
            out.append(strtab.get(name_off))
        if not nxt:
            break
        addr += nxt
    return tuple(out)


def _read16(f: elf.ElfFile, addr: int) -> bytes:
    b = f.read_vaddr(addr, 16)
    if len(b) < 16:
        raise FormatError(f"{f.src.name}: truncated version table at {addr:#x}")
    return b


def notes(f: elf.ElfFile) -> Notes:
    abi: tuple[str, str] | None = None
    isa: int | None = None
    go = False
    os_: str | None = None
    for p in f.progs:
        if p.type not in (elf.PT_NOTE, elf.PT_GNU_PROPERTY) or not p.filesz:
            continue
        data = f.src.read(p.offset, min(p.filesz, MAX_NOTES))
        for name, ntype, desc in _iter_notes(
            data, f.endian, 8 if p.type == elf.PT_GNU_PROPERTY and f.bits == 64 else 4
        ):
            if name == b"GNU" and ntype == NT_GNU_ABI_TAG and len(desc) >= 16:
                kind, a, b, c = struct.unpack_from(f.endian + "IIII", desc)
                abi = (ABI_OS.get(kind, str(kind)), f"{a}.{b}.{c}")
                os_ = os_ or NOTE_GOOS.get(abi[0])
            elif name in OWNER_GOOS and ntype == 1:  # NT_FREEBSD_ABI_TAG / NT_OPENBSD_IDENT / NT_NETBSD_IDENT
                os_ = OWNER_GOOS[name]
            elif name == b"GNU" and ntype == NT_GNU_PROPERTY_TYPE_0:
                isa = _isa_needed(desc, f.endian, 8 if f.bits == 64 else 4) or isa
            elif name == b"Go" and ntype == 4:
                go = True
    return Notes(abi, isa, go, os_)


def _iter_notes(data: bytes, e: str, align: int) -> list[tuple[bytes, int, bytes]]:
    out = []
    off = 0
    while off + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from(e + "III", data, off)
        off += 12
        name = data[off : off + namesz].rstrip(b"\0")
        off += (namesz + align - 1) & ~(align - 1)
        if off + descsz > len(data):
            break
        out.append((name, ntype, data[off : off + descsz]))
        off += (descsz + align - 1) & ~(align - 1)
    return out


def _isa_needed(desc: bytes, e: str, align: int) -> int | None:
    off = 0
    while off + 8 <= len(desc):
        ptype, size = struct.unpack_from(e + "II", desc, off)
        off += 8
        if ptype == GNU_PROPERTY_X86_ISA_1_NEEDED and size >= 4 and off + 4 <= len(desc):
            return int(struct.unpack_from(e + "I", desc, off)[0])
        off += (size + align - 1) & ~(align - 1)
    return None


def hardening(f: elf.ElfFile, dyn: Dynamic) -> Hardening:
    types = {p.type for p in f.progs}
    pie = f.type == elf.ET_DYN and (dyn.interpreter is not None or bool(dyn.flags_1 & DF_1_PIE))
    static_pie = pie and dyn.interpreter is None
    relro: Relro = "none"
    if elf.PT_GNU_RELRO in types:
        relro = "full" if dyn.bind_now else "partial"
    stack = [p for p in f.progs if p.type == elf.PT_GNU_STACK]
    nx = bool(stack) and not stack[0].flags & elf.PF_X
    stripped = f.section(".symtab") is None
    return Hardening(pie, static_pie, relro, nx, stripped)
