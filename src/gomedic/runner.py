"""Run checks in parallel with a per-check timeout and a whole-run budget; assemble the Report.

Workers are daemon threads: a check that hangs is reported as `error` when its time is up and is then
abandoned (its slot is handed to the next check), so a hung check can neither stall the run nor keep
the process alive at exit. Processes the check started are bounded by their own execx timeouts.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.finding import Finding
from gomedic.model import FailOn, Report, Result, Status
from gomedic.registry import CheckSpec
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Any

MAX_WORKERS = 8
FIRST_WORKERS = 1  # started at once; more only while those are held up (run_checks)
RAMP_S = 0.004
POLL_S = 0.05
DEFAULT_BUDGET_S = 120.0


@frozen
class Selection:
    """Which checks of a registry to run."""

    areas: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()
    only: frozenset[str] = frozenset()
    deep: bool = False
    online: bool = False

    def wants(self, spec: CheckSpec) -> bool:
        if spec.id in self.skip:
            return False
        if self.only:
            return spec.id in self.only
        if self.areas and spec.area not in self.areas:
            return False
        if spec.deep and not self.deep:
            return False
        return not (spec.online and not self.online)


def select(specs: Iterable[CheckSpec], selection: Selection) -> list[CheckSpec]:
    return [s for s in specs if selection.wants(s)]


def _result(spec: CheckSpec, f: Finding, duration: float) -> Result:
    return Result(
        id=spec.id,
        area=spec.area,
        category=spec.category,
        status=f.status,
        severity=spec.severity,
        title=spec.title,
        summary=f.summary,
        subject=f.subject,
        evidence=f.evidence,
        fix=f.fix,
        duration_s=duration,
        shadow=spec.shadow,
        file=f.file,
        line=f.line,
    )


def _error(spec: CheckSpec, summary: str, duration: float) -> Result:
    return _result(spec, Finding(Status.ERROR, summary), duration)


def run_one(spec: CheckSpec, facts: Facts) -> list[Result]:
    """Run a check in this thread, turning every way it can go wrong into a Result."""
    start = time.monotonic()
    try:
        out = spec.fn(facts)
        findings = [out] if isinstance(out, Finding) else list(out)
    except FactUnavailable as e:
        return [_result(spec, Finding(Status.SKIP, f"not evaluated: {e}"), time.monotonic() - start)]
    except Exception as e:
        return [_error(spec, f"check crashed: {type(e).__name__}: {e}", time.monotonic() - start)]
    took = time.monotonic() - start
    if not findings:
        return [_error(spec, "check returned no result", took)]
    return [_result(spec, f, took) for f in findings]


class _Job:
    """Mutable bookkeeping of one check in flight (guarded by the run's lock)."""

    __slots__ = ("abandoned", "done", "results", "spec", "started")

    def __init__(self, spec: CheckSpec) -> None:
        self.spec = spec
        self.done = threading.Event()
        self.started: float | None = None
        self.results: list[Result] = []
        self.abandoned = False


def run_checks(
    specs: Sequence[CheckSpec],
    facts: Facts,
    *,
    workers: int = MAX_WORKERS,
    budget_s: float = DEFAULT_BUDGET_S,
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Results in the order of `specs` (several per spec where a check yields several).

    Worker threads take checks from a queue: FIRST_WORKERS at first, and one more (up to `workers`) each
    time every running check has been at it for RAMP_S while checks are still queued. Most checks are a
    fraction of a millisecond of Python, which more threads only slow down (they take turns on the
    interpreter lock); checks that wait (a go command, the network, a fact another check is gathering) get
    company. The calling thread sleeps until every check is done, waking only to add a worker, to stop
    waiting for a check that overran its timeout or the run's budget (reported as `error`; its worker is
    left behind, exits if the check ever returns, and a fresh worker takes its place, so hung checks cannot
    starve the rest of the run), and every POLL_S while some check has not started (its timeout counts
    from its start). Waking for each finished check, as it did, cost the doctor 3 ms (bench/README.md).
    """
    run = _Run(specs, facts, max(1, min(workers, len(specs))), time.monotonic() + budget_s)
    run.wait()
    out: list[Result] = []
    for job in run.jobs:
        for r in job.results:
            out.append(r)
            if on_result:
                on_result(r)
    return out


class _Run:
    """One run_checks call: its queue, its workers and the caller's supervision (the lock guards all)."""

    def __init__(self, specs: Sequence[CheckSpec], facts: Facts, workers: int, deadline: float) -> None:
        self.jobs = [_Job(s) for s in specs]
        self.queue = deque(self.jobs)
        self.facts = facts
        self.workers = workers
        self.deadline = deadline
        self.lock = threading.Lock()
        self.running: set[_Job] = set()  # started, not finished, not abandoned: one per live worker at work
        self.pool = 0  # live workers: started, not left behind with an abandoned check
        self.left = len(self.jobs)
        self.all_done = threading.Event()
        with self.lock:
            for _ in range(min(FIRST_WORKERS, workers) if self.jobs else 0):
                self._start_worker()

    def wait(self) -> None:
        while self.left:
            with self.lock:
                wake = self._supervise(time.monotonic())
            if self.all_done.wait(max(0.0, wake - time.monotonic())):
                return

    def _supervise(self, now: float) -> float:
        """Give up on what overran, add a worker if every one is held up; when to look again."""
        for job in [j for j in self.jobs if not j.done.is_set()] if now >= self.deadline else []:
            self._give_up(job)
        for job in [j for j in self.running if now >= (j.started or now) + j.spec.timeout_s]:
            self._give_up(job)
        wake = min([self.deadline, *((j.started or now) + j.spec.timeout_s for j in self.running)])
        if len(self.running) < self.left:
            wake = min(wake, now + POLL_S)  # a check yet to start: its timeout is not known yet
        if self.queue and self.pool < self.workers:
            if len(self.running) >= self.pool and all(now - (j.started or now) >= RAMP_S for j in self.running):
                self._start_worker()  # every worker is held up and checks wait: one more
            wake = min(wake, now + RAMP_S)  # and look again
        return wake

    def _work(self) -> None:
        while True:
            try:
                job = self.queue.popleft()
            except IndexError:
                return
            with self.lock:
                if job.done.is_set():  # given up on before it could start (run budget)
                    continue
                job.started = time.monotonic()
                self.running.add(job)
            results = run_one(job.spec, self.facts)
            with self.lock:
                if job.abandoned:  # reported as timed out; a replacement worker took over
                    return
                self.running.discard(job)
                self._finish(job, results)

    def _start_worker(self) -> None:  # lock held
        self.pool += 1
        threading.Thread(target=self._work, daemon=True, name="gomedic-check").start()

    def _finish(self, job: _Job, results: list[Result]) -> None:  # lock held
        job.results = results
        job.done.set()
        self.left -= 1
        if not self.left:
            self.all_done.set()

    def _give_up(self, job: _Job) -> None:  # lock held
        job.abandoned = True
        self._finish(job, [_timeout_result(job, self.deadline)])
        if job in self.running:
            self.running.discard(job)
            self.pool -= 1
            if self.queue:
                self._start_worker()  # the hung worker is lost: keep the pool at strength


def _timeout_result(job: _Job, deadline: float) -> Result:
    if job.started is None:
        return _error(job.spec, "not run: the run's time budget was used up", 0.0)
    took = time.monotonic() - job.started
    if time.monotonic() >= deadline and took < job.spec.timeout_s:
        return _error(job.spec, f"stopped: the run's time budget was used up after {took:.1f}s", took)
    return _error(job.spec, f"check timed out after {job.spec.timeout_s:g}s", took)


def now_utc() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def build_report(
    command: str,
    results: Sequence[Result],
    started_at: str,
    t0: float,
    context: Mapping[str, Any],
    fail_on: FailOn = FailOn.FAIL,
    env: Mapping[str, str] | None = None,
) -> Report:
    """The finished report, secrets already hidden: redaction happens here, once, with the environment of
    the run that produced it (`env`, default this process's), so every renderer, file and exporter that
    shows it later shows the same redacted report."""
    from gomedic.redact import known_secrets, redact_report

    report = Report(
        command=command,
        results=tuple(results),
        started_at=started_at,
        duration_s=round(time.monotonic() - t0, 6),
        context=dict(context),
        fail_on=fail_on,
    )
    return redact_report(report, known_secrets(env))
