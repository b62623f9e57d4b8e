"""All Go function names a binary's pclntab holds (the function-name table), as a set of names.

Inlined functions are in the table too, so a function the compiler inlined everywhere still counts as
present. Reads only the name table (bounded by MAX_TABLE); the layout parsing is gosyms'.
"""

from __future__ import annotations

import os
import struct

from gomedic.binfmt import elf, gosyms, macho
from gomedic.binfmt.exe import open_exe
from gomedic.binfmt.source import FileSource, Source
from gomedic.errors import FormatError

MAX_TABLE = 64 << 20


# Where an externally linked ELF (cgo, Debian's packages) keeps runtime.pclntab when no .gopclntab exists.
HOST_SECTIONS = (".data.rel.ro", ".rodata")
SCAN_CHUNK = 4 << 20


def _scan_for_pclntab(src: Source, f: elf.ElfFile) -> tuple[int, int] | None:
    """Find the pclntab header (magic, two zero bytes, quantum 1/2/4, pointer size 4/8) in the sections
    an external linker puts it in; (offset, bytes to the section's end) of the first valid one."""
    magics = [struct.pack(e + "I", m) for m in gosyms._MAGICS for e in ("<" if not f.big_endian else ">",)]
    for name in HOST_SECTIONS:
        sec = f.section(name)
        if sec is None or sec.type == 8:
            continue
        pos, end = sec.offset, sec.offset + sec.size
        while pos < end:
            chunk = src.read(pos, min(SCAN_CHUNK + 8, end - pos))
            for magic in magics:
                i = chunk.find(magic)
                while i >= 0:
                    h = chunk[i:i + 8]
                    if len(h) == 8 and i % 8 == 0 and h[4:6] == b"\0\0" and h[6] in (1, 2, 4) and h[7] in (4, 8):
                        return pos + i, end - (pos + i)
                    i = chunk.find(magic, i + 1)
            pos += SCAN_CHUNK
    return None


def _locate(src: Source) -> tuple[int, int] | None:
    """(offset, size) of the pclntab. An ELF file's headers are read for the sections that can hold it only:
    naming all of a binary's sections costs more than the rest of finding the table."""
    f = open_exe(src, sections=(*gosyms.PCLNTAB_SECTIONS, *HOST_SECTIONS)).file
    if isinstance(f, elf.ElfFile):
        return gosyms._pclntab(src, f) or _scan_for_pclntab(src, f)
    return gosyms._pclntab(src, f) if isinstance(f, macho.MachoFile) else None


def name_table(src: Source) -> bytes | None:
    """The raw function-name table (NUL-separated names), or None when the binary's layout hides it."""
    names = gosyms.name_range(src, _locate(src), MAX_TABLE)
    if names is None:
        return None
    start, end = names
    data = src.read(start, end - start)
    return data if len(data) == end - start else None


def table(path: str | os.PathLike[str]) -> bytes | None:
    """The binary's function-name table (names separated by NUL), or None when it cannot be read (PE,
    Go < 1.16, damaged)."""
    try:
        with FileSource(path) as src:
            return name_table(src)
    except (FormatError, OSError, struct.error, ValueError, MemoryError):
        return None
