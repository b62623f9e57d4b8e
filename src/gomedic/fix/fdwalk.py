"""Ownership and mode changes inside a user's home, made by root through directory file descriptors.

The user owns the directories being walked (after the first chown, at the latest) and can rename,
swap and link entries while root works. So nothing here uses a path after a check:

- the walk starts from the home directory's fd and opens each directory with O_DIRECTORY|O_NOFOLLOW
  relative to its parent's fd (a directory swapped for a symlink fails to open and is skipped);
- every other entry is opened with O_PATH|O_NOFOLLOW, checked with fstat on that fd, and changed with
  fchownat(fd, "", AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW): the inode checked is the inode changed, and a
  symlink's own owner is changed, never its target's;
- a regular file with more than one hard link is left alone unless the user already owns it (it
  may be a link to a root file: fs.protected_hardlinks=0), and said so;
- entries on another file system than the top (a mount point inside the cache) are not entered.
"""

from __future__ import annotations

import ctypes
import errno
import os
import stat
from collections.abc import Callable

from gomedic.safefs import DIR_FLAGS, UnsafePath, dir_fd, open_dir
from gomedic.values import frozen

AT_SYMLINK_NOFOLLOW = 0x100
AT_EMPTY_PATH = 0x1000
PATH_FLAGS = getattr(os, "O_PATH", 0o10000000) | os.O_NOFOLLOW | os.O_CLOEXEC
MAX_DEPTH = 200


@frozen
class Tally:
    """What a walk found (a dry run) or did: entries not owned by the user, and entries left alone."""

    foreign: int = 0
    hardlinked: int = 0  # regular files with several links, not the user's: left alone
    other_fs: int = 0  # directories on another file system: not entered
    changed: int = 0

    def notes(self) -> list[str]:
        out: list[str] = []
        if self.hardlinked:
            out.append(f"{self.hardlinked} file(s) with several hard links left alone (they may be links to "
                       "files elsewhere; check them with `find -links +1`)")
        if self.other_fs:
            out.append(f"{self.other_fs} mount point(s) not entered")
        return out


_libc: ctypes.CDLL | None = None


def _fchown_empty(fd: int, uid: int, gid: int) -> None:
    """fchownat(fd, "", uid, gid, AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW): works on O_PATH fds (symlinks too)."""
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    if _libc.fchownat(fd, b"", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


class _Walk:
    def __init__(self, uid: int, gid: int, apply: bool, cap: int) -> None:
        self.uid, self.gid, self.apply, self.cap = uid, gid, apply, cap
        self.foreign = self.hardlinked = self.other_fs = self.changed = 0
        self.dev = -1

    def full(self) -> bool:
        return not self.apply and self.foreign >= self.cap

    def tally(self) -> Tally:
        return Tally(self.foreign, self.hardlinked, self.other_fs, self.changed)

    def _own(self, fd: int, st: os.stat_result, chown: Callable[[int, int, int], None]) -> None:
        if st.st_uid == self.uid:
            return
        if stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            self.hardlinked += 1
            return
        self.foreign += 1
        if self.apply:
            chown(fd, self.uid, self.gid)
            self.changed += 1

    def directory(self, fd: int, depth: int) -> None:
        """fd: an open directory, already judged; its entries, recursively."""
        if depth > MAX_DEPTH:
            raise UnsafePath(f"directories nested deeper than {MAX_DEPTH}: not walked further")
        for name in os.listdir(fd):
            if self.full():
                return
            self.entry(fd, name, depth)

    def entry(self, parent: int, name: str, depth: int) -> None:
        try:
            sub = os.open(name, DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            return
        except OSError as e:
            if e.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            self.other(parent, name)
            return
        try:
            st = os.fstat(sub)
            if st.st_dev != self.dev:
                self.other_fs += 1
                return
            self._own(sub, st, os.fchown)
            self.directory(sub, depth + 1)
        finally:
            os.close(sub)

    def other(self, parent: int, name: str) -> None:
        """A non-directory (or a symlink): changed through an O_PATH fd on the very inode checked."""
        try:
            f = os.open(name, PATH_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            return
        try:
            st = os.fstat(f)
            if stat.S_ISDIR(st.st_mode):
                return  # swapped in between: a directory that was not walked; the next run sees it
            self._own(f, st, _fchown_empty)
        finally:
            os.close(f)


def chown_tree(top: str, home: str, uid: int, gid: int, *, apply: bool, cap: int = 1 << 62) -> Tally:
    """Count (apply=False, up to `cap` foreign entries) or change to uid:gid every entry of `top` (inside
    `home`) not owned by uid. Raises UnsafePath for a symlink on the way from `home` to `top`."""
    w = _Walk(uid, gid, apply, cap)
    parent = os.path.dirname(os.path.normpath(top))
    with dir_fd(parent, home) as pfd:
        name = os.path.basename(os.path.normpath(top))
        try:
            fd = os.open(name, DIR_FLAGS, dir_fd=pfd)
        except FileNotFoundError:
            return w.tally()
        except OSError as e:
            if e.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            w.dev = os.fstat(pfd).st_dev
            w.other(pfd, name)
            return w.tally()
        try:
            st = os.fstat(fd)
            w.dev = st.st_dev
            w._own(fd, st, os.fchown)
            w.directory(fd, 0)
        finally:
            os.close(fd)
    return w.tally()


def make_dirs(path: str, home: str, uid: int, gid: int, mode: int) -> list[str]:
    """mkdir -p `path` inside `home` with mkdirat relative to each parent fd, each new directory
    opened O_NOFOLLOW and fchowned to uid:gid. Returns the directories created."""
    made: list[str] = []
    parts = os.path.relpath(os.path.normpath(path), os.path.normpath(home)).split(os.sep)
    if parts == ["."] or ".." in parts:
        raise UnsafePath(f"{path} is not below {home}")
    fd = open_dir(home, home)
    cur = os.path.normpath(home)
    try:
        for part in parts:
            cur = os.path.join(cur, part)
            try:
                os.mkdir(part, mode, dir_fd=fd)
                created = True
            except FileExistsError:
                created = False
            try:
                nxt = os.open(part, DIR_FLAGS, dir_fd=fd)
            except OSError as e:
                if e.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise UnsafePath(f"{cur} is a symlink or not a directory: as root, gomedic does not "
                                     "follow a user's links") from None
                raise
            os.close(fd)
            fd = nxt
            if created:
                os.fchown(fd, uid, gid)
                os.fchmod(fd, mode)
                made.append(cur)
    finally:
        os.close(fd)
    return made


def add_mode_bits(path: str, home: str, bits: int) -> None:
    """chmod u+BITS on directory `path` inside `home`, through an fd opened without following links."""
    fd = open_dir(path, home)
    try:
        os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) | bits)
    finally:
        os.close(fd)
