"""What a check function returns: an outcome without the check's identity (the runner adds that).

Check bodies stay short with the helpers: `return fail("GOROOT=/x does not exist", fix="unset GOROOT",
GOROOT="/x")`. Keyword arguments other than `fix` and `subject` become evidence.

A finding about a file names it with `file=` (and the 1-based `line=` when known): they become the
finding's location (what SARIF points code-scanning alerts at) and stay in the evidence under the same
keys. A placeholder such as `(none)` or an empty string is kept as evidence but is not a location.
"""

from __future__ import annotations

from collections.abc import Mapping

from gomedic.model import Status, frozen_map
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any

MAX_LINE = 1 << 31


@frozen
class Finding:
    status: Status
    summary: str
    evidence: Mapping[str, str] = field(default_factory=lambda: frozen_map(None))
    fix: str | None = None
    subject: str | None = None
    file: str | None = None
    line: int | None = None


def location(file: object, line: object) -> tuple[str | None, int | None]:
    """(path, line) from what a check passed as `file=`/`line=`; a placeholder or a bad line is None."""
    path = str(file).strip() if file is not None else None
    if not path or path.startswith("(") or "\n" in path or len(path) >= 4096 or not ("/" in path or "." in path):
        return None, None
    n = (
        line
        if isinstance(line, int) and not isinstance(line, bool)
        else int(line)
        if isinstance(line, str) and line.strip().isdigit()
        else None
    )
    return path, n if n is not None and 0 < n < MAX_LINE else None


def _make(status: Status, summary: str, fix: str | None, subject: str | None, ev: Mapping[str, Any],
          file: object = None, line: object = None) -> Finding:
    if file is None and line is None:
        return Finding(status, summary, frozen_map(ev), fix, subject)
    where = {k: v for k, v in (("file", file), ("line", line)) if v is not None}
    return Finding(status, summary, frozen_map({**where, **ev}), fix, subject, *location(file, line))


def ok(summary: str, *, subject: str | None = None, file: object = None, line: object = None,
       **evidence: Any) -> Finding:
    return _make(Status.OK, summary, None, subject, evidence, file, line)


def warn(summary: str, *, fix: str | None = None, subject: str | None = None, file: object = None,
         line: object = None, **evidence: Any) -> Finding:
    return _make(Status.WARN, summary, fix, subject, evidence, file, line)


def fail(summary: str, *, fix: str | None = None, subject: str | None = None, file: object = None,
         line: object = None, **evidence: Any) -> Finding:
    return _make(Status.FAIL, summary, fix, subject, evidence, file, line)


def grade(value: float, warn_at: float, fail_at: float, summary: str, *, fix: str | None = None,
          subject: str | None = None, file: object = None, line: object = None,
          **evidence: Any) -> Finding:
    """The ladder of a ratio check: `fail` at or above `fail_at`, `warn` at or above `warn_at`, else `ok`
    (the fix shown only when there is something to fix)."""
    if value >= fail_at:
        return _make(Status.FAIL, summary, fix, subject, evidence, file, line)
    if value >= warn_at:
        return _make(Status.WARN, summary, fix, subject, evidence, file, line)
    return _make(Status.OK, summary, None, subject, evidence, file, line)


def skip(reason: str, *, subject: str | None = None, file: object = None, line: object = None,
         **evidence: Any) -> Finding:
    return _make(Status.SKIP, reason, None, subject, evidence, file, line)


def with_evidence(f: Finding, extra: Mapping[str, Any]) -> Finding:
    """The same finding with more evidence (existing keys win)."""
    merged = {**frozen_map(extra), **f.evidence}
    return Finding(f.status, f.summary, frozen_map(merged), f.fix, f.subject, f.file, f.line)
