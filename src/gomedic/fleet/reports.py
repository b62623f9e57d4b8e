"""Per-host reports as the fleet view needs them: a pure parser of report JSON, and a bounded file reader.

A report from another host is untrusted input: anything that is not a gomedic/report/v1 document (truncated,
mutated, oversized, deeply nested, wrong types) becomes a FormatError with a one-line reason, never a crash.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gomedic import safeio
from gomedic.errors import FormatError
from gomedic.model import Severity, Status
from gomedic.registry import ID_RE
from gomedic.values import frozen

REPORT_SCHEMA = "gomedic/report/v1"
MAX_REPORT_BYTES = 64 << 20  # a real report is kilobytes; refuse to load more than this


@frozen
class HostResult:
    """One result of one check on one host (only what the fleet view shows)."""

    id: str
    title: str
    area: str
    category: str
    status: Status
    severity: Severity
    subject: str | None
    summary: str
    shadow: bool

    @property
    def failing(self) -> bool:
        return self.status in (Status.FAIL, Status.ERROR)


@frozen
class HostReport:
    """One host's finished report."""

    name: str
    source: str
    command: str
    started_at: str
    tool_version: str
    score: int
    exit_code: int
    results: tuple[HostResult, ...]
    hostname: str | None = None

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)


def _need(obj: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in obj:
        raise FormatError(f"{where}: missing {key!r}")
    v = obj[key]
    if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
        raise FormatError(f"{where}: {key!r} has the wrong type ({type(v).__name__})")
    return v


def _enum(cls: type[Status] | type[Severity], value: Any, where: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise FormatError(f"{where}: unknown {cls.__name__.lower()} {str(value)[:40]!r}") from None


def _result(d: Any, i: int) -> HostResult:
    where = f"results[{i}]"
    if not isinstance(d, dict):
        raise FormatError(f"{where}: not an object")
    rid = _need(d, "id", str, where)
    if not ID_RE.match(rid):
        raise FormatError(f"{where}: check id {rid[:60]!r} is not of the form area.kebab-name")
    subject = d.get("subject")
    if subject is not None and not isinstance(subject, str):
        raise FormatError(f"{where}: 'subject' has the wrong type ({type(subject).__name__})")
    shadow = d.get("shadow", False)
    if not isinstance(shadow, bool):
        raise FormatError(f"{where}: 'shadow' has the wrong type ({type(shadow).__name__})")
    return HostResult(
        id=rid,
        title=_need(d, "title", str, where),
        area=_need(d, "area", str, where),
        category=_need(d, "category", str, where),
        status=_enum(Status, _need(d, "status", str, where), where),
        severity=_enum(Severity, _need(d, "severity", str, where), where),
        subject=subject,
        summary=_need(d, "summary", str, where),
        shadow=shadow,
    )


def parse_report(data: str | bytes, *, name: str, source: str) -> HostReport:
    """Parse one gomedic/report/v1 document. Raises FormatError saying what is wrong."""
    if len(data) > MAX_REPORT_BYTES:
        raise FormatError(f"report is {len(data)} bytes, more than the {MAX_REPORT_BYTES} a report can be")
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise FormatError(f"not JSON: {str(e)[:120]}") from None
    if not isinstance(doc, dict):
        raise FormatError("not a JSON object")
    schema = doc.get("schema")
    if schema != REPORT_SCHEMA:
        raise FormatError(f"schema is {str(schema)[:60]!r}, expected {REPORT_SCHEMA!r}")
    summary = _need(doc, "summary", dict, "report")
    score = _need(summary, "score", int, "summary")
    if not 0 <= score <= 100:
        raise FormatError(f"summary: score {score} is outside 0-100")
    tool = _need(doc, "tool", dict, "report")
    raw_results = _need(doc, "results", list, "report")
    context = doc.get("context")
    hostname = None
    if isinstance(context, dict) and isinstance(context.get("host"), dict):
        h = context["host"].get("hostname")
        hostname = h if isinstance(h, str) and h else None
    return HostReport(
        name=name,
        source=source,
        command=_need(doc, "command", str, "report"),
        started_at=_need(doc, "started_at", str, "report"),
        tool_version=_need(tool, "version", str, "tool"),
        score=score,
        exit_code=_need(doc, "exit_code", int, "report"),
        results=tuple(_result(r, i) for i, r in enumerate(raw_results)),
        hostname=hostname,
    )


def read_report(path: str | os.PathLike[str], *, name: str | None = None) -> HostReport:
    """Read and parse a report file; the host is named after the file (`web-1.json` -> `web-1`).

    Raises FormatError for unreadable, oversized or invalid files.
    """
    p = Path(path)
    try:
        with safeio.open_binary(p) as fh:
            data = fh.read(MAX_REPORT_BYTES + 1)
    except OSError as e:
        raise FormatError(f"cannot read: {e.strerror or e}") from None
    stem = p.name[: -len(".json")] if p.name.endswith(".json") and len(p.name) > 5 else p.name
    return parse_report(data, name=name or stem, source=str(p))
