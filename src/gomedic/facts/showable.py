"""Whether root may show what a file says: never the content of a file the user who controls its name
could not read themselves.

As root, gomedic reads files in directories other users own (a module's go.mod and go.work, under
`sudo gomedic check` or `gate`). Such a user can make the name a symlink or a hard link to /etc/shadow;
quoting the parsed file (an `unknown directive: root:$y$...` error, a module name) would hand them its
lines. So the file is opened once, and its content is used only when every non-root user who controls
the name (the owner of the directory entry and of the directory) could read the opened file.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat

from gomedic import safeio
from gomedic.safefs import UnsafePath


def _ids(uid: int) -> tuple[int, set[int]]:
    try:
        pw = pwd.getpwuid(uid)
    except KeyError:
        return uid, set()
    try:
        groups = set(os.getgrouplist(pw.pw_name, pw.pw_gid))
    except OSError:
        groups = {pw.pw_gid}
    groups |= {g.gr_gid for g in grp.getgrall() if pw.pw_name in g.gr_mem}
    return uid, groups


def _allowed(st: os.stat_result, uid: int, groups: set[int], bit: int) -> bool:
    """bit: 4 read, 1 search; owner, then group, then other, as the kernel decides (no ACLs)."""
    mode = stat.S_IMODE(st.st_mode)
    if st.st_uid == uid:
        return bool(mode & (bit << 6))
    if st.st_gid in groups:
        return bool(mode & (bit << 3))
    return bool(mode & bit)


def may_read(uid: int, real: str, st: os.stat_result) -> bool:
    """Whether user `uid` could open `real` (stat `st`) for reading: the file's bits and every directory's
    search bit on the way."""
    _, groups = _ids(uid)
    if not _allowed(st, uid, groups, 4):
        return False
    d = os.path.dirname(real)
    while True:
        try:
            if not _allowed(os.stat(d), uid, groups, 1):
                return False
        except OSError:
            return False
        if d == "/":
            return True
        d = os.path.dirname(d)


def controllers(path: str) -> set[int]:
    """The non-root users who control the name `path`: owner of the entry (a symlink's own owner) and of
    its directory."""
    out: set[int] = set()
    for p, follow in ((path, False), (os.path.dirname(os.path.abspath(path)), True)):
        try:
            out.add(os.stat(p, follow_symlinks=follow).st_uid)
        except OSError:
            continue
    return out - {0}


def open_showable(path: str) -> int:
    """An fd for reading `path`. As root, raises UnsafePath when a user who controls the name could not
    read the file opened (a link to a file they cannot read): its content must not be shown."""
    fd = safeio.open_fd(path)  # a FIFO, socket or device is refused at once, for everyone
    if os.geteuid() != 0:
        return fd
    try:
        st = os.fstat(fd)
        real = os.readlink(f"/proc/self/fd/{fd}")
        for uid in sorted(controllers(path)):
            if st.st_uid != uid and not may_read(uid, real, st):
                try:
                    who = pwd.getpwuid(uid).pw_name
                except KeyError:
                    who = f"uid {uid}"
                raise UnsafePath(f"{path} is not shown: it leads to a file {who} (who controls that name) cannot "
                                 "read, and gomedic running as root does not show such files")
    except BaseException:
        os.close(fd)
        raise
    return fd
