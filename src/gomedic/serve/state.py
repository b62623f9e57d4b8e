"""The exporter's result cache: the latest outcome of each job, and the bodies the endpoints serve.

JobState values are immutable; the scheduler replaces a job's state after each run, on the event-loop
thread, and readers (the endpoints, on the same thread) never see a half-updated state. Rendered bodies
are memoised: /report.json per state version, /metrics per version and wall-clock second (the failing
durations and the time-weighted score move with time), so a thousand scrapes a second cost one render.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from gomedic.model import Report, Status
from gomedic.score import ResultKey, result_key
from gomedic.serve.config import JobSpec, ServeConfig
from gomedic.values import field, frozen, replace


class Outcome(str, Enum):
    SUCCESS = "success"  # the command produced a report (whatever its results say)
    ERROR = "error"  # it could not be started, crashed, or printed no valid report
    TIMEOUT = "timeout"  # it ran past the job's timeout and was killed


_FAILING = frozenset({Status.FAIL, Status.ERROR})
MAX_LISTED = 20


@frozen
class JobState:
    spec: JobSpec
    report: Report | None = None
    exit_code: int | None = None
    last_success: float | None = None
    last_attempt: float | None = None
    last_error: str | None = None
    runs: Mapping[Outcome, int] = field(default_factory=lambda: MappingProxyType({o: 0 for o in Outcome}))
    failing_since: Mapping[ResultKey, float] = field(default_factory=lambda: MappingProxyType({}))

    def after(self, outcome: Outcome, at: float, report: Report | None = None, exit_code: int | None = None,
              error: str | None = None) -> JobState:
        """The state after one more run that started at unix time `at`."""
        runs = MappingProxyType({**self.runs, outcome: self.runs.get(outcome, 0) + 1})
        if outcome is not Outcome.SUCCESS or report is None:
            return replace(self, runs=runs, last_attempt=at, last_error=error or outcome.value)
        since = {}
        for r in report.results:
            if r.counted and r.status in _FAILING:
                key = result_key(r)
                since[key] = self.failing_since.get(key, at)
        return replace(self, report=report, exit_code=exit_code, last_success=at, last_attempt=at,
                       last_error=None, runs=runs, failing_since=MappingProxyType(since))

    def failing_seconds(self, now: float) -> dict[ResultKey, float]:
        return {k: max(0.0, now - t) for k, t in self.failing_since.items()}


class Cache:
    """Latest state per job (in config order) plus memoised response bodies."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self._jobs: dict[str, JobState] = {j.name: JobState(j) for j in config.jobs}
        self._version = 0
        self._metrics: tuple[tuple[int, int], bytes] | None = None
        self._report: tuple[int, bytes] | None = None

    def get(self, name: str) -> JobState:
        return self._jobs[name]

    def put(self, state: JobState) -> None:
        self._jobs[state.spec.name] = state
        self._version += 1

    def jobs(self) -> tuple[JobState, ...]:
        return tuple(self._jobs.values())

    @property
    def version(self) -> int:
        return self._version

    def ready(self) -> tuple[int, bytes]:
        waiting = [s.spec.name for s in self._jobs.values() if s.last_attempt is None]
        if waiting:
            return 503, f"starting: waiting for the first run of {', '.join(waiting)}\n".encode()
        return 200, b"ready\n"

    def health(self) -> tuple[int, bytes]:
        """The node's verdict: 503 when a job's latest report exits non-zero or its runs produce no report;
        a job still waiting for its first run is not unhealthy. The body names jobs and check ids (no values)."""
        problems: list[str] = []
        waiting: list[str] = []
        for s in self._jobs.values():
            if s.report is None and s.last_attempt is None:
                waiting.append(s.spec.name)
            elif s.report is None:
                problems.append(f"{s.spec.name}: no report yet" + (f" ({s.last_error})" if s.last_error else ""))
            elif s.exit_code != 0:
                bad = [r.id + (f"[{r.subject}]" if r.subject else "") for r in s.report.results
                       if r.counted and r.status in (*_FAILING, Status.WARN)]
                more = f" +{len(bad) - MAX_LISTED}" if len(bad) > MAX_LISTED else ""
                problems.append(f"{s.spec.name}: exit {s.exit_code}: {', '.join(bad[:MAX_LISTED])}{more}")
        if problems:
            return 503, ("unhealthy\n" + "\n".join(problems) + "\n").encode("utf-8", "replace")
        pending = f" ({len(waiting)} waiting for the first run: {', '.join(waiting)})" if waiting else ""
        return 200, f"ok: {len(self._jobs)} jobs{pending}\n".encode()

    def metrics(self, now: float | None = None) -> bytes:
        now = time.time() if now is None else now
        key = (self._version, int(now))
        if self._metrics is None or self._metrics[0] != key:
            from gomedic.serve.metrics import exposition_for

            self._metrics = (key, exposition_for(self.jobs(), now, self.config.weights).encode("utf-8", "replace"))
        return self._metrics[1]

    def report_json(self) -> bytes:
        if self._report is None or self._report[0] != self._version:
            from gomedic.render import RenderOptions, render

            self._report = (self._version, render(merged_report(self.jobs()), "json", RenderOptions()).encode())
        return self._report[1]


def merged_report(jobs: tuple[JobState, ...]) -> Report:
    """One v1 report (command "serve") holding every job's latest results; context.jobs describes each job."""
    from gomedic.runner import now_utc

    reports = [s.report for s in jobs if s.report is not None]
    first_ctx = reports[0].context if reports else {}
    jobs_ctx = {
        s.spec.name: {
            "command": s.spec.command, "args": list(s.spec.args), "every_s": s.spec.every_s,
            "started_at": s.report.started_at if s.report else None, "exit_code": s.exit_code,
            "last_error": s.last_error, "runs": {o.value: n for o, n in s.runs.items()},
        }
        for s in jobs
    }
    return Report(
        command="serve",
        results=tuple(r for rep in reports for r in rep.results),
        started_at=min((r.started_at for r in reports), default=now_utc()),
        duration_s=max((r.duration_s for r in reports), default=0.0),
        context={"host": first_ctx.get("host"), "go": first_ctx.get("go"), "target": None, "jobs": jobs_ctx},
    )

