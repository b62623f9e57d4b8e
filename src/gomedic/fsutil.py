"""Small file-system helpers shared by commands: atomic writes (through a directory fd: see safefs)."""

from __future__ import annotations

import os

from gomedic.errors import UsageError
from gomedic.safefs import write_file


def replace_file(path: str | os.PathLike[str], data: bytes, mode: int = 0o644,
                 owner: tuple[int, int] | None = None, under: str | None = None) -> None:
    """Write a new file next to `path` (O_EXCL|O_NOFOLLOW in its directory's fd), fchmod/fchown it,
    fsync, rename it over `path`: readers see old or new, never part. An existing regular file keeps
    its mode; `mode` is for a new file. With `under`, no symlink below that directory is followed.

    Raises OSError (the temp file is removed)."""
    write_file(os.fspath(path), data, mode, owner, under)


def atomic_write(path: str | os.PathLike[str], data: str | bytes, mode: int = 0o644) -> None:
    """replace_file for command output (-o FILE): a failure is the user's to fix, exit 2."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        replace_file(path, raw, mode)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
