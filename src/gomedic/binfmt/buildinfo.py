"""Go build info, as `debug/buildinfo` and `go version -m` read it.

Format-aware: the `.go.buildinfo` section (or the first writable non-executable PT_LOAD), searched at
16-byte alignment, chunk by chunk, with no 64 KiB cap. Both header formats: inline uvarint strings
(Go >= 1.18) and the older pointer format, dereferenced through the segments.
"""

from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass, field

from gomedic.binfmt import elf
from gomedic.binfmt.source import FileSource, Source
from gomedic.errors import FormatError

MAGIC = b"\xff Go buildinf:"
ALIGN = 16
HEADER_SIZE = 32
CHUNK = 1 << 20
MAX_STRING = 16 << 20


class NotGoError(FormatError):
    """The file is an executable, but not a Go one (no build info)."""


@dataclass(frozen=True, slots=True)
class Module:
    path: str
    version: str
    sum: str = ""
    replace: Module | None = None


@dataclass(frozen=True, slots=True)
class BuildInfo:
    go_version: str
    modinfo: str = ""
    path: str = ""
    main: Module | None = None
    deps: tuple[Module, ...] = ()
    settings: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def setting(self, key: str, default: str = "") -> str:
        for k, v in self.settings:
            if k == key:
                return v
        return default


def _uvarint(b: bytes, pos: int) -> tuple[int, int]:
    x = shift = 0
    for i in range(pos, min(len(b), pos + 10)):
        c = b[i]
        x |= (c & 0x7F) << shift
        if c < 0x80:
            return x, i + 1
        shift += 7
    raise NotGoError("bad varint in build info")


class _Reader:
    """Virtual-address reads for one executable format (ELF here; Mach-O and PE plug in the same way)."""

    def __init__(self, f: elf.ElfFile) -> None:
        self.f = f

    def data_start(self) -> tuple[int, int]:
        s = self.f.section(".go.buildinfo")
        if s is not None:
            return s.addr, s.size
        for p in self.f.progs:
            if p.type == elf.PT_LOAD and p.flags & (elf.PF_X | elf.PF_W) == elf.PF_W:
                return p.vaddr, p.memsz
        return 0, 0

    def read(self, addr: int, n: int) -> bytes:
        return self.f.read_vaddr(addr, n)


def _search(r: _Reader, start: int, size: int) -> int:
    end = start + size
    start = (start + ALIGN - 1) & ~(ALIGN - 1)
    while start < end:
        chunk = r.read(start, min(CHUNK, end - start))
        if not chunk:
            break
        i = chunk.find(MAGIC)
        while i >= 0:
            if i % ALIGN == 0:
                if end - (start + i) < HEADER_SIZE:
                    raise NotGoError("not a Go executable")
                return start + i
            i = chunk.find(MAGIC, i + 1)
        # Chunks are 16-aligned and the magic (14 bytes) sits at 16-aligned offsets: it cannot straddle.
        start += len(chunk)
    raise NotGoError("not a Go executable")


def _inline_string(r: _Reader, addr: int) -> tuple[str, int]:
    head = r.read(addr, 10)
    n, used = _uvarint(head, 0)
    if n > MAX_STRING:
        raise NotGoError("build info string too long")
    data = r.read(addr + used, n) if n else b""
    if len(data) != n:
        raise NotGoError("truncated build info string")
    return data.decode("utf-8", "replace"), addr + used + n


def _pointer_string(r: _Reader, ptr_size: int, end: str, ptr: int) -> str:
    fmt = end + ("I" if ptr_size == 4 else "Q")
    hdr = r.read(ptr, 2 * ptr_size)
    if len(hdr) < 2 * ptr_size:
        return ""
    data_ptr = struct.unpack_from(fmt, hdr, 0)[0]
    length = struct.unpack_from(fmt, hdr, ptr_size)[0]
    if length > MAX_STRING:
        return ""
    data = r.read(data_ptr, length) if length else b""
    return data.decode("utf-8", "replace") if len(data) == length else ""


def raw(src: Source) -> tuple[str, str]:
    """(version, modinfo) with the modinfo sentinels stripped, as debug/buildinfo returns them."""
    ident = src.read(0, min(16, src.size))
    if ident[:4] != elf.ELF_MAGIC:
        raise FormatError(f"{src.name}: unrecognized file format")
    r = _Reader(elf.parse(src))
    start, size = r.data_start()
    if size == 0:
        raise NotGoError("not a Go executable")
    addr = _search(r, start, size)
    header = r.read(addr, HEADER_SIZE)
    if len(header) < HEADER_SIZE:
        raise NotGoError("not a Go executable")
    flags = header[15]
    if flags & 2:
        vers, nxt = _inline_string(r, addr + HEADER_SIZE)
        mod, _ = _inline_string(r, nxt)
    else:
        ptr_size = header[14]
        if ptr_size not in (4, 8):
            raise NotGoError("not a Go executable")
        end = ">" if flags & 1 else "<"
        fmt = end + ("I" if ptr_size == 4 else "Q")
        vers = _pointer_string(r, ptr_size, end, struct.unpack_from(fmt, header, 16)[0])
        mod = _pointer_string(r, ptr_size, end, struct.unpack_from(fmt, header, 16 + ptr_size)[0])
    if not vers:
        raise NotGoError("not a Go executable")
    mod = mod[16:-16] if len(mod) >= 33 and mod[-17] == "\n" else ""
    return vers, mod


def _unquote(s: str) -> str:
    if len(s) >= 2 and s[0] == s[-1] == "`":
        return s[1:-1]
    if len(s) >= 2 and s[0] == s[-1] == '"':
        try:
            out = json.loads(s)
            return out if isinstance(out, str) else s
        except ValueError:
            return s
    return s


def _split_setting(kv: str) -> tuple[str, str]:
    if kv.startswith('"'):
        # quoted key: find the closing quote not escaped
        i = 1
        while i < len(kv):
            if kv[i] == "\\":
                i += 2
                continue
            if kv[i] == '"':
                break
            i += 1
        key, rest = kv[: i + 1], kv[i + 1 :]
        return _unquote(key), _unquote(rest[1:] if rest.startswith("=") else rest)
    key, _, val = kv.partition("=")
    return key, _unquote(val)


def parse_modinfo(vers: str, mod: str) -> BuildInfo:
    """debug.ParseBuildInfo: unknown or blank lines are skipped; a last line without `\\n` is ignored."""
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    last: Module | None = None
    lines = mod.split("\n")[:-1]
    for line in lines:
        cols = line.split("\t")
        tag = cols[0]
        if tag == "path" and len(cols) == 2:
            path = cols[1]
        elif tag in ("mod", "dep") and len(cols) in (3, 4):
            m = Module(cols[1], cols[2], cols[3] if len(cols) == 4 else "")
            if tag == "mod":
                main = m
            else:
                deps.append(m)
            last = m
        elif tag == "=>" and len(cols) == 4 and last is not None:
            rep = Module(cols[1], cols[2], cols[3])
            new = Module(last.path, last.version, last.sum, rep)
            if main is last:
                main = new
            else:
                deps[-1] = new
            last = None
        elif tag == "build" and len(cols) == 2:
            settings.append(_split_setting(cols[1]))
    return BuildInfo(vers, mod, path, main, tuple(deps), tuple(settings))


def read(src: Source) -> BuildInfo:
    vers, mod = raw(src)
    return parse_modinfo(vers, mod)


def read_file(path: str | os.PathLike[str]) -> BuildInfo:
    with FileSource(path) as src:
        return read(src)


def go_version_of(path: str | os.PathLike[str]) -> str | None:
    """The Go release a binary was built with, or None when it is not a readable Go executable."""
    try:
        with FileSource(path) as src:
            return raw(src)[0]
    except FormatError:
        return None
