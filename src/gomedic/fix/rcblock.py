"""The marked block `gomedic fix --edit-rc` writes into a shell rc file (replaced in place on later runs).

`replace_block` is pure: the text with the block set to the given lines, appended once when absent.
"""

from __future__ import annotations

import os

from gomedic.fix.actions import os_error, write_preserving
from gomedic.fix.backup import backup
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

    def _current(self) -> str:
        try:
            with open(self.path, "rb") as fh:
                return fh.read().decode("utf-8", "surrogateescape")
        except FileNotFoundError:
            return ""
        except OSError as e:
            raise os_error(f"cannot read {self.path}", e) from None

    def describe(self) -> str:
        return f"write into {self.path} (between {BEGIN!r} and {END!r}):\n" + "\n".join(self.body)

    def undo(self) -> str:
        return f"delete the lines from {BEGIN!r} to {END!r} in {self.path} (or restore its .gomedic-*.bak backup)"

    def needed(self) -> bool:
        cur = self._current()
        return replace_block(cur, list(self.body)) != cur

    def needs_root(self) -> bool:
        return os.geteuid() not in (0, self.uid)

    def apply(self) -> tuple[str, ...]:
        cur = self._current()
        new = replace_block(cur, list(self.body))
        if new == cur:
            return ()
        saved = (backup(self.path),) if os.path.exists(self.path) else ()
        write_preserving(self.path, new.encode("utf-8", "surrogateescape"), self.uid, self.gid)
        return saved
