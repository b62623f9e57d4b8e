"""Runs each configured job at once, then every `every` seconds, and puts the outcome into the cache.

A job is a subprocess, `python -m gomedic <command> <args> --format json`, started through execx.run
with the job's timeout (the whole process group is killed when it overruns). Why a subprocess and not
the command module in-process: the runner abandons hung checks as daemon threads, which a long-running
server would accumulate; facts are memoised per process and must be fresh per run; a crash, a leak or
an interpreter-level hang in a check cannot touch the server; and the timeout is enforced by killing.
The price, ~0.1-0.3 s of interpreter start per run, is nothing at minute-scale intervals.

The blocking execx.run happens in a daemon thread so neither scrapes nor shutdown wait on it; at most
`max_parallel` jobs run at once. Runs of one job never overlap: its loop awaits each run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from gomedic import execx
from gomedic.errors import GomedicError
from gomedic.serve.config import JobSpec
from gomedic.serve.state import Cache, Outcome

if TYPE_CHECKING:
    from gomedic.model import Report

T = TypeVar("T")
MAX_ERROR = 300
STUCK_GRACE_S = 60.0  # a run this long past its job's timeout means the job thread is stuck


def job_argv(spec: JobSpec) -> list[str]:
    return [sys.executable, "-m", "gomedic", spec.command, *spec.args, "--format", "json"]


def job_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("GOMEDIC_DEBUG", None)
    env["NO_COLOR"] = "1"
    return env


async def in_daemon_thread(fn: Callable[[], T]) -> T:
    """Await fn() run in a daemon thread (unlike the default executor, it never blocks interpreter exit)."""
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if fut.done():
            return
        if error is not None:
            fut.set_exception(error)
        else:
            fut.set_result(result)  # type: ignore[arg-type]

    def work() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = fn()
        except BaseException as e:
            error = e
        with contextlib.suppress(RuntimeError):  # the loop is gone: the server is shutting down
            loop.call_soon_threadsafe(deliver, result, error)

    threading.Thread(target=work, daemon=True, name="gomedic-job").start()
    return await fut


JobRun = tuple[Outcome, "tuple[Report, int] | None", str]


def run_job(spec: JobSpec) -> JobRun:
    """(outcome, (report, exit code) when one was produced, error text). Blocking: runs in a thread."""
    from gomedic.reportio import report_from_json

    try:
        res = execx.run(job_argv(spec), timeout=spec.timeout_s, env=job_env())
    except GomedicError as e:
        return Outcome.ERROR, None, str(e)
    if res.timed_out:
        return Outcome.TIMEOUT, None, f"timed out after {spec.timeout_s:g}s"
    try:
        parsed = report_from_json(res.stdout)
    except GomedicError as e:
        return Outcome.ERROR, None, f"exit {res.returncode}: {res.first_error_line()[:MAX_ERROR]} ({e})"
    return Outcome.SUCCESS, parsed, ""


class Scheduler:
    def __init__(self, cache: Cache, *, clock: Callable[[], float] = time.time) -> None:
        self.cache = cache
        self.clock = clock
        self._slots = asyncio.Semaphore(cache.config.max_parallel)
        self._tasks: list[asyncio.Task[None]] = []
        self._running: dict[str, float] = {}  # job name -> monotonic start of its run in progress

    async def run_once(self, spec: JobSpec) -> None:
        async with self._slots:
            started = self.clock()
            self._running[spec.name] = time.monotonic()
            try:
                outcome, parsed, error = await in_daemon_thread(lambda: run_job(spec))
            finally:
                self._running.pop(spec.name, None)
        state = self.cache.get(spec.name)
        if parsed is not None:
            state = state.after(outcome, started, *parsed)
        else:
            print(f"gomedic serve: job {spec.name}: {error}", file=sys.stderr, flush=True)
            state = state.after(outcome, started, error=error)
        self.cache.put(state)

    async def _loop(self, spec: JobSpec) -> None:
        while True:
            t0 = time.monotonic()
            try:
                await self.run_once(spec)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # never let one job's surprise stop its schedule
                state = self.cache.get(spec.name).after(Outcome.ERROR, self.clock(), error=f"{type(e).__name__}: {e}")
                self.cache.put(state)
            await asyncio.sleep(max(0.0, spec.every_s - (time.monotonic() - t0)))

    def liveness(self) -> tuple[int, bytes]:
        """200 while every job's schedule is alive: its task has not ended and no run is stuck far past its
        timeout. Not started (jobs off) counts as alive. 503 says which job's schedule is dead, and why."""
        dead: list[str] = []
        for t in self._tasks:
            if t.done():
                why = "cancelled" if t.cancelled() else f"{type(t.exception()).__name__}: {t.exception()}"
                dead.append(f"{t.get_name()}: the schedule stopped ({why})")
        now = time.monotonic()
        for spec in self.cache.config.jobs:
            since = self._running.get(spec.name)
            if since is not None and now - since > spec.timeout_s + STUCK_GRACE_S:
                dead.append(f"job:{spec.name}: a run is stuck ({now - since:.0f}s, timeout {spec.timeout_s:g}s)")
        if dead:
            return 503, ("unhealthy: scheduler\n" + "\n".join(dead)[:4000] + "\n").encode("utf-8", "replace")
        return 200, b"healthy\n"

    def start(self) -> None:
        for spec in self.cache.config.jobs:
            self._tasks.append(asyncio.get_running_loop().create_task(self._loop(spec), name=f"job:{spec.name}"))

    async def stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks.clear()
        execx.kill_all()  # the job threads are abandoned, not what they started: that dies here
