"""Can this user read, write or execute this path? Evaluated for a given uid and groups, not for gomedic.

`can(path, principal, want)` answers the question the kernel answers at open(2)/execve(2) time, from
stat(2) data alone: every ancestor directory needs search (x) permission; the file itself needs the asked
bits from the owner, group or other triplet (the first class that matches decides, as in the kernel);
root bypasses read/write bits and needs one x bit to execute a regular file; writes to a read-only mount
fail for everyone. POSIX ACLs and LSMs are not evaluated (the reason says so when an ACL is present).

With `create=True`, a path that does not exist yet is evaluated as "can it be created": write and search
permission on the nearest existing ancestor directory (what `paths.gocache` needs).
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from collections.abc import Callable

from gomedic.values import frozen

MAX_DEPTH = 256  # path components; deeper is treated as unresolvable


# What is wanted: an OR of the bits R, W and X (as in a mode's triplet). Plain ints, not an enum.IntFlag:
# building that class is ~1 ms of `gomedic check`'s start-up (bench/README.md).
Want = int
R, W, X = 4, 2, 1


def describe(want: Want) -> str:
    names = [n for n, bit in (("read", R), ("write", W), ("execute", X)) if want & bit]
    return "/".join(names) or "nothing"


@frozen
class Principal:
    """Who wants access: a uid and the full set of group ids (primary and supplementary)."""

    uid: int
    gids: frozenset[int]
    name: str = ""

    @property
    def is_root(self) -> bool:
        return self.uid == 0

    def label(self) -> str:
        return f"{self.name or self.uid} (uid {self.uid})"


@frozen
class Access:
    """The answer, with what it was decided on: the path whose bits decided it, its owner and mode."""

    ok: bool
    reason: str
    path_examined: str
    owner: str = ""
    mode: str = ""


def _owner(st: os.stat_result) -> str:
    return f"{_user_name(st.st_uid)}:{_group_name(st.st_gid)}"


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return str(uid)


def _group_name(gid: int) -> str:
    try:
        return grp.getgrgid(gid).gr_name
    except (KeyError, OverflowError):
        return str(gid)


def mode_string(st_mode: int) -> str:
    return stat.filemode(st_mode)


def allowed_bits(st: os.stat_result, who: Principal) -> int:
    """The rwx bits (as a Want value) `who` gets on a file with this stat, before root's bypass."""
    mode = st.st_mode
    if st.st_uid == who.uid:
        return (mode >> 6) & 7
    if st.st_gid in who.gids:
        return (mode >> 3) & 7
    return mode & 7


def bits_ok(st: os.stat_result, who: Principal, want: Want) -> bool:
    """Whether `who` has `want` on an object with this stat (mode bits only, as the kernel's generic check)."""
    if who.is_root:
        if want & X and not stat.S_ISDIR(st.st_mode):
            return bool(st.st_mode & 0o111)
        return True
    return (allowed_bits(st, who) & want) == want


def _readonly_mount(path: str) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _has_acl(path: str) -> bool:
    try:
        return "system.posix_acl_access" in os.listxattr(path)
    except (OSError, AttributeError):
        return False


def _deny(path: str, st: os.stat_result, who: Principal, want: Want, what: str) -> Access:
    acl = " (a POSIX ACL is present and was not evaluated)" if _has_acl(path) else ""
    return Access(False, f"{who.label()} has no {describe(want)} permission on {what} {path} "
                  f"({mode_string(st.st_mode)} {_owner(st)}){acl}", path, _owner(st), mode_string(st.st_mode))


def can(
    path: str | os.PathLike[str],
    who: Principal,
    want: Want,
    *,
    create: bool = False,
    root: str = "/",
    stat_fn: Callable[[str], os.stat_result] = os.stat,
) -> Access:
    """Whether `who` can `want` `path`; symlinks are followed as open(2) follows them.

    With `root` (an unpacked root file system holding `path`), the walk starts at `root`: the directories
    above it are not the program's business (symlinks are still resolved on this host)."""
    raw = os.fspath(path)
    if not raw:
        return Access(False, "empty path", raw)
    absolute = os.path.abspath(raw)
    try:
        real = os.path.realpath(absolute)
    except (OSError, RuntimeError, ValueError) as e:
        return Access(False, f"cannot resolve {absolute}: {e}", absolute)
    base = os.path.realpath(root)
    current = os.sep
    if base != os.sep and (real == base or real.startswith(base + os.sep)):
        current, real = base, real[len(base):] or os.sep
    parts = [p for p in real.split(os.sep) if p]
    if len(parts) > MAX_DEPTH:
        return Access(False, f"{absolute} is nested more than {MAX_DEPTH} levels deep", absolute)
    for i, part in enumerate(parts):
        try:
            st = stat_fn(current)
        except OSError as e:
            return Access(False, f"cannot stat {current}: {e.strerror or e}", current)
        if not stat.S_ISDIR(st.st_mode):
            return Access(False, f"{current} is not a directory", current, _owner(st), mode_string(st.st_mode))
        if not bits_ok(st, who, X):
            return _deny(current, st, who, X, "directory")
        nxt = os.path.join(current, part)
        try:
            stat_fn(nxt)
        except FileNotFoundError:
            if not create:
                return Access(False, f"{absolute} does not exist (no {nxt})", nxt)
            return _creatable(current, st, who, absolute, last=i == len(parts) - 1)
        except OSError as e:
            return Access(False, f"cannot stat {nxt}: {e.strerror or e}", nxt)
        current = nxt
    return _final(current, absolute, who, want, stat_fn)


def _creatable(parent: str, st: os.stat_result, who: Principal, absolute: str, *, last: bool) -> Access:
    """`absolute` is missing below `parent` (an existing, searchable directory): can it be created?"""
    what = absolute if last else f"{absolute} (and its missing parents)"
    if _readonly_mount(parent):
        return Access(False, f"{parent} is on a read-only file system: cannot create {what}", parent,
                      _owner(st), mode_string(st.st_mode))
    if not bits_ok(st, who, W | X):
        acc = _deny(parent, st, who, W | X, "directory")
        return Access(False, f"cannot create {what}: {acc.reason}", parent, acc.owner, acc.mode)
    return Access(True, f"{what} does not exist; {who.label()} can create it in {parent}", parent,
                  _owner(st), mode_string(st.st_mode))


def _final(real: str, absolute: str, who: Principal, want: Want, stat_fn: Callable[[str], os.stat_result]) -> Access:
    try:
        st = stat_fn(real)
    except OSError as e:
        return Access(False, f"cannot stat {real}: {e.strerror or e}", real)
    if want & W and _readonly_mount(real):
        return Access(False, f"{real} is on a read-only file system", real, _owner(st), mode_string(st.st_mode))
    shown = absolute if absolute == real else f"{absolute} (-> {real})"
    kind = "directory" if stat.S_ISDIR(st.st_mode) else "file"
    if not bits_ok(st, who, want):
        acc = _deny(real, st, who, want, kind)
        return Access(False, acc.reason.replace(f"{kind} {real}", f"{kind} {shown}", 1), real, acc.owner, acc.mode)
    return Access(True, f"{who.label()} can {describe(want)} {shown} ({mode_string(st.st_mode)} {_owner(st)})",
                  real, _owner(st), mode_string(st.st_mode))


def principal_for_user(name_or_uid: str | int) -> Principal:
    """The Principal a process started as this user gets (initgroups: primary plus supplementary groups).

    Raises KeyError when the user does not exist.
    """
    if isinstance(name_or_uid, int) or str(name_or_uid).isdecimal():
        pw = pwd.getpwuid(int(name_or_uid))
    else:
        pw = pwd.getpwnam(str(name_or_uid))
    try:
        gids = frozenset(os.getgrouplist(pw.pw_name, pw.pw_gid))
    except OSError:
        gids = frozenset({pw.pw_gid})
    return Principal(pw.pw_uid, gids, pw.pw_name)


def current_principal() -> Principal:
    """The effective user and groups of this process."""
    uid = os.geteuid()
    return Principal(uid, frozenset({os.getegid(), *os.getgroups()}), _user_name(uid))


def dangling_link(path: str) -> tuple[str, str] | None:
    """(link, target) of the first component of `path` that is a symlink to nothing, if any.

    go creates its caches with os.MkdirAll, which stops at the first component that does not stat;
    when that component is a dangling symlink, mkdir(2) fails with EEXIST and go reports
    `mkdir <link>: file exists`, although the path looks creatable."""
    current = os.sep
    for part in [p for p in os.path.abspath(path).split(os.sep) if p][:MAX_DEPTH]:
        current = os.path.join(current, part)
        try:
            os.stat(current)
            continue
        except OSError:
            pass
        if not os.path.islink(current):
            return None
        try:
            target = os.readlink(current)
        except OSError:
            return None
        return current, os.path.normpath(os.path.join(os.path.dirname(current), target))
    return None
