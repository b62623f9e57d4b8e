"""JSON report, schema `gomedic/report/v1` (render/schemas/report-v1.json is the contract)."""

from __future__ import annotations

import json

from gomedic import __version__
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from gomedic.model import Report
    from gomedic.render import RenderOptions

SCHEMA_ID = "gomedic/report/v1"


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "gomedic", "version": __version__},
        "command": report.command,
        "started_at": report.started_at,
        "duration_s": report.duration_s,
        "context": dict(report.context),
        "summary": report.summary(),
        "exit_code": report.exit,
        "results": [r.to_dict() for r in report.results],
    }


def render(report: Report, opts: RenderOptions) -> str:
    if opts.pretty:
        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    # Without indent json uses its C encoder: what makes a 2,000-result report cheap to write.
    return json.dumps(report_to_dict(report), ensure_ascii=False, separators=(",", ":")) + "\n"
