"""Per-host reports as the fleet view needs them: a pure parser of report JSON, and a bounded file reader.

A report from another host is untrusted input: anything that is not a gomedic/report/v1 document (truncated,
mutated, oversized, deeply nested, wrong types) becomes a FormatError with a one-line reason, never a crash.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import msgspec

from gomedic import safeio
from gomedic.errors import FormatError
from gomedic.model import Severity, Status
from gomedic.registry import ID_RE
from gomedic.values import frozen

REPORT_SCHEMA = "gomedic/report/v1"
MAX_REPORT_BYTES = 64 << 20  # a real report is kilobytes; refuse to load more than this


class HostResult(msgspec.Struct, frozen=True):
    """One result of one check on one host (only what the fleet view shows).

    A msgspec struct, so a report decodes straight into these (validated: the id's form, the status and
    severity enums), and the fields the fleet view does not show (evidence, fix) are skipped unparsed.
    """

    id: Annotated[str, msgspec.Meta(pattern=ID_RE.pattern)]
    title: str
    area: str
    category: str
    status: Status
    severity: Severity
    subject: str | None
    summary: str
    shadow: bool = False

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


class _Summary(msgspec.Struct):
    score: Annotated[int, msgspec.Meta(ge=0, le=100)]


class _Tool(msgspec.Struct):
    version: str


class _Report(msgspec.Struct):
    schema: str
    summary: _Summary
    tool: _Tool
    command: str
    started_at: str
    exit_code: int
    results: tuple[HostResult, ...]
    context: object = None


class _Head(msgspec.Struct):
    schema: object = None


# Decoders are built once, on first use: msgspec compiles the types into a fast validating decoder.
_DECODERS: dict[str, Any] = {}


def _decoder(name: str, kind: type) -> Any:
    dec = _DECODERS.get(name)
    if dec is None:
        dec = _DECODERS[name] = msgspec.json.Decoder(kind)
    return dec


def _hostname(context: object) -> str | None:
    host = context.get("host") if isinstance(context, dict) else None
    h = host.get("hostname") if isinstance(host, dict) else None
    return h if isinstance(h, str) and h else None


def _schema_error(data: str | bytes) -> FormatError | None:
    try:
        schema = _decoder("head", _Head).decode(data).schema
    except (msgspec.MsgspecError, RecursionError):
        return None
    if schema != REPORT_SCHEMA:
        return FormatError(f"schema is {str(schema)[:60]!r}, expected {REPORT_SCHEMA!r}")
    return None


def parse_report(data: str | bytes, *, name: str, source: str) -> HostReport:
    """Parse one gomedic/report/v1 document. Raises FormatError saying what is wrong.

    The document is decoded straight into typed structs (msgspec): one pass that validates every field the
    fleet view uses and skips the rest (evidence, fixes) without building Python objects for them.
    """
    if len(data) > MAX_REPORT_BYTES:
        raise FormatError(f"report is {len(data)} bytes, more than the {MAX_REPORT_BYTES} a report can be")
    try:
        doc: _Report = _decoder("report", _Report).decode(data)
    except msgspec.ValidationError as e:
        raise _schema_error(data) or FormatError(f"report: {str(e)[:160]}") from None
    except (msgspec.DecodeError, RecursionError, UnicodeDecodeError) as e:
        raise _schema_error(data) or FormatError(f"not JSON: {str(e)[:120]}") from None
    if doc.schema != REPORT_SCHEMA:
        raise FormatError(f"schema is {doc.schema[:60]!r}, expected {REPORT_SCHEMA!r}")
    return HostReport(
        name=name,
        source=source,
        command=doc.command,
        started_at=doc.started_at,
        tool_version=doc.tool.version,
        score=doc.summary.score,
        exit_code=doc.exit_code,
        results=doc.results,
        hostname=_hostname(doc.context),
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
    return parse_report(data, name=name or host_name(p), source=str(p))


def host_name(path: Path) -> str:
    """A host is named after its report file: `web-1.json` -> `web-1`."""
    return path.name[: -len(".json")] if path.name.endswith(".json") and len(path.name) > 5 else path.name


def host_names(paths: list[Path]) -> list[str]:
    """Names for a list of report files, known before any is read: files whose names collide (two
    `web-1.json` in different dirs) are named by their path instead."""
    names = [host_name(p) for p in paths]
    seen: dict[str, int] = {}
    for n in names:
        seen[n] = seen.get(n, 0) + 1
    return [str(p) if seen[n] > 1 else n for p, n in zip(paths, names, strict=True)]
