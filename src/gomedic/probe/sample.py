"""One reading of a Go runtime, merged from whatever the service offers (pure).

/proc for `--pid` wins for what the kernel knows (threads, fds, the fd limit, start time); then
`/metrics` (client_golang `go_*`/`process_*`), then expvar memstats, then the pprof goroutine profile.
Every value remembers where it came from, so a summary can say `go_goroutines=12 (metrics)`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from gomedic.probe.expvar import ExpvarVars, MemStats
from gomedic.probe.pprof import GoroutineDump
from gomedic.probe.promtext import PromMetrics
from gomedic.values import field, frozen


class M(str, Enum):
    """The runtime quantities a probe reads (units in the name)."""

    GOROUTINES = "goroutines"
    THREADS = "threads"
    HEAP_ALLOC = "heap_alloc_bytes"
    HEAP_INUSE = "heap_inuse_bytes"
    HEAP_RELEASED = "heap_released_bytes"
    SYS = "sys_bytes"
    NEXT_GC = "next_gc_bytes"
    GOMEMLIMIT = "gomemlimit_bytes"
    GC_COUNT = "gc_count"
    GC_PAUSE_TOTAL = "gc_pause_total_seconds"
    GC_CPU_FRACTION = "gc_cpu_fraction"  # since process start (expvar GCCPUFraction)
    ALLOC_TOTAL = "alloc_total_bytes"
    OPEN_FDS = "open_fds"
    MAX_FDS = "max_fds"
    GOMAXPROCS = "gomaxprocs"
    START_TIME = "start_time_seconds"  # Unix time the process started
    LAST_GC = "last_gc_time_seconds"  # Unix time the last GC ended (0: none yet)


# /metrics sample name for each quantity (client_golang's Go and process collectors).
PROM_NAMES: Mapping[M, str] = MappingProxyType({
    M.GOROUTINES: "go_goroutines",
    M.THREADS: "go_threads",
    M.HEAP_ALLOC: "go_memstats_heap_alloc_bytes",
    M.HEAP_INUSE: "go_memstats_heap_inuse_bytes",
    M.HEAP_RELEASED: "go_memstats_heap_released_bytes",
    M.SYS: "go_memstats_sys_bytes",
    M.NEXT_GC: "go_memstats_next_gc_bytes",
    M.GOMEMLIMIT: "go_gc_gomemlimit_bytes",
    M.GC_COUNT: "go_gc_duration_seconds_count",
    M.GC_PAUSE_TOTAL: "go_gc_duration_seconds_sum",
    M.ALLOC_TOTAL: "go_memstats_alloc_bytes_total",
    M.OPEN_FDS: "process_open_fds",
    M.MAX_FDS: "process_max_fds",
    M.GOMAXPROCS: "go_sched_gomaxprocs_threads",
    M.START_TIME: "process_start_time_seconds",
    M.LAST_GC: "go_memstats_last_gc_time_seconds",
})

# expvar memstats field for each quantity it has.
EXPVAR_NAMES: Mapping[M, str] = MappingProxyType({
    M.HEAP_ALLOC: "HeapAlloc",
    M.HEAP_INUSE: "HeapInuse",
    M.HEAP_RELEASED: "HeapReleased",
    M.SYS: "Sys",
    M.NEXT_GC: "NextGC",
    M.GC_COUNT: "NumGC",
    M.ALLOC_TOTAL: "TotalAlloc",
})


@frozen
class RuntimeSample:
    """Values read at one moment; `at` is time.monotonic(), `wall` is Unix time."""

    at: float
    wall: float
    values: Mapping[M, float] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[M, str] = field(default_factory=lambda: MappingProxyType({}))
    go_version: str | None = None
    pause_quantiles: Mapping[float, float] = field(default_factory=lambda: MappingProxyType({}))
    memstats: MemStats | None = None
    goroutine_dump: GoroutineDump | None = None

    def get(self, m: M) -> float | None:
        return self.values.get(m)

    def show(self, m: M) -> str:
        """`12 (metrics)` / `3.5 MiB (expvar)`-style text for evidence."""
        v = self.values.get(m)
        if v is None:
            return "not exposed"
        if m.value.endswith("_bytes"):
            num = f"{v / (1 << 20):.1f} MiB"
        else:
            num = str(int(v)) if float(v).is_integer() else f"{v:.6g}"
        return f"{num} ({self.sources.get(m, '?')})"


def merge(
    at: float,
    wall: float,
    *,
    prom: PromMetrics | None = None,
    expvar: ExpvarVars | None = None,
    dump: GoroutineDump | None = None,
    proc: Mapping[M, float] | None = None,
) -> RuntimeSample:
    values: dict[M, float] = {}
    sources: dict[M, str] = {}

    def put(m: M, v: float | None, src: str) -> None:
        if v is not None and m not in values:
            values[m], sources[m] = float(v), src

    for m, v in (proc or {}).items():  # the kernel's view of the process is authoritative
        put(m, v, "proc")
    if prom is not None:
        for m, name in PROM_NAMES.items():
            put(m, prom.value(name), "metrics")
    ms = expvar.memstats if expvar is not None else None
    if ms is not None:
        for m, name in EXPVAR_NAMES.items():
            put(m, ms.get(name), "expvar")
        pt = ms.get("PauseTotalNs")
        put(M.GC_PAUSE_TOTAL, pt / 1e9 if pt is not None else None, "expvar")
        put(M.GC_CPU_FRACTION, ms.gc_cpu_fraction, "expvar")
        last = ms.get("LastGC")
        put(M.LAST_GC, last / 1e9 if last is not None else None, "expvar")
    if dump is not None:
        put(M.GOROUTINES, dump.total, "pprof")
    version = prom.label("go_info", "version") if prom is not None else None
    quantiles = prom.quantiles("go_gc_duration_seconds") if prom is not None else {}
    return RuntimeSample(at, wall, MappingProxyType(values), MappingProxyType(sources), version,
                         MappingProxyType(quantiles), ms, dump)
