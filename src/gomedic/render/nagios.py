"""Nagios/Icinga plugin output: one status line with perfdata, and the plugin exit code 0/1/2/3.

    GOMEDIC CRITICAL - check: 1 fail, 2 warn, 31 ok, 4 skip, 0 error; toolchain.goroot-matches: GOROOT=... | ...

The state is Nagios's own protocol, not the model's exit code: CRITICAL (2) when a counted result fails,
UNKNOWN (3) when a check errored (it could not look) or nothing could be evaluated, WARNING (1) when a
counted result warns, else OK (0). Shadow results never change the state. `-v` adds one long-output line
per problem after the status line (Nagios 3+ shows it as long plugin output).
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from gomedic.model import Status

if TYPE_CHECKING:
    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions

MAX_LINE = 1000  # keep the status line inside Nagios's 4 KB plugin output, with room for perfdata


class NagiosState(IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3


def state(report: Report) -> NagiosState:
    counted = [r for r in report.results if r.counted]
    if any(r.status is Status.FAIL for r in counted):
        return NagiosState.CRITICAL
    if any(r.status is Status.ERROR for r in counted) or (report.results and not report.evaluated):
        return NagiosState.UNKNOWN
    if any(r.status is Status.WARN for r in counted):
        return NagiosState.WARNING
    return NagiosState.OK


def exit_code(report: Report) -> int:
    return int(state(report))


def _one_line(text: str) -> str:
    return " ".join(text.replace("|", "/").split())


def _worst(report: Report) -> Result | None:
    order = (Status.FAIL, Status.ERROR, Status.WARN)
    for st in order:
        for r in report.results:
            if r.counted and r.status is st:
                return r
    return None


def perfdata(report: Report) -> str:
    s = report.summary()
    parts = [f"{st.value}={s[st.value]};;;0;" for st in Status]
    parts.append(f"score={s['score']};;;0;100")
    parts.append(f"duration={report.duration_s:.3f}s;;;0;")
    return " ".join(parts)


def render(report: Report, opts: RenderOptions) -> str:
    st = state(report)
    s = report.summary()
    counts = ", ".join(f"{s[x.value]} {x.value}" for x in (Status.FAIL, Status.WARN, Status.OK, Status.SKIP,
                                                            Status.ERROR))
    line = f"GOMEDIC {st.name} - {report.command}: {counts}"
    worst = _worst(report)
    if worst is not None:
        subject = f" [{worst.subject}]" if worst.subject else ""
        line += f"; {worst.id}{subject}: {worst.summary}"
    elif st is NagiosState.UNKNOWN:
        line += "; no check could be evaluated"
    line = _one_line(line)
    if len(line) > MAX_LINE:
        line = line[: MAX_LINE - 1] + "…"
    out = [f"{line} | {perfdata(report)}"]
    if opts.verbose:
        for r in report.results:
            if r.status in (Status.FAIL, Status.ERROR, Status.WARN):
                fix = f" (fix: {r.fix})" if r.fix else ""
                out.append(_one_line(f"{r.status.value.upper()} {r.id}: {r.summary}{fix}"))
    return ("\n".join(out) + "\n").encode("utf-8", "replace").decode("utf-8")
