"""What a check function returns: an outcome without the check's identity (the runner adds that).

Check bodies stay short with the helpers: `return fail("GOROOT=/x does not exist", fix="unset GOROOT",
GOROOT="/x")`. Keyword arguments other than `fix` and `subject` become evidence.
"""

from __future__ import annotations

from collections.abc import Mapping

from gomedic.model import Status, frozen_map
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any


@frozen
class Finding:
    status: Status
    summary: str
    evidence: Mapping[str, str] = field(default_factory=lambda: frozen_map(None))
    fix: str | None = None
    subject: str | None = None


def _make(status: Status, summary: str, fix: str | None, subject: str | None, ev: Mapping[str, Any]) -> Finding:
    return Finding(status, summary, frozen_map(ev), fix, subject)


def ok(summary: str, *, subject: str | None = None, **evidence: Any) -> Finding:
    return _make(Status.OK, summary, None, subject, evidence)


def warn(summary: str, *, fix: str | None = None, subject: str | None = None, **evidence: Any) -> Finding:
    return _make(Status.WARN, summary, fix, subject, evidence)


def fail(summary: str, *, fix: str | None = None, subject: str | None = None, **evidence: Any) -> Finding:
    return _make(Status.FAIL, summary, fix, subject, evidence)


def grade(value: float, warn_at: float, fail_at: float, summary: str, *, fix: str | None = None,
          subject: str | None = None, **evidence: Any) -> Finding:
    """The ladder of a ratio check: `fail` at or above `fail_at`, `warn` at or above `warn_at`, else `ok`
    (the fix shown only when there is something to fix)."""
    if value >= fail_at:
        return _make(Status.FAIL, summary, fix, subject, evidence)
    if value >= warn_at:
        return _make(Status.WARN, summary, fix, subject, evidence)
    return _make(Status.OK, summary, None, subject, evidence)


def skip(reason: str, *, subject: str | None = None, **evidence: Any) -> Finding:
    return _make(Status.SKIP, reason, None, subject, evidence)


def with_evidence(f: Finding, extra: Mapping[str, Any]) -> Finding:
    """The same finding with more evidence (existing keys win)."""
    merged = {**frozen_map(extra), **f.evidence}
    return Finding(f.status, f.summary, frozen_map(merged), f.fix, f.subject)
