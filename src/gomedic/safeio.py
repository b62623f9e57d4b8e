"""Opening a file gomedic reads: never blocking, never anything but a regular file, never without a bound.

A path gomedic is given or finds (a binary argument, GOENV, NETRC, settings.json, a unit file, an
environment file, a check file) may name a FIFO (open(2) blocks until a writer comes, forever), a socket
or a device (/dev/zero never ends, a tty is a terminal). Every reader opens through here: O_NONBLOCK so
the open itself cannot block, O_NOCTTY so a tty never becomes our terminal, O_NOFOLLOW when the caller
must not follow a final symlink, then fstat on the opened descriptor (not the path: no race) and a
refusal with a clear message for anything that is not a regular file. Reads are capped by the caller's
limit. The refusal is an OSError (errno EINVAL, or EISDIR for a directory), so callers that already
turn an unreadable file into a message need nothing new.
"""

from __future__ import annotations

import errno
import os
import stat

from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:  # no typing at run time on the start-up path (CONTRIBUTING.md)
    from typing import BinaryIO

KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
         (stat.S_ISBLK, "a block device"), (stat.S_ISDIR, "a directory"))


class NotRegularFile(OSError):
    """The path is a FIFO, socket, device or directory: refused before anything is read."""


def kind_of(mode: int) -> str:
    return next((name for test, name in KINDS if test(mode)), "not a regular file")


def refusal(path: str | os.PathLike[str], mode: int) -> NotRegularFile:
    what = kind_of(mode)
    code = errno.EISDIR if stat.S_ISDIR(mode) else errno.EINVAL
    return NotRegularFile(code, f"is {what}, not a regular file: gomedic reads only regular files", os.fspath(path))


def open_fd(path: str | os.PathLike[str], *, nofollow: bool = False, dir_fd: int | None = None) -> int:
    """A descriptor of the regular file at `path`, opened without blocking; NotRegularFile otherwise."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | (os.O_NOFOLLOW if nofollow else 0)
    try:
        fd = os.open(path, flags, dir_fd=dir_fd)
    except OSError as e:
        if e.errno not in (errno.ENXIO, errno.EOPNOTSUPP):  # what open(2) says for a socket
            raise
        raise refusal(path, os.stat(path, dir_fd=dir_fd, follow_symlinks=not nofollow).st_mode) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise refusal(path, st.st_mode)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def open_binary(path: str | os.PathLike[str], *, nofollow: bool = False) -> BinaryIO:
    """open(path, "rb") for a regular file only (a context manager like open's)."""
    return os.fdopen(open_fd(path, nofollow=nofollow), "rb")


def read_bytes(path: str | os.PathLike[str], limit: int, *, nofollow: bool = False) -> bytes:
    """At most `limit` bytes of the regular file at `path`."""
    with open_binary(path, nofollow=nofollow) as fh:
        return fh.read(limit)


def read_text(path: str | os.PathLike[str], limit: int, *, nofollow: bool = False) -> str:
    """At most `limit` bytes of the regular file at `path`, decoded as UTF-8 (bad bytes replaced)."""
    return read_bytes(path, limit, nofollow=nofollow).decode("utf-8", "replace")


def describe(e: OSError) -> str:
    """The reason to show for a failed open or read."""
    return e.strerror or str(e)
