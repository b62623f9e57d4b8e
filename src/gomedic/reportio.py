"""The one reader of a JSON report (schema gomedic/report/v1) back into model objects: what a serve job's
subprocess printed, what `fix --user`'s child printed (Report.from_dict and Result.from_dict call here).

Pure and strict: anything that is not a v1 report raises FormatError (a serve job run then counts as an
error, a fix refuses to act), so a crashed, confused or hostile child can never put half a report anywhere.
(`fleet summarize` reads reports of many hosts with its own typed decoder, fleet/reports.py: it needs a
few fields of 10,000 reports fast, and skips the rest unparsed.)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from gomedic.errors import FormatError
from gomedic.model import Category, FailOn, Report, Result, Severity, Status, frozen_map

MAX_RESULTS = 20_000


def _str(d: Mapping[str, Any], key: str, *, nullable: bool = False) -> str | None:
    v = d.get(key)
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        raise FormatError(f"report: {key} must be a string, got {type(v).__name__}")
    return v


def _num(d: Mapping[str, Any], key: str) -> float:
    v = d.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
        raise FormatError(f"report: {key} must be a non-negative number")
    return float(v)


def _file(d: Mapping[str, Any]) -> str | None:
    v = _str(d, "file", nullable=True)
    if v is not None and not v:
        raise FormatError("report: file must not be empty")
    return v


def _line(d: Mapping[str, Any]) -> int | None:
    v = d.get("line")
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or not 0 < v < 1 << 31:
        raise FormatError("report: line must be a positive integer")
    return v


def result_from_dict(d: object) -> Result:
    if not isinstance(d, dict):
        raise FormatError("report: a result is not an object")
    ev = d.get("evidence", {})
    if not isinstance(ev, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ev.items()):
        raise FormatError("report: evidence must map strings to strings")
    try:
        return Result(
            id=str(_str(d, "id")),
            area=str(_str(d, "area")),
            category=Category(d.get("category")),
            status=Status(d.get("status")),
            severity=Severity(d.get("severity")),
            title=str(_str(d, "title")),
            summary=str(_str(d, "summary")),
            subject=_str(d, "subject", nullable=True),
            evidence=frozen_map(ev),
            fix=_str(d, "fix", nullable=True),
            duration_s=_num(d, "duration_s"),
            shadow=d.get("shadow") is True,
            file=_file(d),
            line=_line(d),
        )
    except ValueError as e:
        raise FormatError(f"report: {e}") from None


def report_from_dict(d: object) -> Report:
    if not isinstance(d, dict) or d.get("schema") != "gomedic/report/v1":
        raise FormatError("not a gomedic/report/v1 document")
    results = d.get("results")
    if not isinstance(results, list) or len(results) > MAX_RESULTS:
        raise FormatError("report: results must be a list")
    context = d.get("context")
    if not isinstance(context, dict):
        raise FormatError("report: context must be an object")
    return Report(
        command=str(_str(d, "command")),
        results=tuple(result_from_dict(r) for r in results),
        started_at=str(_str(d, "started_at")),
        duration_s=_num(d, "duration_s"),
        context=context,
        fail_on=FailOn.FAIL,
    )


def exit_code_of(d: object) -> int:
    """The exit code the command reported (it honours the job's --fail-on and gate's category codes)."""
    v = d.get("exit_code") if isinstance(d, dict) else None
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 255:
        raise FormatError("report: exit_code must be an integer 0-255")
    return v


def report_from_json(text: str) -> tuple[Report, int]:
    """(report, exit code it states) from a v1 JSON document."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise FormatError(f"not JSON: {e}") from None
    return report_from_dict(data), exit_code_of(data)
