"""Users and groups of a root file system: NSS (pwd/grp) for `/`, /etc/passwd and /etc/group otherwise.

`parse_passwd` / `parse_group` are pure; malformed lines are skipped.
"""

from __future__ import annotations

import grp
import os
import pwd
from pathlib import Path

from gomedic.facts.access import Principal
from gomedic.facts.limits import read_text
from gomedic.values import frozen


@frozen
class Account:
    name: str
    uid: int
    gid: int
    group: str
    home: str
    shell: str
    groups: frozenset[int]  # primary and supplementary gids

    def principal(self) -> Principal:
        return Principal(self.uid, self.groups | {self.gid}, self.name)


def parse_passwd(text: str) -> dict[str, tuple[int, int, str, str]]:
    out: dict[str, tuple[int, int, str, str]] = {}
    for line in text.splitlines():
        f = line.split(":")
        if len(f) >= 7 and f[2].isdecimal() and f[3].isdecimal() and f[0] not in out:
            out[f[0]] = (int(f[2]), int(f[3]), f[5], f[6])
    return out


def parse_group(text: str) -> dict[str, tuple[int, tuple[str, ...]]]:
    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    for line in text.splitlines():
        f = line.split(":")
        if len(f) >= 4 and f[2].isdecimal() and f[0] not in out:
            out[f[0]] = (int(f[2]), tuple(m for m in f[3].split(",") if m))
    return out


def _live(root: Path) -> bool:
    return str(root) == "/"


def lookup_user(root: Path, name: str) -> Account | None:
    """The account `name` (or a numeric uid) on this root, or None when it does not exist."""
    if _live(root):
        try:
            pw = pwd.getpwuid(int(name)) if name.isdecimal() else pwd.getpwnam(name)
        except (KeyError, OverflowError):
            return None
        try:
            gids = frozenset(os.getgrouplist(pw.pw_name, pw.pw_gid))
        except OSError:
            gids = frozenset({pw.pw_gid})
        return Account(pw.pw_name, pw.pw_uid, pw.pw_gid, group_name(root, pw.pw_gid), pw.pw_dir, pw.pw_shell, gids)
    users = parse_passwd(read_text(root, "/etc/passwd", 1 << 22) or "")
    groups = parse_group(read_text(root, "/etc/group", 1 << 22) or "")
    hit = next(((n, v) for n, v in users.items() if n == name or (name.isdecimal() and v[0] == int(name))), None)
    if hit is None:
        return None
    n, (uid, gid, home, shell) = hit
    gids = frozenset({gid} | {g for g, members in groups.values() if n in members})
    gname = next((g for g, (i, _m) in groups.items() if i == gid), str(gid))
    return Account(n, uid, gid, gname, home, shell, gids)


def lookup_group(root: Path, name: str) -> int | None:
    if _live(root):
        try:
            return grp.getgrgid(int(name)).gr_gid if name.isdecimal() else grp.getgrnam(name).gr_gid
        except (KeyError, OverflowError):
            return None
    groups = parse_group(read_text(root, "/etc/group", 1 << 22) or "")
    if name.isdecimal():
        return int(name)
    return groups[name][0] if name in groups else None


def group_name(root: Path, gid: int) -> str:
    if _live(root):
        try:
            return grp.getgrgid(gid).gr_name
        except (KeyError, OverflowError):
            return str(gid)
    groups = parse_group(read_text(root, "/etc/group", 1 << 22) or "")
    return next((g for g, (i, _m) in groups.items() if i == gid), str(gid))
