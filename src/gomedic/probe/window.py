"""Rates over a probe window: two samples -> goroutine growth, allocation rate, GC pauses and CPU (pure)."""

from __future__ import annotations

import math

from gomedic.probe.sample import M, RuntimeSample
from gomedic.values import frozen


@frozen
class WindowStats:
    seconds: float
    goroutine_growth_per_min: float | None = None
    alloc_bytes_per_s: float | None = None
    gcs: int | None = None  # collections during the window
    pause_mean_s: float | None = None
    pause_max_s: float | None = None  # the longest pause of the window (expvar ring)
    pause_p99_s: float | None = None
    pause_fraction: float | None = None  # stop-the-world time / wall time
    gc_cpu_fraction: float | None = None  # GC CPU share of the window (expvar GCCPUFraction + start time)


def _delta(a: RuntimeSample, b: RuntimeSample, m: M) -> float | None:
    x, y = a.get(m), b.get(m)
    return None if x is None or y is None else y - x


def quantile(values: list[float], q: float) -> float:
    """Nearest-rank quantile of a non-empty list."""
    s = sorted(values)
    k = max(0, min(len(s) - 1, math.ceil(q * len(s)) - 1))
    return s[k]


def between(a: RuntimeSample, b: RuntimeSample) -> WindowStats | None:
    """Rates from sample a to the later sample b; None when no time passed."""
    dt = b.at - a.at
    if dt <= 0:
        return None
    dg = _delta(a, b, M.GOROUTINES)
    dalloc = _delta(a, b, M.ALLOC_TOTAL)
    dgc = _delta(a, b, M.GC_COUNT)
    dpause = _delta(a, b, M.GC_PAUSE_TOTAL)
    gcs = int(dgc) if dgc is not None and dgc >= 0 else None
    pauses: list[float] = []
    if gcs and b.memstats is not None:
        pauses = [p / 1e9 for p in b.memstats.recent_pauses_ns(gcs)]
    return WindowStats(
        seconds=dt,
        goroutine_growth_per_min=dg / dt * 60 if dg is not None else None,
        alloc_bytes_per_s=dalloc / dt if dalloc is not None and dalloc >= 0 else None,
        gcs=gcs,
        pause_mean_s=dpause / gcs if gcs and dpause is not None and dpause >= 0 else None,
        pause_max_s=max(pauses) if pauses else None,
        pause_p99_s=quantile(pauses, 0.99) if pauses else None,
        pause_fraction=dpause / dt if dpause is not None and dpause >= 0 else None,
        gc_cpu_fraction=_gc_cpu(a, b),
    )


def _gc_cpu(a: RuntimeSample, b: RuntimeSample) -> float | None:
    """GC CPU share of the window (of the CPU GOMAXPROCS allows).

    The runtime updates GCCPUFraction at the end of each GC, as GC CPU time / ((that moment - process
    start) x GOMAXPROCS); so GC CPU time (in GOMAXPROCS-seconds) at the last GC is fraction x (LastGC -
    start), and the difference of two readings over the window's wall time is the window's share.
    """
    fa, fb, start = a.get(M.GC_CPU_FRACTION), b.get(M.GC_CPU_FRACTION), b.get(M.START_TIME)
    la, lb = a.get(M.LAST_GC), b.get(M.LAST_GC)
    if fa is None or fb is None or start is None or la is None or lb is None:
        return None
    dt = b.wall - a.wall
    if dt <= 0:
        return None
    used_a = fa * (la - start) if la > 0 else 0.0
    used_b = fb * (lb - start) if lb > 0 else 0.0
    return max(0.0, min(1.0, (used_b - used_a) / dt))
