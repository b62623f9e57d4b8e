"""TAP version 13: one test point per result, a YAML diagnostic block for problems.

ok -> `ok`, skip -> `ok ... # SKIP reason`, warn -> `ok ... # warn` with diagnostics (TAP has no warning
state; `--fail-on warn` makes the exit code fail), fail and error -> `not ok` with diagnostics (summary,
evidence, fix). Shadow results that fail are `not ok ... # TODO shadow rule`, which TAP consumers do
not count as failures, mirroring that shadow rules never fail a run.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from gomedic.model import Status

if TYPE_CHECKING:
    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions


def _desc(r: Result) -> str:
    name = f"{r.id} [{r.subject}]" if r.subject else r.id
    # '#' starts a directive and a newline ends the line: neither may appear in a description.
    return " ".join(f"{name} - {r.summary}".replace("\\", "\\\\").replace("#", "\\#").split())


def _q(v: str) -> str:
    """A YAML scalar that is always a string: JSON string syntax is valid YAML."""
    return json.dumps(v, ensure_ascii=True)


def _diag(r: Result) -> list[str]:
    out = ["  ---", f"  status: {r.status.value}", f"  severity: {r.severity.value}",
           f"  category: {r.category.value}", f"  message: {_q(r.summary)}"]
    if r.evidence:
        out.append("  evidence:")
        out += [f"    {_q(k)}: {_q(v)}" for k, v in r.evidence.items()]
    if r.fix:
        out.append(f"  fix: {_q(r.fix)}")
    out.append("  ...")
    return out


def render(report: Report, opts: RenderOptions) -> str:
    lines = ["TAP version 13", f"1..{len(report.results)}"]
    for n, r in enumerate(report.results, 1):
        desc = _desc(r)
        if r.status is Status.SKIP:
            lines.append(f"ok {n} - {desc} # SKIP")
            continue
        if r.status is Status.OK:
            lines.append(f"ok {n} - {desc}")
            if opts.verbose and r.evidence:
                lines += _diag(r)
            continue
        if r.status is Status.WARN:
            lines.append(f"ok {n} - {desc} # warn")
        elif r.shadow:
            lines.append(f"not ok {n} - {desc} # TODO shadow rule")
        else:
            lines.append(f"not ok {n} - {desc}")
        lines += _diag(r)
    s = report.summary()
    lines.append(f"# {' '.join(f'{k}={v}' for k, v in s.items())} exit={report.exit}")
    return ("\n".join(lines) + "\n").encode("utf-8", "replace").decode("utf-8")
