"""runtime: a live Go process judged from the outside (subject = the probed URL, or the pid).

Everything here reads the PROBE fact (`gomedic probe URL [--pid PID]`); the process-level checks (fds,
threads, GOMAXPROCS, Go release) live in runtime_process.py and register with this area.
"""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.probe import PROBE
from gomedic.finding import Finding, fail, grade, ok, skip, warn
from gomedic.model import Category, Severity, Status
from gomedic.probe.bounds import NO_LIMIT, Bound, parse_gomemlimit, tightest
from gomedic.probe.collect import EndpointResult, Outcome, ProbeData
from gomedic.probe.fetch import FetchFailure
from gomedic.probe.pprof import GoroutineDump
from gomedic.probe.sample import M, RuntimeSample
from gomedic.probe.window import WindowStats
from gomedic.registry import check
from gomedic.units import mib

R = Category.RUNTIME
_WORSE = (Status.OK, Status.WARN, Status.FAIL)
GROWTH_FLOOR = 50  # goroutines: smaller changes over a window are noise (the probe's own requests)


def probe(f: Facts) -> ProbeData:
    return f.get(PROBE)


def sample(d: ProbeData) -> RuntimeSample:
    """The latest sample, or FactUnavailable when neither an endpoint nor /proc gave anything."""
    if d.last is None or (not d.usable and not d.last.values):
        raise FactUnavailable(f"nothing was read from {d.target.label} (see runtime.reachable)")
    return d.last


def not_go(d: ProbeData) -> str | None:
    """Why the --pid process is known not to be a Go program (its executable was read and has no Go build
    info, and no endpoint answered), or None."""
    binary = d.process.binary if d.process else None
    if binary is None or binary.is_go is not False or d.usable:
        return None
    return f"pid {d.target.pid} is not a Go process ({binary.note}; read through /proc/{d.target.pid}/exe)"


def num(f: Facts, key: str) -> float:
    return float(f.threshold(key))


_FIX = {
    FetchFailure.REFUSED.value: "start the service, or probe the address it listens on (`ss -ltnp` lists them)",
    FetchFailure.TIMEOUT.value: "the service accepted the connection but did not answer in time: check that it "
    "is not wedged (a full thread pool, a lock held), or raise --timeout",
    FetchFailure.TOO_LARGE.value: "probe an endpoint that returns less, or raise --max-body",
    "garbage": "point the probe at the service's /metrics, /debug/vars or /debug/pprof/goroutine endpoints",
}
_EXPOSE = ("expose runtime endpoints: /metrics (client_golang promhttp.Handler), /debug/vars "
           "(import _ \"expvar\") or /debug/pprof/ (import _ \"net/http/pprof\")")


@check("runtime.reachable", category=R, severity=Severity.HIGH,
       title="The service's metrics/expvar/pprof endpoints answer in time", thresholds={"slow_ms": 1000})
def reachable(f: Facts) -> Finding:
    """The probed service answers on its runtime endpoints (/metrics, /debug/vars, /debug/pprof/goroutine).

    Fails when nothing usable answered, or when an endpoint you named explicitly failed: connection
    refused, no complete answer within --timeout (a hang or a slow drip), an HTTP error, a body over
    --max-body, a redirect to another host (never followed), or a body that is not what the endpoint
    should serve ("returned garbage: not Prometheus text: ..."). Warns when a discovered endpoint failed
    that way while another answered, or an answer took longer than `slow_ms`. A discovered endpoint that
    answers 404 or an HTML page is simply not offered.

    Fix: start the service or probe the right address; expose the endpoints (promhttp.Handler for
    /metrics, `import _ "expvar"`, `import _ "net/http/pprof"`); find what blocks a service that accepts
    connections but does not answer.
    """
    d = probe(f)
    if not d.endpoints:
        return _no_endpoint(d)
    subject = d.target.label
    ev = {e.endpoint.value: f"{e.url}: {e.describe()}" for e in d.endpoints}  # URLs in values: redacted
    failed = [e for e in d.endpoints if e.outcome is Outcome.FAILED]
    answered = [e for e in d.endpoints if e.outcome is Outcome.OK]
    if not answered or any(e.explicit for e in failed):
        bad = failed or [e for e in d.endpoints if e.outcome is not Outcome.OK]
        reasons = "; ".join(f"{e.endpoint.path} {e.short}" for e in bad)
        lead = f"nothing usable answered at {subject}" if not answered else "an endpoint you named failed"
        kinds = [e.kind for e in bad]
        fix = next((_FIX[k] for k in kinds if k in _FIX), _EXPOSE)
        return fail(f"{lead}: {reasons}", fix=fix, subject=subject, **ev)
    if failed:
        return warn(f"{len(answered)} endpoint(s) answered, but: "
                    + "; ".join(f"{e.endpoint.path} {e.short}" for e in failed),
                    fix=next((_FIX[e.kind] for e in failed if e.kind in _FIX), _EXPOSE), subject=subject, **ev)
    return _answered(f, d, answered, ev)


def _no_endpoint(d: ProbeData) -> Finding:
    """No URL to probe: only /proc facts of --pid."""
    if why := not_go(d):
        return skip(f"no URL given, and {why}: there is no Go runtime endpoint to find", subject=d.target.label,
                    exe=d.process.binary.path if d.process and d.process.binary else "")
    return skip("no URL given: only /proc facts of --pid are read", subject=d.target.label)


def _answered(f: Facts, d: ProbeData, answered: list[EndpointResult], ev: dict[str, str]) -> Finding:
    """Every endpoint that was tried answered (or is not offered): warn when one was slow."""
    slow_s = num(f, "runtime.reachable.slow_ms") / 1000
    slow = [e for e in answered if (e.elapsed_s or 0) > slow_s]
    what = ", ".join(f"{e.endpoint.value} in {(e.elapsed_s or 0) * 1000:.0f} ms" for e in answered)
    if slow:
        return warn(f"slow answers (over {slow_s * 1000:.0f} ms): {what}",
                    fix="find what slows the handlers (a busy service, a huge /metrics); scrapes time out first",
                    subject=d.target.label, **ev)
    absent = [e.endpoint.value for e in d.endpoints if e.outcome is Outcome.ABSENT]
    tail = f"; not offered: {', '.join(absent)}" if absent else ""
    return ok(f"answered: {what}{tail}", subject=d.target.label, **ev)


@check("runtime.goroutines", category=R, severity=Severity.MEDIUM,
       title="The goroutine count is bounded and not growing",
       thresholds={"warn": 10000, "max": 50000, "growth_per_min": 1000, "blocked_minutes": 30})
def goroutines(f: Facts) -> Finding:
    """The number of goroutines is under `warn` (warn) and `max` (fail), and does not grow by more than
    `growth_per_min` per minute over the probe window (warn; changes under 50 are ignored as noise).

    A leak looks like a count that only goes up: goroutines blocked forever on a channel nobody closes,
    on a context nobody cancels, on a connection without a deadline. With the pprof goroutine profile the
    most common stacks are named, and goroutines waiting `blocked_minutes` or longer are counted (from
    `?debug=2`: `goroutine 7 [chan receive, 42 minutes]`).

    Fix: look at the top stacks (`curl URL/debug/pprof/goroutine?debug=1`), give every blocking operation
    a way out (context cancellation, deadlines), and make sure each goroutine that is started ends.
    """
    d = probe(f)
    s = sample(d)
    n = s.get(M.GOROUTINES)
    if n is None:
        return skip("goroutine count not exposed: no go_goroutines in /metrics and no pprof goroutine profile",
                    subject=d.target.label)
    ev: dict[str, str] = {"goroutines": s.show(M.GOROUTINES)}
    dump = d.dump
    notes = _dump_notes(f, dump, ev) if dump is not None else []
    w = d.window
    growth = w.goroutine_growth_per_min if w else None
    if w is not None and growth is not None:
        ev["growth"] = f"{growth:+.0f}/min over {w.seconds:.1f}s"
    warn_at, max_at = num(f, "runtime.goroutines.warn"), num(f, "runtime.goroutines.max")
    top = f"; top stack: {dump.top[0].describe()}" if dump and dump.top else ""
    extra = ("; " + "; ".join(notes)) if notes else ""
    fix = "find the leaking stack (`curl URL/debug/pprof/goroutine?debug=1`) and give it a way to end"
    if n >= max_at:
        return fail(f"{int(n)} goroutines (limit {int(max_at)}){top}{extra}", fix=fix, subject=d.target.label, **ev)
    if n >= warn_at:
        return warn(f"{int(n)} goroutines (warn at {int(warn_at)}){top}{extra}", fix=fix,
                    subject=d.target.label, **ev)
    limit = num(f, "runtime.goroutines.growth_per_min")
    if growth is not None and w is not None and growth >= limit and growth * w.seconds / 60 >= GROWTH_FLOOR:
        return warn(f"goroutines grew {growth:+.0f}/min over {w.seconds:.0f}s to {int(n)} "
                    f"(warn at {limit:g}/min){top}{extra}", fix=fix, subject=d.target.label, **ev)
    return ok(f"{int(n)} goroutines ({s.sources.get(M.GOROUTINES)})"
              + (f", {growth:+.0f}/min" if growth is not None else "") + extra, subject=d.target.label, **ev)


def _dump_notes(f: Facts, dump: GoroutineDump, ev: dict[str, str]) -> list[str]:
    """The top stacks and states of the goroutine dump (into `ev`), and what has been blocked for long."""
    for i, g in enumerate(dump.top[:3]):
        ev[f"stack {i + 1}"] = g.describe()
    if dump.by_state:
        ev["states"] = ", ".join(f"{k} {v}" for k, v in dump.by_state.items())
    if not dump.detailed:
        return []
    mins = int(num(f, "runtime.goroutines.blocked_minutes"))
    long = dump.blocked_at_least(mins)
    ev[f"blocked >= {mins} min"] = str(long)
    if not long:
        return []
    worst = dump.long_blocked[0]
    return [f"{long} blocked >= {mins} min (longest: {worst.minutes} min [{worst.state}] in {worst.frame})"]


def _memory_bounds(f: Facts, d: ProbeData, s: RuntimeSample) -> tuple[list[Bound], str | None]:
    bounds: list[Bound] = []
    gml = s.get(M.GOMEMLIMIT)
    env_gml = None
    proc = d.process.info if d.process else None
    if proc is not None and proc.environ is not None and "GOMEMLIMIT" in proc.environ:
        env_gml = proc.environ["GOMEMLIMIT"]
    if gml is not None and 0 < gml < NO_LIMIT:
        bounds.append(Bound(gml, "GOMEMLIMIT", s.sources.get(M.GOMEMLIMIT, "metrics")))
    elif env_gml is not None and (v := parse_gomemlimit(env_gml)) is not None:
        bounds.append(Bound(v, "GOMEMLIMIT", f"environment of pid {d.target.pid}"))
    cg = d.process.cgroup if d.process else None
    if cg is not None and cg.memory is not None:
        bounds.append(Bound(float(cg.memory.value), "cgroup memory limit", cg.memory.source))
    cap = num(f, "runtime.heap.max_mib")
    if cap > 0:
        bounds.append(Bound(cap * (1 << 20), "runtime.heap.max_mib", "threshold"))
    return bounds, env_gml


@check("runtime.heap", category=R, severity=Severity.HIGH,
       title="Go memory stays clear of its limit (GOMEMLIMIT, cgroup, or a set cap)",
       thresholds={"limit_warn": 0.8, "limit_fail": 0.95, "max_mib": 0})
def heap(f: Facts) -> Finding:
    """The memory the Go runtime holds (Sys - HeapReleased, what GOMEMLIMIT counts) stays under
    `limit_warn` (warn) and `limit_fail` (fail) of the tightest limit: GOMEMLIMIT (go_gc_gomemlimit_bytes,
    or the process environment with --pid), the process's cgroup memory limit (--pid), or `max_mib`.

    Near a cgroup limit the kernel OOM-kills the process (`OOMKilled`, exit 137) while much of the heap
    may be garbage; near GOMEMLIMIT the GC runs back to back and burns CPU (see runtime.gc). The next GC
    target (NextGC) above a cgroup limit without GOMEMLIMIT means the heap may grow past it before the GC.

    Fix: find what holds memory (`go tool pprof URL/debug/pprof/heap`); set GOMEMLIMIT to about 90% of
    the container limit; raise the limit.
    """
    d = probe(f)
    s = sample(d)
    sys_b, rel, inuse = s.get(M.SYS), s.get(M.HEAP_RELEASED), s.get(M.HEAP_INUSE)
    used = sys_b - rel if sys_b is not None and rel is not None else sys_b if sys_b is not None else inuse
    if used is None:
        return skip("heap not exposed: no go_memstats_* in /metrics and no memstats in /debug/vars",
                    subject=d.target.label)
    bounds, env_gml = _memory_bounds(f, d, s)
    ev = {"go memory (sys - released)": mib(used), "heap alloc": s.show(M.HEAP_ALLOC),
          "heap in use": s.show(M.HEAP_INUSE), "next GC": s.show(M.NEXT_GC),
          "GOMEMLIMIT (env)": env_gml if env_gml is not None else "not seen"}
    ev.update({f"limit: {b.name}": f"{mib(b.value)} ({b.source})" for b in bounds})
    limit = tightest(bounds)
    if limit is None:
        if d.target.pid is not None:
            where = (f"no GOMEMLIMIT in /metrics or the environment of pid {d.target.pid}, no memory limit in "
                     f"its cgroup; --set runtime.heap.max_mib=N gives one")
        else:
            where = "no GOMEMLIMIT, no cgroup memory limit seen; give --pid, or --set runtime.heap.max_mib=N"
        return skip(f"Go holds {mib(used)}; no limit to compare with ({where})", subject=d.target.label, **ev)
    ratio = used / limit.value
    head = f"Go holds {mib(used)} = {ratio:.0%} of {limit.name} {mib(limit.value)}"
    fix = (f"find what holds memory (`go tool pprof {d.target.label.rstrip('/')}/debug/pprof/heap`); "
           "set GOMEMLIMIT to ~90% of the container limit, or raise the limit")
    if ratio >= num(f, "runtime.heap.limit_warn"):
        return grade(ratio, num(f, "runtime.heap.limit_warn"), num(f, "runtime.heap.limit_fail"), head, fix=fix,
                     subject=d.target.label, **ev)
    next_gc = s.get(M.NEXT_GC)
    has_gml = any(b.name == "GOMEMLIMIT" for b in bounds)
    cg = next((b for b in bounds if b.name == "cgroup memory limit"), None)
    if cg is not None and not has_gml and next_gc is not None and next_gc > cg.value:
        return warn(f"the next GC target {mib(next_gc)} is above the cgroup limit {mib(cg.value)} and "
                    "GOMEMLIMIT is unset: the heap may outgrow the container before the GC runs",
                    fix=f"set GOMEMLIMIT={int(cg.value * 0.9) >> 20}MiB in the service's environment",
                    subject=d.target.label, **ev)
    return ok(head, subject=d.target.label, **ev)


def _gc_pause(s: RuntimeSample, w: WindowStats | None) -> tuple[float | None, str]:
    """The GC pause to judge, and where it comes from (the best source there is)."""
    if s.get(M.GC_COUNT) == 0:
        return None, "no GC has run yet"
    if w is not None and w.pause_max_s is not None:
        return w.pause_max_s, f"longest of {w.gcs} GCs in the window"
    if s.pause_quantiles.get(1.0) is not None:
        return s.pause_quantiles[1.0], "max of recent GCs (go_gc_duration_seconds)"
    if w is not None and w.pause_mean_s is not None:
        return w.pause_mean_s, f"mean of {w.gcs} GCs in the window"
    return None, ""


def _gc_cpu(s: RuntimeSample, w: WindowStats | None) -> tuple[float | None, str]:
    """The GC's share of CPU: over the window when known, else since the process started."""
    if w is not None and w.gc_cpu_fraction is not None:
        return w.gc_cpu_fraction, f"over the {w.seconds:.0f}s window"
    if s.get(M.GC_CPU_FRACTION) is not None:
        return s.get(M.GC_CPU_FRACTION), "since the process started"
    return None, ""


@check("runtime.gc", category=R, severity=Severity.MEDIUM,
       title="GC pauses are short and the GC takes a small share of CPU",
       thresholds={"pause_warn_ms": 50, "pause_fail_ms": 500, "cpu_warn": 0.10, "cpu_fail": 0.25})
def gc(f: Facts) -> Finding:
    """Stop-the-world GC pauses stay under `pause_warn_ms`/`pause_fail_ms` and the GC's share of CPU
    under `cpu_warn`/`cpu_fail` (fractions of the CPU GOMAXPROCS allows).

    Pauses: the longest pause of the probe window (expvar PauseNs), else the maximum of recent pauses
    (go_gc_duration_seconds{quantile="1"}). CPU: over the window when the process start time is known
    (--pid, or process_start_time_seconds), else since start (expvar GCCPUFraction). A GC that takes a
    quarter of the CPU is usually a heap pressed against GOMEMLIMIT or a tiny GOGC, or a huge allocation
    rate.

    Fix: allocate less (`go tool pprof URL/debug/pprof/allocs`); raise GOGC or GOMEMLIMIT if memory allows.
    """
    d = probe(f)
    s = sample(d)
    w = d.window
    ev: dict[str, str] = {"GCs": s.show(M.GC_COUNT)}
    pause, pause_src = _gc_pause(s, w)
    cpu, cpu_src = _gc_cpu(s, w)
    if w is not None:
        if w.gcs is not None:
            ev["GCs in window"] = f"{w.gcs} in {w.seconds:.1f}s"
        if w.alloc_bytes_per_s is not None:
            ev["allocation rate"] = f"{mib(w.alloc_bytes_per_s)}/s"
    if pause is None and cpu is None:
        return skip("no GC statistics exposed (no go_gc_duration_seconds, no expvar memstats)",
                    subject=d.target.label, **ev)
    parts = []
    if pause is not None:
        ev["pause"] = f"{pause * 1000:.3f} ms ({pause_src})"
        parts.append(f"GC pause {pause * 1000:.2f} ms ({pause_src})")
    if cpu is not None:
        ev["GC CPU"] = f"{cpu:.1%} ({cpu_src})"
        parts.append(f"GC CPU {cpu:.1%} ({cpu_src})")
    text = "; ".join(parts)
    fix = ("allocate less (`go tool pprof -sample_index=alloc_space URL/debug/pprof/allocs`); "
           "raise GOGC or GOMEMLIMIT if memory allows")
    p_ms = (pause or 0) * 1000
    c = cpu or 0.0
    by_pause = grade(p_ms, num(f, "runtime.gc.pause_warn_ms"), num(f, "runtime.gc.pause_fail_ms"), text, fix=fix,
                     subject=d.target.label, **ev)
    by_cpu = grade(c, num(f, "runtime.gc.cpu_warn"), num(f, "runtime.gc.cpu_fail"), text, fix=fix,
                   subject=d.target.label, **ev)
    return max(by_pause, by_cpu, key=lambda g: _WORSE.index(g.status))  # the worse of the two
