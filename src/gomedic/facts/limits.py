"""Resource limits: /proc/<pid>/limits (pure parser) and kernel sysctls under /proc/sys.

`parse_limits(text)` reads the table the kernel prints (fs/proc/base.c proc_pid_limits):

    Limit                     Soft Limit           Hard Limit           Units
    Max open files            1024                 524288               files

`None` stands for "unlimited". Lines that do not fit are returned in `bad_lines` rather than raising.
"""

from __future__ import annotations

import re
from pathlib import Path

from gomedic import safeio
from gomedic.values import frozen

_ROW = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<soft>unlimited|\d+)\s+(?P<hard>unlimited|\d+)(?:\s+(?P<unit>\S+))?\s*$")
MAX_TEXT = 1 << 16

# /proc/<pid>/limits row names gomedic reads.
NOFILE = "Max open files"
NPROC = "Max processes"
AS = "Max address space"
STACK = "Max stack size"


@frozen
class Limit:
    name: str
    soft: int | None  # None: unlimited
    hard: int | None
    unit: str = ""

    def show(self) -> str:
        return f"soft {fmt_limit(self.soft)}, hard {fmt_limit(self.hard)}"


@frozen
class Limits:
    rows: tuple[Limit, ...]
    bad_lines: tuple[str, ...] = ()

    def get(self, name: str) -> Limit | None:
        for r in self.rows:
            if r.name == name:
                return r
        return None


def fmt_limit(v: int | None) -> str:
    return "unlimited" if v is None else str(v)


def _num(s: str) -> int | None:
    return None if s == "unlimited" else int(s)


def parse_limits(text: str) -> Limits:
    rows: list[Limit] = []
    bad: list[str] = []
    for i, line in enumerate(text[:MAX_TEXT].splitlines()):
        if not line.strip() or (i == 0 and line.startswith("Limit")):
            continue
        m = _ROW.match(line)
        if m is None:
            bad.append(line[:200])
            continue
        rows.append(Limit(m["name"].strip(), _num(m["soft"]), _num(m["hard"]), m["unit"] or ""))
    return Limits(tuple(rows), tuple(bad))


def parse_int(text: str | None) -> int | None:
    """The first integer of a sysctl file's text, or None."""
    if text is None:
        return None
    parts = text.split()
    if not parts:
        return None
    try:
        return int(parts[0])
    except ValueError:
        return None


def read_text(root: Path, path: str, limit: int = MAX_TEXT) -> str | None:
    """Text of `path` under `root` (an absolute path inside the root), or None when unreadable."""
    try:
        with safeio.open_binary(root / path.lstrip("/")) as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except (OSError, ValueError):
        return None


def sysctl(root: Path, name: str) -> str | None:
    """`sysctl name` (dots or slashes) read from <root>/proc/sys; None when absent or unreadable."""
    text = read_text(root, "/proc/sys/" + name.replace(".", "/"))
    return None if text is None else text.strip()
