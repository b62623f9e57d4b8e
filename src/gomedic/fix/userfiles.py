"""A user's files, read and written by gomedic: as root for another user (`home` given), only regular
files owned by that user, reached from their home through directory fds without following a symlink."""

from __future__ import annotations

import os
import stat

from gomedic.fix.plan import FixError
from gomedic.safefs import UnsafePath, dir_fd, lstat_at, open_file_at, read_fd, write_at


def os_error(what: str, e: OSError) -> FixError:
    return FixError(f"{what}: {e.strerror or e}")


def write_preserving(path: str, data: bytes, uid: int | None = None, gid: int | None = None,
                     home: str = "") -> None:
    """Atomically replace (or create) `path`, keeping the old file's mode and owner (new: 0644, uid/gid).

    With `home` (root acting for that home's user), the write goes through directory fds from `home`
    down, never following a symlink, and the old file must be a regular file owned by `uid`."""
    under = home or None
    try:
        if under is None:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with dir_fd(os.path.dirname(path) or ".", under) as d:
            name = os.path.basename(path)
            st = lstat_at(d, name)
            if under is not None and st is not None and (not stat.S_ISREG(st.st_mode) or st.st_uid != uid):
                raise UnsafePath(f"{path} is not a regular file owned by uid {uid}: as root, gomedic does not "
                                 "replace it")
            owner: tuple[int, int] | None = None
            if os.geteuid() == 0:
                if st is not None and stat.S_ISREG(st.st_mode):
                    owner = (st.st_uid, st.st_gid)
                elif uid is not None and gid is not None:
                    owner = (uid, gid)
            write_at(d, name, data, 0o644, owner)
    except OSError as e:
        raise os_error(f"cannot write {path}", e) from None


def read_text(path: str, home: str = "", uid: int | None = None) -> str | None:
    """The text of `path` (None when missing). With `home` (root acting for that home's user): read
    through directory fds from `home`, no symlink followed, and the file must be owned by `uid`."""
    under = home or None
    try:
        with dir_fd(os.path.dirname(path) or ".", under) as d:
            try:
                f = open_file_at(d, os.path.basename(path), path, uid if under else None)
            except FileNotFoundError:
                return None
            try:
                return read_fd(f).decode("utf-8", "surrogateescape")
            finally:
                os.close(f)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise os_error(f"cannot read {path}", e) from None
