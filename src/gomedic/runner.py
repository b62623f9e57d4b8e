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
FIRST_WORKERS = 2  # started at once; more only while those are held up (run_checks)
RAMP_S = 0.004
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
    fraction of a millisecond of Python, which threads only slow down (they take turns on the interpreter
    lock: 8 threads made the doctor's 27 checks 4 ms slower than 2, bench/README.md); checks that wait (a
    go command, the network, a fact another check is gathering) get company. When a check overruns, it
    is reported as `error`, its worker is left behind (it exits if the check ever returns) and a fresh
    worker takes its place, so hung checks cannot starve the rest of the run.
    """
    jobs = [_Job(s) for s in specs]
    queue = deque(jobs)
    lock = threading.Lock()
    running: set[_Job] = set()  # started, not finished, not abandoned: one per live worker at work
    pool = [0]  # live workers: started, not left behind with an abandoned check

    def work() -> None:
        while True:
            try:
                job = queue.popleft()
            except IndexError:
                return
            with lock:
                if job.done.is_set():  # given up on before it could start (run budget)
                    continue
                job.started = time.monotonic()
                running.add(job)
            results = run_one(job.spec, facts)
            with lock:
                if job.abandoned:  # reported as timed out; a replacement worker took over
                    return
                running.discard(job)
                job.results = results
                job.done.set()

    def start_worker() -> None:
        pool[0] += 1
        threading.Thread(target=work, daemon=True, name="gomedic-check").start()

    def grow() -> None:
        """One more worker when every live one is at a check that has run for RAMP_S, and work waits."""
        with lock:
            now = time.monotonic()
            if queue and len(running) >= pool[0] and all(now - (j.started or now) >= RAMP_S for j in running):
                start_worker()

    workers = max(1, min(workers, len(jobs)))
    for _ in range(min(FIRST_WORKERS, workers)):
        start_worker()
    deadline = time.monotonic() + budget_s
    out: list[Result] = []
    for job in jobs:
        while not job.done.is_set() and not _overrun(job, deadline):
            can_grow = pool[0] < workers and bool(queue)
            _wait(job, deadline, RAMP_S if can_grow else None)
            if can_grow:
                grow()
        with lock:
            if not job.done.is_set():
                job.abandoned = True
                job.results = [_timeout_result(job, deadline)]
                job.done.set()
                if job in running:
                    running.discard(job)
                    pool[0] -= 1
                    if queue:
                        start_worker()  # the hung worker is lost: keep the pool at strength
        for r in job.results:
            out.append(r)
            if on_result:
                on_result(r)
    return out


def _overrun(job: _Job, deadline: float) -> bool:
    now = time.monotonic()
    started = job.started
    return now >= deadline or (started is not None and now >= started + job.spec.timeout_s)


def _wait(job: _Job, deadline: float, tick: float | None = None) -> None:
    """Until the job is done or overran its time or the run's, or (with `tick`) that many seconds passed."""
    end = None if tick is None else time.monotonic() + tick
    while not job.done.is_set() and not _overrun(job, deadline):
        now = time.monotonic()
        if end is not None and now >= end:
            return
        started = job.started
        limit = deadline if started is None else min(deadline, started + job.spec.timeout_s)
        wait = max(0.0, limit - now)
        if started is None:
            wait = min(0.05, wait)
        job.done.wait(wait if end is None else min(wait, max(0.0, end - now)))


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
