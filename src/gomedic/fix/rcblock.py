"""The marked block `gomedic fix --edit-rc` writes into a shell rc file (replaced in place on later runs).

`replace_block` is pure: the text with the block set to the given lines, appended once when absent.
"""

from __future__ import annotations

import os

from gomedic.fix import fdwalk
from gomedic.fix.backup import backup
from gomedic.fix.plan import FixError
from gomedic.fix.userfiles import os_error, read_text, write_preserving
from gomedic.values import frozen

BEGIN = "# >>> gomedic shellenv >>>"
END = "# <<< gomedic shellenv <<<"


def replace_block(text: str, body: list[str], begin: str = BEGIN, end: str = END) -> str:
    """`text` with the marked block set to `body` (replaced in place, or appended once)."""
    block = "\n".join([begin, *body, end])
    lines = text.split("\n")
    if begin in lines:
        i = lines.index(begin)
        j = lines.index(end, i) if end in lines[i:] else len(lines) - 1
        return "\n".join([*lines[:i], block, *lines[j + 1:]])
    sep = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return f"{text}{sep}{block}\n"


@frozen
class WriteBlock:
    """Write a marked block (the shellenv lines) into an rc file; the file is backed up first."""

    path: str
    body: tuple[str, ...]
    uid: int
    gid: int
    home: str = ""  # root acting for this home's user: read and written through fds from it, no links

    def _current(self) -> str | None:
        """The file's text; None when it does not exist. As root for a user: a symlink, a file outside
        the home or not owned by the user is refused (FixError), never read."""
        return read_text(self.path, self.home, self.uid)

    def describe(self) -> str:
        return f"write into {self.path} (between {BEGIN!r} and {END!r}):\n" + "\n".join(self.body)

    def undo(self) -> str:
        return f"delete the lines from {BEGIN!r} to {END!r} in {self.path} (or restore its .gomedic-*.bak backup)"

    def needed(self) -> bool:
        try:
            cur = self._current() or ""
        except FixError:
            return True  # refused: apply says why
        return replace_block(cur, list(self.body)) != cur

    def needs_root(self) -> bool:
        return os.geteuid() not in (0, self.uid)

    def apply(self) -> tuple[str, ...]:
        existing = self._current()
        cur = existing or ""
        new = replace_block(cur, list(self.body))
        if new == cur and existing is not None:
            return ()
        saved = (backup(self.path, home=self.home, uid=self.uid),) if existing is not None else ()
        if self.home and os.geteuid() == 0:
            _make_parent(self.path, self.home, self.uid, self.gid)
        write_preserving(self.path, new.encode("utf-8", "surrogateescape"), self.uid, self.gid, self.home)
        return saved


def _make_parent(path: str, home: str, uid: int, gid: int) -> None:
    """The rc file's directory (~/.config/fish/conf.d), created for the user through directory fds."""
    parent = os.path.dirname(path)
    if os.path.normpath(parent) == os.path.normpath(home):
        return
    try:
        fdwalk.make_dirs(parent, home, uid, gid, 0o755)
    except OSError as e:
        raise os_error(f"cannot create {parent}", e) from None
