"""Which Go functions a binary contains, from the function-name table of its pclntab.

The pclntab survives `-ldflags=-s -w` (the runtime needs it), so this answers "does it link crypto/x509,
time/tzdata, os/user?" for stripped binaries too. Only the name table is read, chunk by chunk.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable

from gomedic.binfmt import elf, macho
from gomedic.binfmt.exe import open_exe
from gomedic.binfmt.source import FileSource, Source
from gomedic.errors import FormatError

CHUNK = 1 << 20
MAX_NAMES = 256 << 20
# magic -> index of funcnameOffset among the uintptr fields after the 8-byte prefix
_MAGICS = {0xFFFFFFF1: 3, 0xFFFFFFF0: 3, 0xFFFFFFFA: 2}


PCLNTAB_SECTIONS = (".gopclntab", ".data.rel.ro.gopclntab")


def _pclntab(src: Source, f: elf.ElfFile | macho.MachoFile | None = None) -> tuple[int, int] | None:
    """(file offset, size) of the pclntab, or None when the format or layout hides it. `f`: the file as
    already opened (an ELF file's sections may be only PCLNTAB_SECTIONS)."""
    if f is None:
        f = open_exe(src).file  # type: ignore[assignment]
    if isinstance(f, elf.ElfFile):
        for name in PCLNTAB_SECTIONS:
            s = f.section(name)
            if s is not None and s.type != 8:
                return s.offset, s.size
        return None
    if isinstance(f, macho.MachoFile):
        ms = f.section("__gopclntab")
        return (f.base + ms.offset, ms.size) if ms is not None else None
    return None


def name_range(src: Source, loc: tuple[int, int] | None, limit: int) -> tuple[int, int] | None:
    """Where the function-name table lies, as (start, end) file offsets, in the pclntab at `loc` (its
    offset and size); None when the header is not one gomedic knows or the table is larger than `limit`."""
    if loc is None:
        return None
    off, size = loc
    head = src.read(off, min(size, 8 + 8 * 8))
    if len(head) < 16:
        return None
    for e in ("<", ">"):
        (magic,) = struct.unpack_from(e + "I", head)
        if magic in _MAGICS:
            break
    else:
        return None
    ptr = head[7]
    if ptr not in (4, 8) or len(head) < 8 + 8 * ptr:
        return None
    fmt = e + ("I" if ptr == 4 else "Q")
    idx = _MAGICS[magic]
    name_off = struct.unpack_from(fmt, head, 8 + idx * ptr)[0]
    cu_off = struct.unpack_from(fmt, head, 8 + (idx + 1) * ptr)[0]
    if not 0 < name_off < cu_off <= size or cu_off - name_off > limit:
        return None
    return off + name_off, off + cu_off


def functions_with_prefixes(src: Source, prefixes: Iterable[str]) -> dict[str, bool] | None:
    """For each prefix (`crypto/x509.`), whether some function name starts with it; None if unknown."""
    names = name_range(src, _pclntab(src), MAX_NAMES)
    if names is None:
        return None
    wanted = {p: b"\0" + p.encode() for p in prefixes}
    found = dict.fromkeys(wanted, False)
    pos, end = names
    first = True
    tail = b"\0"
    while pos < end and not all(found.values()):
        chunk = src.read(pos, min(CHUNK, end - pos))
        buf = tail + chunk
        for p, needle in wanted.items():
            if not found[p] and (needle in buf or (first and chunk.startswith(needle[1:]))):
                found[p] = True
        tail = chunk[-64:]
        first = False
        pos += len(chunk)
    return found


def uses(path: str | os.PathLike[str], prefixes: Iterable[str]) -> dict[str, bool] | None:
    try:
        with FileSource(path) as src:
            return functions_with_prefixes(src, prefixes)
    except (FormatError, struct.error):
        return None
