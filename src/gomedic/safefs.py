"""File access that cannot be redirected by whoever owns the directories: everything goes through
directory file descriptors.

gomedic runs as root inside directories other users can write (a user's home for `fix --user`, a
user-writable directory given to `-o`). Between a check and a use by path, such a user can swap a name
for a symlink or a hard link to a root file. So, here:

- a directory is opened once (`open_dir`); with `under` (the user's home, when root acts for that user)
  every component from `under` down is opened with O_NOFOLLOW|O_DIRECTORY, so no symlink is followed;
- files are created with O_CREAT|O_EXCL|O_NOFOLLOW relative to the directory fd, changed with
  fchmod/fchown on the open fd, and renamed with renameat (os.replace with dir fds), then the
  directory is fsynced;
- files are read with O_NOFOLLOW|O_NONBLOCK relative to the directory fd and must be regular files
  (a FIFO or device is refused at once), owned by whom the caller expects.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
READ_CAP = 64 << 20


class UnsafePath(OSError):
    """A path gomedic refuses to use as root: a symlink on the way, outside the allowed directory,
    not a regular file, or not owned by whom it must be. The message says which and why."""

    def __init__(self, message: str) -> None:
        super().__init__(errno.EPERM, message)
        self.message = message

    def __str__(self) -> str:
        return self.message


def inside(path: str, top: str) -> bool:
    """Whether `path` is `top` or below it, by name (no symlink resolution: that is open_dir's job)."""
    p, t = os.path.normpath(path), os.path.normpath(top)
    return t != "/" and (p == t or p.startswith(t.rstrip("/") + "/"))


def _relparts(path: str, under: str) -> list[str]:
    if not os.path.isabs(path) or not inside(path, under):
        raise UnsafePath(f"{path} is not inside {under}: as root, gomedic changes files only inside the user's home")
    rel = os.path.relpath(os.path.normpath(path), os.path.normpath(under))
    return [] if rel == "." else rel.split(os.sep)


def _open_component(parent_fd: int, name: str, shown: str) -> int:
    try:
        return os.open(name, DIR_FLAGS, dir_fd=parent_fd)
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENOTDIR):
            raise UnsafePath(f"{shown} is a symlink or not a directory: as root, gomedic does not follow "
                             "a user's links") from None
        raise


def open_dir(path: str, under: str | None = None) -> int:
    """An fd for directory `path` (the caller closes it).

    Without `under`, `path` is opened as named (whoever runs gomedic named it). With `under`, `path`
    must lie inside it and no component from `under` itself downwards may be a symlink.
    """
    if under is None:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    parts = _relparts(path, under)
    fd = os.open(under, DIR_FLAGS)
    shown = os.path.normpath(under)
    try:
        for part in parts:
            shown = os.path.join(shown, part)
            nxt = _open_component(fd, part, shown)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextmanager
def dir_fd(path: str, under: str | None = None) -> Iterator[int]:
    fd = open_dir(path, under)
    try:
        yield fd
    finally:
        os.close(fd)


def lstat_at(fd: int, name: str) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def open_file_at(fd: int, name: str, shown: str, owner: int | None = None) -> int:
    """Open an existing regular file for reading, never through a symlink; `owner`: the uid it must have."""
    try:
        f = os.open(name, READ_FLAGS, dir_fd=fd)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UnsafePath(f"{shown} is a symlink: as root, gomedic does not read through a user's links "
                             "(replace it with a regular file, or run gomedic as its owner)") from None
        raise
    st = os.fstat(f)
    problem = ""
    if not stat.S_ISREG(st.st_mode):
        problem = f"{shown} is not a regular file"
    elif owner is not None and st.st_uid != owner:
        problem = f"{shown} is owned by uid {st.st_uid}, not {owner}: as root, gomedic reads only the user's own files"
    elif owner is not None and st.st_nlink > 1 and owner != 0:
        problem = f"{shown} has {st.st_nlink} hard links: as root, gomedic does not read a file linked elsewhere"
    if problem:
        os.close(f)
        raise UnsafePath(problem)
    return f


def read_fd(f: int, cap: int = READ_CAP) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        b = os.read(f, 1 << 20)
        if not b:
            return b"".join(chunks)
        size += len(b)
        if size > cap:
            raise OSError(errno.EFBIG, f"larger than {cap >> 20} MiB")
        chunks.append(b)


def read_file(path: str, under: str | None = None, owner: int | None = None) -> bytes | None:
    """The bytes of regular file `path` (None when it does not exist), read without following a symlink
    in its last component (nor, with `under`, in any component below `under`)."""
    with dir_fd(os.path.dirname(path) or ".", under) as d:
        try:
            f = open_file_at(d, os.path.basename(path), path, owner)
        except FileNotFoundError:
            return None
        try:
            return read_fd(f)
        finally:
            os.close(f)


def _write_all(f: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(f, view)
        view = view[n:]


def create_temp_at(d: int, name: str) -> tuple[int, str]:
    """A new file `.NAME.XXXX.tmp` (mode 0600) in the directory fd `d`: (fd, its name)."""
    import secrets  # here, not at top: it imports hashlib (OpenSSL) and random, ~3 ms of every start

    for _ in range(100):
        tmp = f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, CREATE_FLAGS, 0o600, dir_fd=d), tmp
        except FileExistsError:
            continue
    raise OSError(errno.EEXIST, f"cannot create a temporary file for {name}")


def write_at(d: int, name: str, data: bytes, mode: int | None = None,
             owner: tuple[int, int] | None = None, keep: bool = True) -> None:
    """Atomically replace (or create) `name` in directory fd `d`: temp file, write, fchmod/fchown, fsync,
    renameat, fsync the directory. With `keep`, an existing regular file's mode is kept (a 0600 file
    stays 0600); `mode` is for a new file (0644 when None)."""
    old = lstat_at(d, name)
    final = mode if mode is not None else 0o644
    if keep and old is not None and stat.S_ISREG(old.st_mode):
        final = stat.S_IMODE(old.st_mode)
    f, tmp = create_temp_at(d, name)
    try:
        try:
            _write_all(f, data)
            if owner is not None:
                os.fchown(f, *owner)
            os.fchmod(f, final)
            os.fsync(f)
            mine = os.fstat(f)
        finally:
            os.close(f)
        now = lstat_at(d, tmp)
        if now is None or (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino):
            raise UnsafePath(f"the temporary file {tmp} for {name} was replaced while being written "
                             "(someone else writes in that directory): nothing was changed")
        os.replace(tmp, name, src_dir_fd=d, dst_dir_fd=d)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=d)
        except OSError:
            pass
        raise
    os.fsync(d)


def write_file(path: str, data: bytes, mode: int | None = None, owner: tuple[int, int] | None = None,
               under: str | None = None, keep: bool = True) -> None:
    """write_at for a path: its directory opened with open_dir(dirname, under)."""
    with dir_fd(os.path.dirname(path) or ".", under) as d:
        write_at(d, os.path.basename(path), data, mode, owner, keep)


def copy_fd(src: int, dst: int) -> None:
    while True:
        b = os.read(src, 1 << 20)
        if not b:
            return
        _write_all(dst, b)
