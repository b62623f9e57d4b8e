"""Drive a probe: discover the endpoints, take two samples `window` apart, read /proc for `--pid`.

Endpoints are fetched in parallel, each under its own deadline, so one that hangs costs `timeout` once:
an endpoint that failed in the first sample is not asked again. A discovered endpoint that answers 404
or an HTML page (an exporter's landing page) is `absent`, not failed; anything else that does not parse
is `failed` with the parser's reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from enum import Enum
from pathlib import Path
from typing import Any

from gomedic.errors import FactUnavailable, FormatError
from gomedic.facts.cgroup import CgroupInfo, read_cgroup
from gomedic.facts.door import HOST_READER, Reader
from gomedic.facts.proc import ProcessInfo, read_process
from gomedic.probe import expvar, pprof, promtext
from gomedic.probe.fetch import FetchError, FetchFailure, fetch
from gomedic.probe.pprof import GoroutineDump
from gomedic.probe.procstat import BinaryGo, proc_values, read_binary, start_time
from gomedic.probe.sample import RuntimeSample, merge
from gomedic.probe.target import Endpoint, ProbeTarget
from gomedic.probe.window import WindowStats, between
from gomedic.values import frozen, replace


class Outcome(str, Enum):
    OK = "ok"
    ABSENT = "absent"
    FAILED = "failed"


@frozen
class EndpointResult:
    endpoint: Endpoint
    url: str
    explicit: bool
    outcome: Outcome
    reason: str = ""
    elapsed_s: float | None = None
    kind: str = ""  # FetchFailure value, or "garbage"

    @property
    def short(self) -> str:
        """The reason without the URL it starts with (the URL is said once, elsewhere)."""
        head, sep, rest = self.reason.partition(": ")
        return rest if sep and head.startswith(("http://", "https://")) else self.reason

    def describe(self) -> str:
        took = f" in {self.elapsed_s * 1000:.0f} ms" if self.elapsed_s is not None else ""
        if self.outcome is Outcome.OK:
            return f"answered{took}"
        return f"{self.outcome.value}: {self.short}"


@frozen
class ProcessSide:
    info: ProcessInfo | None
    cgroup: CgroupInfo | None
    binary: BinaryGo | None
    note: str = ""


@frozen
class ProbeData:
    target: ProbeTarget
    endpoints: tuple[EndpointResult, ...]
    first: RuntimeSample | None
    last: RuntimeSample | None
    window: WindowStats | None
    dump: GoroutineDump | None  # the most detailed goroutine dump read (debug=2 when it parsed)
    process: ProcessSide | None

    @property
    def usable(self) -> bool:
        return any(e.outcome is Outcome.OK for e in self.endpoints)

    def endpoint(self, e: Endpoint) -> EndpointResult | None:
        for r in self.endpoints:
            if r.endpoint is e:
                return r
        return None


_Parsed = tuple[EndpointResult, Any]


def _html(ctype: str, body: bytes) -> bool:
    head = body[:256].lstrip().lower()
    return "html" in ctype.lower() or head.startswith((b"<!doctype html", b"<html"))


def _get(target: ProbeTarget, e: Endpoint, url: str, explicit: bool, detail: int) -> _Parsed:
    """Fetch and parse one endpoint; never raises for anything the server does."""
    full = url
    if e is Endpoint.PPROF:
        full = url + ("&" if "?" in url else "?") + f"debug={detail}"
    t0 = time.monotonic()
    try:
        got = fetch(full, timeout=target.timeout_s, max_bytes=target.max_bytes, allow_partial=detail == 2)
    except FetchError as err:
        absent = not explicit and err.kind is FetchFailure.HTTP_STATUS and err.status in (404, 405)
        return EndpointResult(e, url, explicit, Outcome.ABSENT if absent else Outcome.FAILED, str(err),
                              time.monotonic() - t0, err.kind.value), None
    if not explicit and _html(got.content_type, got.body):
        return EndpointResult(e, url, explicit, Outcome.ABSENT, f"{url}: answered an HTML page, not {e.value}",
                              got.elapsed_s, "html"), None
    try:
        if e is Endpoint.METRICS:
            parsed: Any = promtext.parse(got.body.decode("utf-8", "replace"))
        elif e is Endpoint.EXPVAR:
            parsed = expvar.parse(got.body)
        else:
            parsed = pprof.parse(got.body, truncated=got.truncated)
    except FormatError as err:
        return EndpointResult(e, url, explicit, Outcome.FAILED, f"{url}: returned garbage: {err}",
                              got.elapsed_s, "garbage"), None
    return EndpointResult(e, url, explicit, Outcome.OK, "", got.elapsed_s), parsed


def _get_both(
    target: ProbeTarget, e: Endpoint, url: str, explicit: bool, detailed: bool
) -> tuple[_Parsed, _Parsed | None]:
    first = _get(target, e, url, explicit, 1)
    if not detailed or first[0].outcome is not Outcome.OK:
        return first, None
    return first, _get(target, e, url, explicit, 2)


def _proc(pid: int, reader: Reader) -> tuple[ProcessSide, dict[Any, float]]:
    root = Path("/")
    try:
        info = read_process(root, pid, reader)
    except FactUnavailable as e:
        return ProcessSide(None, None, None, str(e)), {}
    return ProcessSide(info, read_cgroup(root, pid, reader), None), dict(proc_values(info, start_time(pid, root)))


def _sample(
    target: ProbeTarget,
    live: list[tuple[Endpoint, str, bool]],
    *,
    detailed: bool,
    pool: ThreadPoolExecutor,
    reader: Reader,
) -> tuple[list[EndpointResult], RuntimeSample, GoroutineDump | None, ProcessSide | None]:
    at, wall = time.monotonic(), time.time()
    jobs: list[tuple[Endpoint, Future[tuple[_Parsed, _Parsed | None]]]] = []
    for e, url, explicit in live:
        # debug=2 runs after debug=1 in the same worker, so both samples count goroutines under the same load.
        jobs.append((e, pool.submit(_get_both, target, e, url, explicit, e is Endpoint.PPROF and detailed)))
    side: ProcessSide | None = None
    procv: dict[Any, float] = {}
    if target.pid is not None:
        side, procv = _proc(target.pid, reader)
    results: list[EndpointResult] = []
    parsed: dict[Endpoint, Any] = {}
    detail: GoroutineDump | None = None
    for e, fut in jobs:
        (res, val), more = fut.result()
        if more is not None and isinstance(more[1], GoroutineDump):
            detail = more[1]  # the per-goroutine dump only adds detail; debug=1 judges the endpoint
        results.append(res)
        if val is not None:
            parsed[e] = val
    s = merge(at, wall, prom=parsed.get(Endpoint.METRICS), expvar=parsed.get(Endpoint.EXPVAR),
              dump=parsed.get(Endpoint.PPROF), proc=procv)
    return results, s, detail or parsed.get(Endpoint.PPROF), side


def collect(target: ProbeTarget, *, sleep: Callable[[float], None] = time.sleep,
            reader: Reader = HOST_READER) -> ProbeData:
    """Probe `target`: one sample, or two `window_s` apart with rates between them (/proc/PID read through
    `reader`)."""
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="gomedic-probe") as pool:
        single = target.window_s <= 0
        results, first, dump, side = _sample(target, list(target.urls), detailed=single, pool=pool, reader=reader)
        last, window = first, None
        if not single:
            live = [u for u in target.urls if any(r.endpoint is u[0] and r.outcome is Outcome.OK for r in results)]
            if live or target.pid is not None:
                sleep(max(0.0, first.at + target.window_s - time.monotonic()))
                again, last, dump2, side2 = _sample(target, live, detailed=True, pool=pool, reader=reader)
                results = _worst(results, again)
                dump = dump2 or dump
                side = side2 or side
                window = between(first, last)
    if side is not None and target.pid is not None and side.info is not None:
        side = replace(side, binary=read_binary(target.pid))
    return ProbeData(target, tuple(results), first, last, window, dump, side)


def _worst(first: list[EndpointResult], second: list[EndpointResult]) -> list[EndpointResult]:
    """Per endpoint, the second reading unless the first was worse (a failure stays a failure)."""
    later = {r.endpoint: r for r in second}
    out: list[EndpointResult] = []
    for r in first:
        s = later.get(r.endpoint)
        if s is None or r.outcome is not Outcome.OK:
            out.append(r)
        elif s.outcome is Outcome.OK and (r.elapsed_s or 0) > (s.elapsed_s or 0):
            out.append(r)  # keep the slower of two good answers: slowness is what the check judges
        else:
            out.append(s)
    return out
