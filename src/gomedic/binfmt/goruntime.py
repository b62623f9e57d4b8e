"""A Go program without build info: the runtime's traces, and the Go release it was built with.

Some release pipelines drop `.go.buildinfo` (esbuild 0.27/0.28 do), so `go version -m` says "not a Go
executable" although the file is a Go program. The runtime cannot be removed: `.gopclntab` (ELF; Mach-O
`__gopclntab`), the Go build ID note, and `runtime.buildVersion`, a Go string header {ptr, len} in the data
sections whose pointer leads to `go1.N.M` in the read-only data. The version is trusted only when such a
header points exactly at it, so a `go1.x` that merely appears in some text does not count.
"""

from __future__ import annotations

import re
import struct

from gomedic.binfmt import elf, macho, pe
from gomedic.binfmt.exe import Exe
from gomedic.binfmt.source import Source
from gomedic.errors import FormatError
from gomedic.values import frozen

MAX_REGION = 64 << 20  # larger "rodata" than this is not a real program: give up rather than read it
MAX_HITS = 64  # `go1.` occurrences tried; a real binary has a handful
_VERSION = re.compile(rb"go1\.[0-9]+(?:\.[0-9]+|rc[0-9]+|beta[0-9]+)?(?: X:[A-Za-z0-9_,]+)?")

Region = tuple[int, int, int]  # (vaddr, file offset, size)


@frozen
class GoRuntime:
    evidence: str  # what shows the Go runtime: ".gopclntab section", "Go build ID note", ...
    version: str | None  # runtime.buildVersion, when the binary holds it


def _elf(f: elf.ElfFile, go_note: bool) -> tuple[str | None, list[Region], list[Region]]:
    names = {s.name: s for s in f.sections if s.type != 8 and s.size}
    ev = next((f"{n} section" for n in (".gopclntab", ".data.rel.ro.gopclntab") if n in names), None)
    if ev is None and go_note:
        ev = "Go build ID note"
    ro = [(s.addr, s.offset, s.size) for n in (".rodata",) if (s := names.get(n))]
    # .data first: runtime.buildVersion is a string variable (it holds a pointer), so the linker puts it
    # there, not in .noptrdata, which is searched in vain before it otherwise
    rw = [(s.addr, s.offset, s.size) for n in (".data", ".noptrdata", ".data.rel.ro") if (s := names.get(n))]
    if not ro:  # no section headers: the segments, as the loader sees them
        loads = [p for p in f.progs if p.type == elf.PT_LOAD and p.filesz]
        ro = [(p.vaddr, p.offset, p.filesz) for p in loads if not p.flags & (elf.PF_X | elf.PF_W)]
        rw = [(p.vaddr, p.offset, p.filesz) for p in loads if p.flags & elf.PF_W]
    return ev, ro, rw


def _macho(f: macho.MachoFile) -> tuple[str | None, list[Region], list[Region]]:
    def region(name: str) -> list[Region]:
        s = f.section(name)
        return [(s.addr, f.base + s.offset, s.size)] if s is not None and s.offset and s.size else []

    ev = "__gopclntab section" if f.section("__gopclntab") is not None else None
    return ev, region("__rodata"), region("__data") + region("__noptrdata")  # __data first: see _elf


def _pe(f: pe.PeFile) -> tuple[str | None, list[Region], list[Region]]:
    def region(name: str) -> list[Region]:
        return [(f.image_base + s.virtual_address, s.raw_offset, min(s.raw_size, s.virtual_size or s.raw_size))
                for s in f.sections if s.name == name and s.raw_size]

    return None, region(".rdata"), region(".data")


def detect(x: Exe, go_note: bool = False) -> GoRuntime | None:
    """The Go runtime's traces in an executable without build info, or None for a non-Go program."""
    f = x.file
    if isinstance(f, elf.ElfFile):
        ev, ro, rw = _elf(f, go_note)
        if ev is None:
            return None  # a C/Rust/... ELF: not worth reading its data
    elif isinstance(f, macho.MachoFile):
        ev, ro, rw = _macho(f)
        if ev is None:
            return None
    else:
        ev, ro, rw = _pe(f)
    ptr = 8 if f.bits == 64 else 4
    fmt = (">" if getattr(f, "big_endian", False) else "<") + ("Q" if ptr == 8 else "I")
    try:
        version = build_version(f.src, fmt, ro, rw)
    except (FormatError, struct.error):
        version = None
    if ev is None:
        return GoRuntime("runtime.buildVersion string", version) if version else None
    return GoRuntime(ev, version)


def build_version(src: Source, fmt: str, ro: list[Region], rw: list[Region]) -> str | None:
    """runtime.buildVersion: a `go1.` in read-only data that a {ptr, len} header in the data sections names.

    The file is searched in place (Source.find), so megabytes of rodata cost no copies. The read-only data
    is searched from its end: Go's linker puts the string data last, and the version string lies in the
    last tenth of it (esbuild 0.27/0.28, every platform), so most of the region is never touched."""
    size = struct.calcsize(fmt)
    hits = 0
    for vaddr, off, n in ro:
        if n > MAX_REGION or off + n > src.size:
            continue
        i = src.rfind(b"go1.", off, off + n)
        while i >= 0 and hits < MAX_HITS:
            hits += 1
            text = src.read(i, min(136, off + n - i))
            m = _VERSION.match(text)
            if m:
                needle = struct.pack(fmt, vaddr + i - off)
                for _a, doff, dn in rw:
                    end = min(doff + dn, src.size)
                    j = src.find(needle, doff, end)
                    while j >= 0:
                        if (j - doff) % size == 0 and j + 2 * size <= end:
                            length = struct.unpack(fmt, src.read(j + size, size))[0]
                            if len(m.group(0)) <= length <= 128 and _VERSION.fullmatch(text, 0, length):
                                return text[:length].decode("ascii")
                        j = src.find(needle, j + 1, end)
            i = src.rfind(b"go1.", off, i + 3)  # the previous hit: one that starts before i
    return None
