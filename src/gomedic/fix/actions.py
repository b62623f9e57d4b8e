"""The changes `gomedic fix` can make, each a frozen value: create directories, hand a tree back to its
user, remove lines from a file, run the user's go (the rc-file block is in rcblock.py).

Every action checks again, when applied, that the change is still needed and still the one planned:
a file that changed since the plan is left alone (FixError), and nothing outside the planned paths is
touched. Ownership changes never follow symlinks.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from types import MappingProxyType

from gomedic import execx
from gomedic.errors import CommandError
from gomedic.fix import fdwalk
from gomedic.fix.backup import backup
from gomedic.fix.plan import FixError
from gomedic.fix.userfiles import os_error, read_text, write_preserving
from gomedic.values import field, frozen

COUNT_CAP = 100_000
CMD_TIMEOUT = 300.0


@frozen
class MakeDirs:
    """mkdir -p PATH, the new directories owned by the user the fix is for."""

    path: str
    uid: int
    gid: int
    owner: str  # user:group, for messages
    mode: int = 0o755
    home: str = ""  # root acting for this home's user: created through directory fds, no symlink followed

    def _missing(self) -> list[str]:
        out: list[str] = []
        p = self.path
        while p and not os.path.lexists(p):
            out.append(p)
            parent = os.path.dirname(p)
            if parent == p:
                break
            p = parent
        return list(reversed(out))

    def describe(self) -> str:
        return f"mkdir -p {self.path}  (owner {self.owner}, mode {self.mode:o})"

    def undo(self) -> str:
        missing = self._missing() or [self.path]
        return f"rmdir {' '.join(reversed(missing))}"

    def needed(self) -> bool:
        return not os.path.isdir(self.path)

    def needs_root(self) -> bool:
        if os.geteuid() == 0:
            return False
        missing = self._missing()
        parent = os.path.dirname(missing[0]) if missing else self.path
        return self.uid != os.geteuid() or not os.access(parent, os.W_OK | os.X_OK)

    def apply(self) -> tuple[str, ...]:
        if self.home and os.geteuid() == 0:
            try:
                fdwalk.make_dirs(self.path, self.home, self.uid, self.gid, self.mode)
            except OSError as e:
                raise os_error(f"cannot create {self.path}", e) from None
            return ()
        for p in self._missing():
            try:
                os.mkdir(p, self.mode)
                if os.geteuid() == 0 and self.uid != 0:
                    os.lchown(p, self.uid, self.gid)
            except OSError as e:
                raise os_error(f"cannot create {p}", e) from None
        return ()


@frozen
class ChownTree:
    """chown -R UID:GID TOP for every entry not owned by UID (symlinks themselves, never their targets),
    walked through directory fds from the user's home (fdwalk): files with several hard links and
    other file systems are left alone."""

    top: str
    uid: int
    gid: int
    owner: str  # user:group
    previous: str  # owner of TOP when planned, for the undo
    home: str  # the walk starts here and never leaves it

    def tally(self, cap: int = COUNT_CAP) -> fdwalk.Tally:
        return fdwalk.chown_tree(self.top, self.home, self.uid, self.gid, apply=False, cap=cap)

    def foreign(self, cap: int = COUNT_CAP) -> int:
        try:
            return self.tally(cap).foreign
        except OSError:
            return 1  # refused or unreadable: apply says why

    def describe(self) -> str:
        try:
            t = self.tally()
        except OSError as e:
            return f"chown -R {self.owner} {self.top}  (refused: {e.strerror or e})"
        n = t.foreign
        count = f"{n}+" if n >= COUNT_CAP else str(n)
        noun = "entry" if n == 1 else "entries"
        notes = "".join(f"; {x}" for x in t.notes())
        return f"chown -R {self.owner} {self.top}  ({count} {noun} not owned by {self.owner.split(':')[0]}{notes})"

    def undo(self) -> str:
        return f"chown -R {self.previous} {self.top}"

    def needed(self) -> bool:
        return self.foreign(cap=1) > 0

    def needs_root(self) -> bool:
        return os.geteuid() != 0

    def apply(self) -> tuple[str, ...]:
        try:
            fdwalk.chown_tree(self.top, self.home, self.uid, self.gid, apply=True)
        except OSError as e:
            raise os_error(f"cannot chown {self.top} (run as root: sudo gomedic fix --user "
                           f"{self.owner.split(':')[0]} --yes)", e) from None
        return ()


@frozen
class AddModeBits:
    """chmod u+rwx DIR (one directory, not recursive: the module cache's read-only entries stay so)."""

    path: str
    bits: int = stat.S_IRWXU
    home: str = ""  # root acting for this home's user: changed through an fd, no symlink followed

    def describe(self) -> str:
        return f"chmod u+rwx {self.path}"

    def undo(self) -> str:
        try:
            return f"chmod {stat.S_IMODE(os.stat(self.path).st_mode):o} {self.path}"
        except OSError:
            return f"chmod u-w {self.path}"

    def needed(self) -> bool:
        try:
            return (os.stat(self.path).st_mode & self.bits) != self.bits
        except OSError:
            return False

    def needs_root(self) -> bool:
        try:
            return os.geteuid() not in (0, os.stat(self.path).st_uid)
        except OSError:
            return False

    def apply(self) -> tuple[str, ...]:
        try:
            if self.home and os.geteuid() == 0:
                fdwalk.add_mode_bits(self.path, self.home, self.bits)
                return ()
            os.chmod(self.path, stat.S_IMODE(os.stat(self.path).st_mode) | self.bits)
        except OSError as e:
            raise os_error(f"cannot chmod {self.path}", e) from None
        return ()


def _read_lines(path: str, home: str = "", uid: int | None = None) -> list[str]:
    text = read_text(path, home, uid)
    if text is None:
        raise FixError(f"cannot read {path}: it does not exist")
    return text.split("\n")


@frozen
class RemoveLines:
    """Delete the given lines (1-based number and exact text) from a file, after a backup next to it."""

    path: str
    lines: tuple[tuple[int, str], ...]
    why: str = ""
    home: str = ""  # root acting for this home's user: the file must be inside it and theirs
    uid: int | None = None

    def _targets(self, current: list[str]) -> list[int] | None:
        """0-based indexes to delete; None when a planned line is no longer where (or what) it was."""
        idx: list[int] = []
        for n, text in self.lines:
            if 0 < n <= len(current) and current[n - 1] == text:
                idx.append(n - 1)
                continue
            found = [i for i, line in enumerate(current) if line == text and i not in idx]
            if len(found) > 1:
                return None  # moved, and ambiguous: leave the file alone
            idx += found  # moved (an earlier line was removed): the one line with that text; gone: nothing
        return idx

    def describe(self) -> str:
        shown = "; ".join(f"line {n}: {text}" for n, text in self.lines)
        return f"remove from {self.path}: {shown}" + (f"  ({self.why})" if self.why else "")

    def undo(self) -> str:
        return f"restore the backup: cp -p {self.path}.gomedic-<time>.bak {self.path}"

    def needed(self) -> bool:
        try:
            text = read_text(self.path, self.home, self.uid)
        except FixError:
            return bool(self.home)  # refused as root: apply says why
        if text is None:
            return False
        current = text.split("\n")
        return any(0 < n <= len(current) and current[n - 1] == t for n, t in self.lines) or \
            any(t in current for _, t in self.lines)

    def needs_root(self) -> bool:
        return not os.access(os.path.dirname(self.path) or ".", os.W_OK)

    def apply(self) -> tuple[str, ...]:
        current = _read_lines(self.path, self.home, self.uid)
        idx = self._targets(current)
        if idx is None:
            raise FixError(f"{self.path} changed since the plan was made; run `gomedic fix` again")
        if not idx:
            return ()
        saved = backup(self.path, home=self.home, uid=self.uid)
        kept = [line for i, line in enumerate(current) if i not in set(idx)]
        write_preserving(self.path, "\n".join(kept).encode("utf-8", "surrogateescape"), self.uid, None, self.home)
        return (saved,)


@frozen
class RunCommand:
    """Run a command (the user's own go: `go clean -cache`) with a timeout; a failure is a FixError."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    undo_text: str = "nothing to undo"
    shown_env: tuple[str, ...] = ()  # NAME=value prefixes worth showing in the description
    cwd: str | None = None

    def describe(self) -> str:
        return " ".join([*self.shown_env, *self.argv])

    def undo(self) -> str:
        return self.undo_text

    def needed(self) -> bool:
        return True

    def needs_root(self) -> bool:
        return False

    def apply(self) -> tuple[str, ...]:
        try:
            r = execx.run(self.argv, timeout=CMD_TIMEOUT, env=dict(self.env), cwd=self.cwd)
        except CommandError as e:
            raise FixError(str(e)) from None
        if not r.ok:
            raise FixError(r.describe())
        return ()
