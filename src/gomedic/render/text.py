"""The terminal report. Plain text when piped or NO_COLOR is set; rich styles on a terminal.

Problems (warn, fail, error) always show their evidence and fix; `-v` shows evidence for every result.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from gomedic.model import Status
from gomedic.render import target_label

if TYPE_CHECKING:
    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions

Segment = tuple[str, str]  # (text, rich style)
Line = list[Segment]

MARK = {
    Status.OK: ("ok", "green"),
    Status.WARN: ("WARN", "bold yellow"),
    Status.FAIL: ("FAIL", "bold red"),
    Status.SKIP: ("skip", "dim"),
    Status.ERROR: ("ERROR", "bold magenta"),
}
PROBLEMS = (Status.WARN, Status.FAIL, Status.ERROR)


def _header(report: Report) -> Line:
    parts = [f"gomedic {report.command}"]
    go = report.context.get("go") or {}
    if go.get("version"):
        parts.append(f"{go['version']} at {go.get('goroot') or '?'}")
    host = report.context.get("host") or {}
    if host.get("os"):
        parts.append(f"{host['os']}/{host.get('arch', '?')}")
    target = target_label(report.context.get("target"))
    if target:
        parts.append(f"target {target}")
    parts.append(f"{report.duration_s:.2f}s")
    return [(" · ".join(parts), "bold")]


def _result_lines(r: Result, id_width: int, verbose: bool) -> list[Line]:
    word, style = MARK[r.status]
    subject = f" [{r.subject}]" if r.subject else ""
    shadow = " (shadow)" if r.shadow else ""
    lines: list[Line] = [
        [("  ", ""), (f"{word:<5}", style), ("  ", ""), (f"{r.id:<{id_width}}", "cyan"), ("  ", ""),
         (r.summary + subject + shadow, "")]
    ]
    pad = " " * (11 + id_width)
    if (verbose or r.status in PROBLEMS) and r.evidence:
        for k, v in r.evidence.items():
            lines.append([(pad, ""), (f"{k}: ", "dim"), (v, "")])
    if r.fix and r.status in PROBLEMS:
        lines.append([(pad, ""), ("fix: ", "bold"), (r.fix, "")])
    return lines


def _footer(report: Report) -> Line:
    s = report.summary()
    counts = " · ".join(f"{s[st.value]} {st.value}" for st in Status)
    return [(f"{counts} · score {s['score']}", "bold"), (f" · exit {report.exit}", "dim")]


def lines(report: Report, verbose: bool) -> list[Line]:
    out: list[Line] = [_header(report), []]
    id_width = max((len(r.id) for r in report.results), default=0)
    area = None
    for r in report.results:
        if r.area != area:
            if area is not None:
                out.append([])
            area = r.area
            out.append([(area, "bold underline")])
        out.extend(_result_lines(r, id_width, verbose))
    if not report.results:
        out.append([("  no checks ran", "dim")])
    out += [[], _footer(report)]
    return out


def render(report: Report, opts: RenderOptions) -> str:
    ls = lines(report, opts.verbose)
    if not opts.color:
        return "".join("".join(t for t, _ in line) + "\n" for line in ls)
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=opts.width, highlight=False, soft_wrap=True)
    for line in ls:
        console.print(Text.assemble(*line))
    return buf.getvalue()
