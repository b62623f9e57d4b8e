"""Small file-system helpers shared by commands: atomic writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gomedic.errors import UsageError


def atomic_write(path: str | os.PathLike[str], data: str | bytes, mode: int = 0o644) -> None:
    """Write to a temp file in the same directory, fsync, then rename: readers see old or new, never part."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    raw = data.encode() if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as e:
        raise UsageError(f"cannot write {target}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as e:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise UsageError(f"cannot write {target}: {e.strerror or e}") from None
