"""A FleetSummary as JSON (schema gomedic/fleet-summary/v1), plain text, or Markdown.

Host reports come from other machines: every string taken from them is redacted (credentials in URLs,
secret-named assignments) and, for text and Markdown, stripped of control characters and cut to one line.
"""

from __future__ import annotations

import re
from typing import Any

from gomedic import __version__
from gomedic.fleet.reports import HostResult
from gomedic.fleet.summary import CheckRollup, FleetSummary, HostRollup, Occurrence
from gomedic.model import Status
from gomedic.redact import redact_text

SCHEMA_ID = "gomedic/fleet-summary/v1"
FORMATS = ("text", "json", "markdown")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
MAX_LINE = 200
MAX_LISTED = 20  # hosts named per check in text/Markdown (JSON names them all)


def _s(text: str | None) -> str | None:
    return None if text is None else redact_text(text)


def _line(text: str | None, limit: int = MAX_LINE) -> str:
    t = _CONTROL.sub(" ", redact_text(text or "")).strip()
    return t if len(t) <= limit else t[: limit - 1] + "…"


def _occ(o: Occurrence) -> dict[str, Any]:
    return {"host": o.host, "subject": _s(o.subject), "status": o.status.value, "severity": o.severity.value,
            "summary": _s(o.summary), "shadow": o.shadow}


def _res(r: HostResult) -> dict[str, Any]:
    return {"id": r.id, "subject": _s(r.subject), "status": r.status.value, "severity": r.severity.value,
            "summary": _s(r.summary)}


def _host(h: HostRollup) -> dict[str, Any]:
    return {
        "name": h.name,
        "source": h.source,
        "command": h.command,
        "started_at": h.started_at,
        "tool_version": h.tool_version,
        "score": h.score,
        "exit_code": h.exit_code,
        "summary": {s.value: n for s, n in h.counts},
        "failing": [_res(r) for r in h.failing],
        "warning": [_res(r) for r in h.warning],
        "shadow_failing": [_res(r) for r in h.shadow_failing],
    }


def _check(c: CheckRollup) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": _s(c.title),
        "area": c.area,
        "category": c.category,
        "severity": c.severity.value,
        "shadow": c.shadow,
        "hosts": {"total": c.hosts_total, **{s.value: c.hosts_with(s) for s in Status}},
        "hosts_failing": c.hosts_failing,
        "failing": [_occ(o) for o in c.failing],
        "warning": [_occ(o) for o in c.warning],
    }


def to_dict(s: FleetSummary) -> dict[str, Any]:
    return {
        "schema": SCHEMA_ID,
        "tool": {"name": "gomedic", "version": __version__},
        "generated_at": s.generated_at,
        "fail_on": s.fail_on.value,
        "exit_code": s.exit_code,
        "fleet": {
            "hosts": len(s.hosts),
            "unreadable": len(s.unreadable),
            "hosts_failing": s.hosts_failing,
            "hosts_warning": s.hosts_warning,
            "score_mean": s.score_mean,
            "score_min": s.score_min,
        },
        "hosts": [_host(h) for h in s.hosts],
        "checks": [_check(c) for c in s.checks],
        "unreadable": [{"source": u.source, "reason": _s(u.reason)} for u in s.unreadable],
    }


def render_json(s: FleetSummary) -> str:
    import msgspec  # the C encoder and formatter: a 10,000-host summary is tens of megabytes

    return msgspec.json.format(msgspec.json.encode(to_dict(s)), indent=2).decode() + "\n"


def _who(occ: tuple[Occurrence, ...]) -> str:
    names = [o.host + (f" ({_line(o.subject, 60)})" if o.subject else "") for o in occ[:MAX_LISTED]]
    more = len(occ) - MAX_LISTED
    return ", ".join(names) + (f", and {more} more" if more > 0 else "")


def _problem_checks(s: FleetSummary) -> list[CheckRollup]:
    return [c for c in s.checks if c.failing or c.warning]


def _headline(s: FleetSummary) -> str:
    mean = "n/a" if s.score_mean is None else f"{s.score_mean:g}"
    low = "n/a" if s.score_min is None else str(s.score_min)
    n = len(s.hosts)
    text = (f"{n} host{'' if n == 1 else 's'}, {s.hosts_failing} failing, {s.hosts_warning} warning; "
            f"health score mean {mean}, min {low}")
    if s.unreadable:
        text += f"; {len(s.unreadable)} report(s) unreadable"
    return text


def render_text(s: FleetSummary) -> str:
    out = [f"gomedic fleet: {_headline(s)}", ""]
    problems = _problem_checks(s)
    out.append("By check:" if problems else "By check: no check fails or warns on any host")
    for c in problems:
        tag = " [shadow]" if c.shadow else ""
        out.append(f"  {c.id}{tag}  {c.severity.value}  {_line(c.title, 80)}")
        if c.failing:
            out.append(f"    failing on {c.hosts_failing}/{c.hosts_total} hosts: {_who(c.failing)}")
        if c.warning:
            out.append(f"    warning on {len({o.host for o in c.warning})}/{c.hosts_total} hosts: {_who(c.warning)}")
    quiet = len(s.checks) - len(problems)
    if quiet:
        out.append(f"  ({quiet} other checks ok or skipped on every host)")
    out += ["", "By host:"]
    w = max((len(h.name) for h in s.hosts), default=4)
    for h in s.hosts:
        fails = ", ".join(r.id + (f"[{_line(r.subject, 60)}]" if r.subject else "") for r in h.failing) or "-"
        warns = f"  ({len(h.warning)} warn)" if h.warning else ""
        out.append(f"  {_line(h.name, 120):<{w}}  score {h.score:>3}  failing: {fails}{warns}")
    if s.unreadable:
        out += ["", "Unreadable reports:"]
        out += [f"  {_line(u.source, 160)}: {_line(u.reason)}" for u in s.unreadable]
    return "\n".join(out) + "\n"


def _md(text: str | None, limit: int = MAX_LINE) -> str:
    return _line(text, limit).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'").replace("<", "&lt;")


def render_markdown(s: FleetSummary) -> str:
    out = ["# gomedic fleet summary", "", _headline(s) + ".", "", "## By check", ""]
    problems = _problem_checks(s)
    if problems:
        out += ["| check | severity | failing hosts | which | warning hosts |", "|---|---|---|---|---|"]
        for c in problems:
            tag = " (shadow)" if c.shadow else ""
            warn_n = len({o.host for o in c.warning})
            out.append(f"| `{c.id}`{tag} | {c.severity.value} | {c.hosts_failing}/{c.hosts_total} | "
                       f"{_md(_who(c.failing), 2000) or '-'} | {warn_n} |")
    else:
        out.append("No check fails or warns on any host.")
    out += ["", "## By host", "", "| host | score | failing checks | warnings |", "|---|---|---|---|"]
    for h in s.hosts:
        fails = ", ".join(f"`{r.id}`" for r in h.failing) or "-"
        out.append(f"| {_md(h.name, 120)} | {h.score} | {fails} | {len(h.warning)} |")
    if s.unreadable:
        out += ["", "## Unreadable reports", ""]
        out += [f"- {_md(u.source, 160)}: {_md(u.reason)}" for u in s.unreadable]
    return "\n".join(out) + "\n"


def render(s: FleetSummary, fmt: str) -> str:
    if fmt == "json":
        return render_json(s)
    if fmt == "markdown":
        return render_markdown(s)
    return render_text(s)
