"""Markdown for bug reports: context, summary, every problem with evidence and fix, all results folded.

Secrets are already redacted (render.render does it for every format). Text from the system (paths,
values, tool output) goes into code spans or fences sized so a backtick in the text cannot break out, and
table cells escape `|`; raw HTML in values is neutralised.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from gomedic import __version__
from gomedic.model import Status
from gomedic.render import target_label

if TYPE_CHECKING:
    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions

PROBLEMS = (Status.FAIL, Status.ERROR, Status.WARN)
ICON = {Status.OK: "ok", Status.WARN: "**WARN**", Status.FAIL: "**FAIL**", Status.SKIP: "skip",
        Status.ERROR: "**ERROR**"}
_TICKS = re.compile(r"`+")


def code(text: str) -> str:
    """An inline code span that holds `text` whatever backticks it contains."""
    text = " ".join(text.split())
    if not text:
        return "``"
    n = max((len(m) for m in _TICKS.findall(text)), default=0) + 1
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{'`' * n}{pad}{text}{pad}{'`' * n}"


def fence(text: str) -> list[str]:
    n = max(3, max((len(m) for m in _TICKS.findall(text)), default=0) + 1)
    return ["`" * n, *text.splitlines(), "`" * n]


def cell(text: str) -> str:
    t = " ".join(text.split())
    t = t.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"([*_`\[\]])", r"\\\1", t)


def _context_lines(ctx: dict[str, Any]) -> list[str]:
    out: list[str] = []
    go = ctx.get("go")
    if isinstance(go, dict) and go.get("version"):
        out.append(f"- Go: {code(str(go['version']))} at {code(str(go.get('goroot') or '?'))}")
    host = ctx.get("host")
    if isinstance(host, dict) and host:
        desc = ", ".join(f"{k} {v}" for k, v in host.items() if isinstance(v, (str, int, float)) and str(v))
        out.append(f"- Host: {code(desc)}")
    target = target_label(ctx.get("target"))
    if target:
        out.append(f"- Target: {code(target)}")
    return out


def _problem(r: Result) -> list[str]:
    subject = f" ({code(r.subject)})" if r.subject else ""
    shadow = " _(shadow rule)_" if r.shadow else ""
    out = [f"### {ICON[r.status]} {code(r.id)}{subject}{shadow}", "", cell(r.summary), ""]
    if r.evidence:
        out += [*fence("\n".join(f"{k}: {v}" for k, v in r.evidence.items())), ""]
    if r.fix:
        out += [f"**Fix:** {code(r.fix)}", ""]
    return out


def render(report: Report, opts: RenderOptions) -> str:
    s = report.summary()
    lines = [f"## gomedic {cell(report.command)} report", "",
             f"- gomedic {__version__}, started {report.started_at}, took {report.duration_s:.2f}s"]
    lines += _context_lines(dict(report.context))
    lines += ["", "| ok | warn | fail | error | skip | score | exit |", "|---|---|---|---|---|---|---|",
              f"| {s['ok']} | {s['warn']} | {s['fail']} | {s['error']} | {s['skip']} | {s['score']} | {report.exit} |",
              ""]
    problems = [r for r in report.results if r.status in PROBLEMS]
    if problems:
        for r in problems:
            lines += _problem(r)
    else:
        lines += ["No problems found.", ""]
    lines += ["<details><summary>All results</summary>", "",
              "| status | check | subject | summary |", "|---|---|---|---|"]
    for r in report.results:
        lines.append(f"| {ICON[r.status]} | {cell(r.id)} | {cell(r.subject or '')} | {cell(r.summary)} |")
    lines += ["", "</details>", ""]
    return "\n".join(lines).encode("utf-8", "replace").decode("utf-8")
