"""Backups of edited files, next to the original with a UTC timestamp: `env` -> `env.gomedic-20261121T203000Z.bak`.

The copy keeps the original's bytes, mode, owner and times, so restoring is `cp -p BACKUP FILE` (or
`restore(BACKUP, FILE)`). Two backups in the same second get `.1`, `.2`, ... suffixes: none is overwritten.
"""

from __future__ import annotations

import os
import stat
from datetime import datetime, timezone

from gomedic.fix.plan import FixError
from gomedic.safefs import CREATE_FLAGS, copy_fd, dir_fd, open_file_at, read_fd, write_file

SUFFIX = ".bak"


def stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def backup_name(path: str, ts: str, n: int = 0) -> str:
    return f"{path}.gomedic-{ts}{'.' + str(n) if n else ''}{SUFFIX}"


# One backup per file per process (one `gomedic fix` run): the first holds the original.
_made: dict[str, str] = {}


def backup(path: str, ts: str | None = None, *, once: bool = True, home: str = "", uid: int | None = None) -> str:
    """Copy `path` to a new backup file next to it; return the backup's path.

    With `once`, a file edited by several plans of one run is backed up before the first edit only.
    With `home` (root acting for that home's user), `path` must be a regular file owned by `uid`,
    reached from `home` without following a symlink.
    """
    key = os.path.abspath(path)
    if once and key in _made and os.path.lexists(_made[key]):
        return _made[key]
    dest = _copy(path, ts or stamp(), home or None, uid)
    _made[key] = dest
    return dest


def _copy(path: str, ts: str, under: str | None, uid: int | None) -> str:
    """The copy: source opened O_NOFOLLOW, backup created O_CREAT|O_EXCL|O_NOFOLLOW, both relative to
    the directory's fd; mode, owner and times set on the backup's fd."""
    try:
        with dir_fd(os.path.dirname(path) or ".", under) as d:
            src = open_file_at(d, os.path.basename(path), path, uid if under else None)
            try:
                return _copy_at(d, src, path, ts)
            finally:
                os.close(src)
    except OSError as e:
        raise FixError(f"cannot back up {path}: {e.strerror or e}") from None


def _copy_at(d: int, src: int, path: str, ts: str) -> str:
    st = os.fstat(src)
    for n in range(1000):
        dest = backup_name(path, ts, n)
        try:
            out = os.open(os.path.basename(dest), CREATE_FLAGS, 0o600, dir_fd=d)
        except FileExistsError:
            continue
        try:
            copy_fd(src, out)
            if os.geteuid() == 0:
                os.fchown(out, st.st_uid, st.st_gid)
            os.fchmod(out, stat.S_IMODE(st.st_mode))
            os.utime(out, ns=(st.st_atime_ns, st.st_mtime_ns))
            os.fsync(out)
        finally:
            os.close(out)
        return dest
    raise FixError(f"cannot back up {path}: too many backups named {backup_name(path, ts)}")


def restore(backup_path: str, path: str) -> None:
    """Put a backup back in place (bytes, mode, times and, as root, owner), never through a symlink."""
    try:
        with dir_fd(os.path.dirname(backup_path) or ".") as d:
            src = open_file_at(d, os.path.basename(backup_path), backup_path)
            try:
                st = os.fstat(src)
                data = read_fd(src)
            finally:
                os.close(src)
        write_file(path, data, stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid) if os.geteuid() == 0 else None,
                   keep=False)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns), follow_symlinks=False)
    except OSError as e:
        raise FixError(f"cannot restore {path} from {backup_path}: {e.strerror or e}") from None
