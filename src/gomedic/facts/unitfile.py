"""systemd unit files as text: the syntax of systemd's config parser (src/shared/conf-parser.c), pure.

- Leading and trailing whitespace is stripped; empty lines and lines starting with `#` or `;` are comments.
- `[Section]` starts a section; `Key=Value` is an assignment (whitespace around `=` is dropped).
- A line ending in `\\` continues on the next line (the backslash becomes a space); comment lines inside
  a continuation are skipped. The joined line may not exceed LONG_LINE_MAX: systemd refuses such a file
  ("Continuation line too long"); here it is a diagnostic at the line where it started, and the joined
  line is dropped. Parts are collected in a list, so 400,000 continuation lines parse in linear time.
- An assignment outside a section, a line without `=`, a bad section header, an overlong line and
  invalid UTF-8 are diagnostics with file and line, and parsing goes on (systemd logs and ignores them).

`merge(main, dropins)` gives the effective settings; an empty assignment (`ExecStart=`) resets a list.
"""

from __future__ import annotations

from collections.abc import Iterable

from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Literal

    DiagnosticLevel = Literal["error", "warning"]

LONG_LINE_MAX = 1 << 20  # systemd's LONG_LINE_MAX
MAX_FILE = 16 << 20


@frozen
class Diagnostic:
    path: str
    line: int  # 0: about the file as a whole
    message: str
    severity: DiagnosticLevel = "error"  # "error": systemd ignores the line or refuses the unit; "warning": a smell

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@frozen
class Entry:
    section: str
    key: str
    value: str
    path: str
    line: int

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@frozen
class UnitText:
    path: str
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]


def _decode(data: bytes, path: str, diags: list[Diagnostic]) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        diags.append(Diagnostic(path, line, "invalid UTF-8; the invalid bytes were replaced"))
        return data.decode("utf-8", "replace")


def parse_unit(data: bytes | str, path: str) -> UnitText:
    """Parse one unit file or drop-in. Never raises on content."""
    diags: list[Diagnostic] = []
    if isinstance(data, bytes):
        if len(data) > MAX_FILE:
            diags.append(Diagnostic(path, 0, f"file is larger than {MAX_FILE} bytes; the rest was ignored"))
            data = data[:MAX_FILE]
        text = _decode(data, path, diags)
    else:
        text = data[:MAX_FILE]
    if "\0" in text:
        diags.append(Diagnostic(path, text[: text.index("\0")].count("\n") + 1, "NUL byte in unit file"))
        text = text.replace("\0", " ")
    entries: list[Entry] = []
    section: str | None = None
    parts: list[str] | None = None  # the pieces of a continued line (joined once: linear time)
    size = first = 0
    overflow = False
    for n, raw in enumerate(text.split("\n"), start=1):
        if len(raw) > LONG_LINE_MAX:
            diags.append(Diagnostic(path, n, f"line is longer than {LONG_LINE_MAX} bytes; ignored"))
            parts = None
            continue
        line = raw.strip()
        if parts is not None and line.startswith(("#", ";")):
            continue
        if parts is None and (not line or line.startswith(("#", ";"))):
            continue
        continued = (len(line) - len(line.rstrip("\\"))) % 2 == 1  # an unescaped trailing backslash
        if parts is None and not continued:
            section = _one(line, n, path, section, entries, diags)
            continue
        if parts is None:
            parts, size, first, overflow = [], 0, n, False
        piece = line[:-1] if continued else line
        size += len(piece) + 1
        if not overflow and size > LONG_LINE_MAX:
            overflow = True
            parts.clear()
            diags.append(Diagnostic(path, first, f"continued line is longer than {LONG_LINE_MAX} bytes; ignored "
                                    "(systemd refuses the file: Continuation line too long)"))
        if not overflow:
            parts.append(piece)
        if continued:
            continue
        if not overflow:
            section = _one(" ".join(parts), first, path, section, entries, diags)
        parts = None
    if parts is not None and not overflow:
        section = _one(" ".join(parts), first, path, section, entries, diags)
    return UnitText(path, tuple(entries), tuple(diags))


def _one(
    line: str, n: int, path: str, section: str | None, entries: list[Entry], diags: list[Diagnostic]
) -> str | None:
    if line.startswith("["):
        if not line.endswith("]") or len(line) < 3:
            diags.append(Diagnostic(path, n, f"invalid section header {line[:80]!r}"))
            return None
        return line[1:-1]
    if section is None:
        diags.append(Diagnostic(path, n, "assignment outside of a section; ignored"))
        return None
    key, sep, value = line.partition("=")
    key = key.strip()
    if not sep:
        diags.append(Diagnostic(path, n, f"missing '=' in {line[:80]!r}; ignored"))
        return section
    if not key:
        diags.append(Diagnostic(path, n, "assignment with an empty key; ignored"))
        return section
    entries.append(Entry(section, key, value.strip(), path, n))
    return section


@frozen
class MergedUnit:
    """The effective entries of a unit: the main file, then drop-ins in order."""

    files: tuple[str, ...]
    entries: tuple[Entry, ...]
    diagnostics: tuple[Diagnostic, ...]

    def all(self, section: str, key: str) -> list[Entry]:
        """Every assignment in order, an empty value resetting the list (list-valued settings)."""
        out: list[Entry] = []
        for e in self.entries:
            if e.section == section and e.key == key:
                if e.value == "":
                    out = []
                else:
                    out.append(e)
        return out

    def last(self, section: str, key: str) -> Entry | None:
        """The last assignment (single-valued settings); None when unset or reset by an empty value."""
        found: Entry | None = None
        for e in self.entries:
            if e.section == section and e.key == key:
                found = e if e.value != "" else None
        return found


def merge(parts: Iterable[UnitText]) -> MergedUnit:
    ps = list(parts)
    return MergedUnit(
        tuple(p.path for p in ps),
        tuple(e for p in ps for e in p.entries),
        tuple(d for p in ps for d in p.diagnostics),
    )


def parse_bool(v: str) -> bool | None:
    s = v.strip().lower()
    if s in ("1", "yes", "y", "true", "t", "on"):
        return True
    if s in ("0", "no", "n", "false", "f", "off"):
        return False
    return None
