"""kind: file — a path's existence, type, permission bits, owner, group, size and content.

    - name: app-config
      kind: file
      path: /etc/app/config.yaml
      exists: true                # default true; `exists: false` asserts the path is absent
      type: file                  # file, directory, symlink, socket, fifo, char, block
      mode: "0640"                # exact permission bits (quote it: YAML reads 0640 as a number)
      mode_max: "0640"            # or: no permission bit beyond these
      owner: app                  # user name or uid
      group: app                  # group name or gid
      size: {le: 1048576}         # matcher, bytes
      contains: ["listen:", "tls:"]   # substrings of the content (first 16 MiB)

The path is examined with lstat, so a symlink is reported as a symlink.
"""

from __future__ import annotations

import os
import stat
from typing import Any, ClassVar, Literal

import msgspec

from gomedic import safeio
from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.matchers import Expect, check, describe

MAX_READ = 16 << 20
FileType = Literal["file", "directory", "symlink", "socket", "fifo", "char", "block"]
_TYPES: dict[str, str] = {
    "file": "S_ISREG", "directory": "S_ISDIR", "symlink": "S_ISLNK", "socket": "S_ISSOCK",
    "fifo": "S_ISFIFO", "char": "S_ISCHR", "block": "S_ISBLK",
}


def parse_mode(v: str | int) -> int:
    if isinstance(v, bool) or not isinstance(v, str):
        raise ValueError("write a mode as a quoted octal string, e.g. \"0640\" (YAML reads 0640 as the number 416)")
    s = v.strip()
    s = s[2:] if s[:2].lower() == "0o" else s
    if not s or any(ch not in "01234567" for ch in s) or int(s, 8) > 0o7777:
        raise ValueError(f"{v!r} is not an octal mode like \"0640\"")
    return int(s, 8)


def kind_of(mode: int) -> str:
    for name, fn in _TYPES.items():
        if getattr(stat, fn)(mode):
            return name
    return "unknown"


class FileCheck(Common, tag="file", frozen=True):
    path: str
    exists: bool = True
    type: FileType | None = None
    mode: str | int | None = None
    mode_max: str | int | None = None
    owner: str | int | None = None
    group: str | int | None = None
    size: Expect | None = None
    contains: str | list[str] = msgspec.field(default_factory=list)

    DEFAULT_CATEGORY: ClassVar[Category] = Category.FILESYSTEM

    def default_title(self) -> str:
        return f"{self.path} is as declared" if self.exists else f"{self.path} does not exist"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not self.path:
            out.append((("path",), "path is empty"))
        for f in ("mode", "mode_max"):
            v = getattr(self, f)
            if v is not None:
                try:
                    parse_mode(v)
                except ValueError as e:
                    out.append(((f,), f"{f}: {e}"))
        return out + matcher_problems("size", self.size)


def _owner_name(uid: int) -> str:
    import pwd

    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


def _group_name(gid: int) -> str:
    import grp

    try:
        return grp.getgrgid(gid).gr_name
    except KeyError:
        return str(gid)


def _same(want: str | int, num: int, name: str) -> bool:
    w = str(want)
    return w == name or (w.isdigit() and int(w) == num)


def _missing_substrings(path: str, wanted: list[str]) -> list[str]:
    with safeio.open_binary(path) as fh:
        data = fh.read(MAX_READ)
    content = data.decode("utf-8", "replace")
    return [s for s in wanted if s not in content]


SCHEMA = FileCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: FileCheck, facts: Facts) -> Finding:
    path = os.path.join(facts.cwd, c.path)
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        if not c.exists:
            return ok(f"{c.path} does not exist, as declared", path=c.path)
        return fail(f"{c.path} does not exist", fix=c.fix or f"create {c.path}", path=c.path)
    except OSError as e:
        return fail(
            f"cannot stat {c.path}: {e.strerror}",
            fix=c.fix or f"check the permissions of {c.path}'s directories",
            path=c.path,
        )
    perm = stat.S_IMODE(st.st_mode)
    typ = kind_of(st.st_mode)
    owner, group = _owner_name(st.st_uid), _group_name(st.st_gid)
    ev: dict[str, Any] = {
        "path": c.path,
        "type": typ,
        "mode": f"{perm:04o}",
        "owner": owner,
        "group": group,
        "size": st.st_size,
    }
    if not c.exists:
        return fail(
            f"{c.path} exists ({typ}, mode {perm:04o}) but is declared absent", fix=c.fix or f"rm {c.path}", **ev
        )
    bad: list[str] = []
    fixes: list[str] = []
    if c.type is not None and typ != c.type:
        bad.append(f"is a {typ}, not a {c.type}")
    if c.mode is not None and perm != parse_mode(c.mode):
        bad.append(f"mode {perm:04o}, expected {parse_mode(c.mode):04o}")
        fixes.append(f"chmod {parse_mode(c.mode):04o} {c.path}")
    if c.mode_max is not None and perm & ~parse_mode(c.mode_max):
        limit = parse_mode(c.mode_max)
        bad.append(f"mode {perm:04o} allows more than {limit:04o}")
        fixes.append(f"chmod {perm & limit:04o} {c.path}")
    if c.owner is not None and not _same(c.owner, st.st_uid, owner):
        bad.append(f"owned by {owner}, not {c.owner}")
        fixes.append(f"chown {c.owner} {c.path}")
    if c.group is not None and not _same(c.group, st.st_gid, group):
        bad.append(f"group {group}, not {c.group}")
        fixes.append(f"chgrp {c.group} {c.path}")
    if c.size is not None and not check(c.size, st.st_size):
        bad.append(f"size {st.st_size} bytes is not {describe(c.size)}")
    wanted = [c.contains] if isinstance(c.contains, str) else list(c.contains)
    if wanted:
        if typ != "file" and not (typ == "symlink" and os.path.isfile(path)):
            bad.append(f"is a {typ}: cannot look for content")
        else:
            try:
                missing = _missing_substrings(path, wanted)
            except OSError as e:
                missing = []
                bad.append(f"cannot read: {e.strerror}")
            if missing:
                bad.append("does not contain " + ", ".join(repr(m) for m in missing))
    if bad:
        return fail(f"{c.path}: " + "; ".join(bad), fix=c.fix or "; ".join(fixes) or None, **ev)
    return ok(f"{c.path}: {typ}, mode {perm:04o}, {owner}:{group}, {st.st_size} bytes", **ev)
