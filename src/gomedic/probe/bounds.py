"""The limits a live Go process runs against, each with where it came from (pure).

Memory: GOMEMLIMIT (the runtime's metric, or the process environment), the cgroup memory limit, a
user-set cap. Threads: Go's own 10000-thread limit, RLIMIT_NPROC (per user; root is exempt), cgroup
pids.max, kernel.threads-max. CPUs: affinity and cgroup CPU quota, and the GOMAXPROCS a Go release picks.
"""

from __future__ import annotations

import math

from gomedic.values import frozen

GO_MAX_THREADS = 10000  # runtime/debug.SetMaxThreads default: beyond it the process dies
NO_LIMIT = 1 << 62  # math.MaxInt64 (GOMEMLIMIT unset) and v1 cgroup "unlimited" values are above this


@frozen
class Bound:
    value: float
    name: str  # what the limit is, for a summary: "GOMEMLIMIT", "cgroup memory.max"
    source: str  # where it was read


def tightest(bounds: list[Bound]) -> Bound | None:
    return min(bounds, key=lambda b: b.value) if bounds else None


def parse_gomemlimit(text: str) -> int | None:
    """GOMEMLIMIT (facts.goruntime syntax: bytes with a B/KiB/MiB/GiB/TiB suffix); `off`, unset or invalid -> None."""
    from gomedic.facts.goruntime import parse_gomemlimit as parse

    try:
        v = parse(text)
    except ValueError:
        return None
    return v if v is not None and 0 < v < NO_LIMIT else None


def cpu_cap(affinity: int | None, quota_cpus: float | None) -> int | None:
    """How many CPUs a process can keep busy: its affinity, capped by the cgroup quota (rounded up).

    Go 1.25's container-aware default never goes below 2 under a quota (a 0.5-CPU quota gives
    GOMAXPROCS=2), so a GOMAXPROCS at or under that floor is not counted as an excess.
    """
    if quota_cpus is None:
        return affinity
    q = max(2, math.ceil(quota_cpus))
    return min(affinity, q) if affinity else q


def go_default_gomaxprocs(version: str | None, default_godebug: str, env_godebug: str, affinity: int | None,
                          quota_cpus: float | None) -> tuple[int | None, str]:
    """What GOMAXPROCS the Go runtime picks by default (no GOMAXPROCS variable), and why (facts.goruntime)."""
    from gomedic.facts.goruntime import cgroup_aware, predict_gomaxprocs

    if affinity is None:
        return None, "CPU affinity unknown"
    aware, why = cgroup_aware(version, default_godebug, env_godebug)
    got = predict_gomaxprocs(affinity, quota_cpus, None, bool(aware))
    if quota_cpus is None:
        return got.value, f"default: {got.reason} (no CPU quota)"
    return got.value, f"default: {got.reason}; {why}"
