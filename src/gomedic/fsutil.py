"""Small file-system helpers shared by commands: atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gomedic.errors import UsageError


def replace_file(path: str | os.PathLike[str], data: bytes, mode: int = 0o644,
                 owner: tuple[int, int] | None = None) -> None:
    """Write to a temp file in the same directory, fsync, then rename: readers see old or new, never part.

    Raises OSError (the temp file is removed)."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if owner is not None:
            os.chown(tmp, *owner)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def atomic_write(path: str | os.PathLike[str], data: str | bytes, mode: int = 0o644) -> None:
    """replace_file for command output (-o FILE): a failure is the user's to fix, exit 2."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        replace_file(path, raw, mode)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
