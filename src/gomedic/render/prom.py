"""Prometheus text exposition (format 0.0.4) of a finished Report. The metric contract is docs/metrics.md.

Written by hand (no prometheus_client import: `--format prom` stays as fast as `--format json`), with
HELP and TYPE for every family, seconds as the unit, no timestamps (node_exporter's textfile collector
rejects them). Families are built as values (`report_families`) so `gomedic serve` can merge the
families of several jobs and add its own before one `exposition` call.

Series are unique per (id, subject): if a check yields two results for the same subject, the worse one
is exported, because duplicate series break node_exporter and Prometheus ingestion.
"""

from __future__ import annotations

import math
import platform
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from gomedic import __version__
from gomedic.model import Category, Status
from gomedic.score import category_scores
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Literal

    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions

    MetricType = Literal["gauge", "counter"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

STATUS_VALUE: Mapping[Status, int] = {
    Status.OK: 0,
    Status.WARN: 1,
    Status.FAIL: 2,
    Status.ERROR: 3,
    Status.SKIP: -1,
}
_WORSE = {Status.SKIP: 0, Status.OK: 1, Status.WARN: 2, Status.FAIL: 3, Status.ERROR: 4}

Labels = tuple[tuple[str, str], ...]


@frozen
class Sample:
    labels: Labels
    value: float


@frozen
class Family:
    name: str
    type: MetricType
    help: str
    samples: tuple[Sample, ...]


HELP = {
    "gomedic_check_status": "Status of a gomedic check result: ok=0, warn=1, fail=2, error=3, skip=-1.",
    "gomedic_health_score": "gomedic health score 0-100 (skipped and shadow results excluded).",
    "gomedic_category_health_score": "gomedic health score 0-100 per check category.",
    "gomedic_run_duration_seconds": "Wall time of the gomedic run that produced these results.",
    "gomedic_last_run_timestamp_seconds": "Unix time the gomedic run that produced these results started.",
    "gomedic_results": "Number of gomedic results per status in the run.",
    "gomedic_build_info": "gomedic build information (always 1).",
}


def escape_label(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(v: str) -> str:
    return v.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(float(v))


def started_unix(report: Report) -> float:
    """The report's started_at (`YYYY-MM-DDTHH:MM:SSZ`) as unix seconds; NaN when unparseable."""
    from datetime import datetime, timezone

    try:
        dt = datetime.strptime(report.started_at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return math.nan
    return dt.timestamp()


def unique_results(results: Iterable[Result]) -> list[Result]:
    """One result per (id, subject): the worst, in first-seen order."""
    chosen: dict[tuple[str, str], Result] = {}
    for r in results:
        key = (r.id, r.subject or "")
        old = chosen.get(key)
        if old is None or _WORSE[r.status] > _WORSE[old.status]:
            chosen[key] = r
    return list(chosen.values())


def status_family(results: Iterable[Result], job: str) -> Family:
    samples = tuple(
        Sample(
            (("id", r.id), ("area", r.area), ("category", r.category.value), ("severity", r.severity.value),
             ("subject", r.subject or ""), ("shadow", "true" if r.shadow else "false"), ("job", job)),
            float(STATUS_VALUE[r.status]),
        )
        for r in unique_results(results)
    )
    return Family("gomedic_check_status", "gauge", HELP["gomedic_check_status"], samples)


def build_info_family(extra: Labels = ()) -> Family:
    labels: Labels = (("version", __version__), ("python", platform.python_version()), *extra)
    return Family("gomedic_build_info", "gauge", HELP["gomedic_build_info"], (Sample(labels, 1.0),))


def report_families(
    report: Report,
    job: str = "",
    *,
    score: int | None = None,
    categories: Mapping[Category, int] | None = None,
) -> list[Family]:
    """Every per-run family of the contract for one report (build info excluded: once per exposition)."""
    j: Labels = (("job", job),)
    cats = category_scores(report.results) if categories is None else categories
    g: MetricType = "gauge"
    return [
        status_family(report.results, job),
        Family("gomedic_health_score", g, HELP["gomedic_health_score"],
               (Sample(j, float(report.score if score is None else score)),)),
        Family("gomedic_category_health_score", g, HELP["gomedic_category_health_score"],
               tuple(Sample((("category", c.value), *j), float(v)) for c, v in cats.items())),
        Family("gomedic_run_duration_seconds", g, HELP["gomedic_run_duration_seconds"],
               (Sample(j, float(report.duration_s)),)),
        Family("gomedic_last_run_timestamp_seconds", g, HELP["gomedic_last_run_timestamp_seconds"],
               (Sample(j, started_unix(report)),)),
        Family("gomedic_results", g, HELP["gomedic_results"],
               tuple(Sample((("status", s.value), *j), float(report.count(s))) for s in Status)),
        _vulns_family(report.results, job),
    ]


def _vulns_family(results: Iterable[Result], job: str) -> Family:
    from gomedic.render.prom_vulns import HELP as VHELP
    from gomedic.render.prom_vulns import vulns_samples

    return Family("gomedic_vulns", "gauge", VHELP, tuple(Sample(ls, v) for ls, v in vulns_samples(results, job)))


def merge(groups: Iterable[Sequence[Family]]) -> list[Family]:
    """Families of several sources combined by name (first HELP/TYPE wins), in first-seen order."""
    out: dict[str, Family] = {}
    for group in groups:
        for fam in group:
            old = out.get(fam.name)
            if old is None:
                out[fam.name] = fam
            else:
                out[fam.name] = Family(old.name, old.type, old.help, old.samples + fam.samples)
    return list(out.values())


def exposition(families: Iterable[Family]) -> str:
    lines: list[str] = []
    for fam in families:
        if not fam.samples:  # a family with no series says nothing; some parsers warn about it
            continue
        lines.append(f"# HELP {fam.name} {escape_help(fam.help)}")
        lines.append(f"# TYPE {fam.name} {fam.type}")
        for s in fam.samples:
            if s.labels:
                body = ",".join(f'{k}="{escape_label(v)}"' for k, v in s.labels)
                lines.append(f"{fam.name}{{{body}}} {format_value(s.value)}")
            else:
                lines.append(f"{fam.name} {format_value(s.value)}")
    text = "\n".join(lines) + "\n" if lines else ""
    return text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates (undecodable names) -> "?"


def render_report(report: Report, job: str = "", *, build_info_labels: Labels = ()) -> str:
    return exposition([*report_families(report, job), build_info_family(build_info_labels)])


def render(report: Report, opts: RenderOptions) -> str:
    return render_report(report)


def textfile_name(command: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in command) or "report"
    return f"gomedic_{safe}.prom"
