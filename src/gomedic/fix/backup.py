"""Backups of edited files, next to the original with a UTC timestamp: `env` -> `env.gomedic-20261121T203000Z.bak`.

The copy keeps the original's bytes, mode, owner and times, so restoring is `cp -p BACKUP FILE` (or
`restore(BACKUP, FILE)`). Two backups in the same second get `.1`, `.2`, ... suffixes: none is overwritten.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timezone

from gomedic.fix.plan import FixError

SUFFIX = ".bak"


def stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def backup_name(path: str, ts: str, n: int = 0) -> str:
    return f"{path}.gomedic-{ts}{'.' + str(n) if n else ''}{SUFFIX}"


# One backup per file per process (one `gomedic fix` run): the first holds the original.
_made: dict[str, str] = {}


def backup(path: str, ts: str | None = None, *, once: bool = True) -> str:
    """Copy `path` to a new backup file next to it; return the backup's path.

    With `once`, a file edited by several plans of one run is backed up before the first edit only.
    """
    key = os.path.realpath(path)
    if once and key in _made and os.path.exists(_made[key]):
        return _made[key]
    dest = _copy(path, ts or stamp())
    _made[key] = dest
    return dest


def _copy(path: str, ts: str) -> str:
    for n in range(1000):
        dest = backup_name(path, ts, n)
        try:
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        except OSError as e:
            raise FixError(f"cannot back up {path} to {dest}: {e.strerror or e}") from None
        os.close(fd)
        try:
            shutil.copyfile(path, dest)
            shutil.copystat(path, dest)
            st = os.stat(path)
            if os.geteuid() == 0:
                os.chown(dest, st.st_uid, st.st_gid)
        except OSError as e:
            raise FixError(f"cannot back up {path} to {dest}: {e.strerror or e}") from None
        return dest
    raise FixError(f"cannot back up {path}: too many backups named {backup_name(path, ts)}")


def restore(backup_path: str, path: str) -> None:
    """Put a backup back in place (bytes, mode, times and, as root, owner)."""
    try:
        shutil.copyfile(backup_path, path)
        shutil.copystat(backup_path, path)
        if os.geteuid() == 0:
            st = os.stat(backup_path)
            os.chown(path, st.st_uid, st.st_gid)
    except OSError as e:
        raise FixError(f"cannot restore {path} from {backup_path}: {e.strerror or e}") from None
