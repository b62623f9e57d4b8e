"""Small file-system helpers shared by commands: atomic writes (through a directory fd: see safefs)."""

from __future__ import annotations

import errno
import os
import stat

from gomedic.errors import UsageError
from gomedic.safefs import write_file


def replace_file(path: str | os.PathLike[str], data: bytes, mode: int = 0o644,
                 owner: tuple[int, int] | None = None, under: str | None = None) -> None:
    """Write a new file next to `path` (O_EXCL|O_NOFOLLOW in its directory's fd), fchmod/fchown it,
    fsync, rename it over `path`: readers see old or new, never part. An existing regular file keeps
    its mode; `mode` is for a new file. With `under`, no symlink below that directory is followed.

    Raises OSError (the temp file is removed)."""
    write_file(os.fspath(path), data, mode, owner, under)


def atomic_write(path: str | os.PathLike[str], data: str | bytes, mode: int = 0o644, streams: bool = True) -> None:
    """replace_file for command output (-o FILE): a failure is the user's to fix, exit 2.

    With `streams`, `-o /dev/null`, `-o /dev/stdout` and a FIFO are written into, never replaced: a
    rename would put a regular file where the device was (as root, /dev/null itself). Without (a file
    in a textfile directory), whatever is there is replaced: a FIFO planted there cannot block a run."""
    raw = data.encode() if isinstance(data, str) else data
    try:
        if not (streams and write_special(os.fspath(path), raw)):
            replace_file(path, raw, mode)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None


def _streamable(mode: int) -> bool:
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def write_special(path: str, data: bytes) -> bool:
    """Write `data` into `path` when it is a character device or a FIFO (True), or a symlink to one that
    root or this user owns (`/dev/stdout`; someone else's symlink in /tmp is never followed). False when
    `path` is missing or a regular file (or another's symlink): the caller replaces it. Anything else (a
    directory, a block device, a socket) is refused."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return False
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC
    if stat.S_ISLNK(st.st_mode):
        if st.st_uid not in (0, os.geteuid()):
            return False
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return False
    else:
        flags |= os.O_NOFOLLOW
    if stat.S_ISREG(st.st_mode):
        return False
    if not _streamable(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file, a character device or a FIFO")
    fd = os.open(path, flags)  # no O_CREAT, no O_TRUNC: it exists and is a stream
    try:
        if not _streamable(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "replaced while being opened: not a character device or a FIFO")
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return True
