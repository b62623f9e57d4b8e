"""The limits a live Go process runs against, each with where it came from (pure).

Memory: GOMEMLIMIT (the runtime's metric, or the process environment), the cgroup memory limit, a
user-set cap. Threads: Go's own 10000-thread limit, RLIMIT_NPROC (per user; root is exempt), cgroup
pids.max, kernel.threads-max. CPUs: affinity and cgroup CPU quota, and the GOMAXPROCS a Go release picks.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gomedic.binfmt import goversion

GO_MAX_THREADS = 10000  # runtime/debug.SetMaxThreads default: beyond it the process dies
NO_LIMIT = 1 << 62  # math.MaxInt64 (GOMEMLIMIT unset) and v1 cgroup "unlimited" values are above this
_MEMLIMIT = re.compile(r"^\s*(\d+)\s*(B|KiB|MiB|GiB|TiB)?\s*$")
_UNIT = {None: 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30, "TiB": 40}


@dataclass(frozen=True, slots=True)
class Bound:
    value: float
    name: str  # what the limit is, for a summary: "GOMEMLIMIT", "cgroup memory.max"
    source: str  # where it was read


def tightest(bounds: list[Bound]) -> Bound | None:
    return min(bounds, key=lambda b: b.value) if bounds else None


def parse_gomemlimit(text: str) -> int | None:
    """GOMEMLIMIT syntax (runtime/debug): bytes with an optional B/KiB/MiB/GiB/TiB suffix; `off` -> None."""
    if text.strip() == "off":
        return None
    m = _MEMLIMIT.match(text)
    if not m:
        return None
    v = int(m.group(1)) << _UNIT[m.group(2)]
    return v if 0 < v < NO_LIMIT else None


def mib(v: float) -> str:
    return f"{v / (1 << 20):.1f} MiB"


def cpu_cap(affinity: int | None, quota_cpus: float | None) -> int | None:
    """How many CPUs a process can keep busy: its affinity, capped by the cgroup quota (rounded up).

    Go 1.25's container-aware default never goes below 2 under a quota (a 0.5-CPU quota gives
    GOMAXPROCS=2), so a GOMAXPROCS at or under that floor is not counted as an excess.
    """
    if quota_cpus is None:
        return affinity
    q = max(2, math.ceil(quota_cpus))
    return min(affinity, q) if affinity else q


def go_default_gomaxprocs(version: str | None, containermaxprocs: str | None, affinity: int | None,
                          quota_cpus: float | None) -> tuple[int | None, str]:
    """What GOMAXPROCS the Go runtime picks by default, and why (for a summary)."""
    if affinity is None:
        return None, "CPU affinity unknown"
    aware = bool(version) and goversion.compare(version or "", "go1.25") >= 0 and containermaxprocs != "0"
    if quota_cpus is None:
        return affinity, "no CPU quota: GOMAXPROCS defaults to the CPUs the process may run on"
    if aware:
        return cpu_cap(affinity, quota_cpus), f"{version} sizes GOMAXPROCS to the CPU quota"
    why = ("containermaxprocs=0 (the main module's go line is below 1.25, or GODEBUG says so)"
           if version and goversion.compare(version, "go1.25") >= 0 else f"{version or 'this Go'} predates 1.25")
    return affinity, f"the runtime ignores the CPU quota: {why}"
