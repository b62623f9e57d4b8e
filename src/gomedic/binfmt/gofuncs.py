"""All Go function names a binary's pclntab holds (the function-name table), as a set of names.

Inlined functions are in the table too, so a function the compiler inlined everywhere still counts as
present. Reads only the name table (bounded by MAX_TABLE); the layout parsing is gosyms'.
"""

from __future__ import annotations

import os
import struct

from gomedic.binfmt import gosyms
from gomedic.binfmt.source import FileSource, Source
from gomedic.errors import FormatError

MAX_TABLE = 64 << 20


def name_table(src: Source) -> bytes | None:
    """The raw function-name table (NUL-separated names), or None when the binary's layout hides it."""
    loc = gosyms._pclntab(src)
    if loc is None:
        return None
    off, size = loc
    head = src.read(off, min(size, 8 + 8 * 8))
    if len(head) < 16:
        return None
    for e in ("<", ">"):
        (magic,) = struct.unpack_from(e + "I", head)
        if magic in gosyms._MAGICS:
            break
    else:
        return None
    ptr = head[7]
    if ptr not in (4, 8) or len(head) < 8 + 8 * ptr:
        return None
    fmt = e + ("I" if ptr == 4 else "Q")
    idx = gosyms._MAGICS[magic]
    name_off = struct.unpack_from(fmt, head, 8 + idx * ptr)[0]
    cu_off = struct.unpack_from(fmt, head, 8 + (idx + 1) * ptr)[0]
    if not 0 < name_off < cu_off <= size or cu_off - name_off > MAX_TABLE:
        return None
    data = src.read(off + name_off, cu_off - name_off)
    return data if len(data) == cu_off - name_off else None


def table(path: str | os.PathLike[str]) -> bytes | None:
    """The binary's function-name table (names separated by NUL), or None when it cannot be read (PE,
    Go < 1.16, damaged)."""
    try:
        with FileSource(path) as src:
            return name_table(src)
    except (FormatError, OSError, struct.error, ValueError, MemoryError):
        return None
