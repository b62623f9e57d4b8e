"""The exporter's /metrics body: every job's report families (render/prom.py) plus serve-only families.

The contract is docs/metrics.md. In the exporter, gomedic_health_score and
gomedic_category_health_score are time-weighted (score.py): results that keep failing weigh more.
"""

from __future__ import annotations

from collections.abc import Sequence

from gomedic.render.prom import Family, Sample, build_info_family, exposition, merge, report_families
from gomedic.score import ScoreWeights, weighted_category_scores, weighted_score
from gomedic.serve.state import JobState, Outcome

HELP = {
    "gomedic_check_failing_seconds": "Seconds a gomedic check result has been failing continuously, "
    "since the first run that saw it fail (results are from the latest run of the job).",
    "gomedic_job_runs_total": "gomedic serve job runs by outcome (success: a report was produced).",
    "gomedic_job_last_success_timestamp_seconds": "Unix time the last successful run of a gomedic serve job started.",
}


def serve_families(jobs: Sequence[JobState], now: float) -> list[Family]:
    failing: list[Sample] = []
    runs: list[Sample] = []
    success: list[Sample] = []
    for s in jobs:
        job = s.spec.name
        for (cid, subject), secs in sorted(s.failing_seconds(now).items()):
            failing.append(Sample((("id", cid), ("subject", subject), ("job", job)), round(secs, 3)))
        for o in Outcome:
            runs.append(Sample((("job", job), ("outcome", o.value)), float(s.runs.get(o, 0))))
        if s.last_success is not None:
            success.append(Sample((("job", job),), s.last_success))
    return [
        Family("gomedic_check_failing_seconds", "gauge", HELP["gomedic_check_failing_seconds"], tuple(failing)),
        Family("gomedic_job_runs_total", "counter", HELP["gomedic_job_runs_total"], tuple(runs)),
        Family("gomedic_job_last_success_timestamp_seconds", "gauge",
               HELP["gomedic_job_last_success_timestamp_seconds"], tuple(success)),
    ]


def exposition_for(jobs: Sequence[JobState], now: float, weights: ScoreWeights) -> str:
    groups: list[list[Family]] = []
    for s in jobs:
        if s.report is None:
            continue
        failing = s.failing_seconds(now)
        groups.append(report_families(
            s.report, s.spec.name,
            score=weighted_score(s.report.results, failing, weights),
            categories=weighted_category_scores(s.report.results, failing, weights),
        ))
    groups.append(serve_families(jobs, now))
    groups.append([build_info_family()])
    return exposition(merge(groups))
