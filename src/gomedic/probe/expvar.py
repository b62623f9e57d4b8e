"""expvar `/debug/vars` JSON -> the runtime.MemStats fields a probe judges (pure).

Go's expvar publishes `cmdline` and `memstats` (runtime.MemStats as JSON) by default. Anything that is
not a JSON object raises FormatError; a missing or malformed `memstats` gives an ExpvarVars without it
(the endpoint answered, but says nothing about the runtime).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from gomedic.errors import FormatError
from gomedic.values import field, frozen

PAUSE_RING = 256  # len(runtime.MemStats.PauseNs)

_INT_FIELDS = (
    "Alloc", "TotalAlloc", "Sys", "Mallocs", "Frees", "HeapAlloc", "HeapSys", "HeapIdle", "HeapInuse",
    "HeapReleased", "HeapObjects", "StackInuse", "NextGC", "LastGC", "PauseTotalNs", "NumGC", "NumForcedGC",
)


@frozen
class MemStats:
    ints: Mapping[str, int]
    gc_cpu_fraction: float | None
    pause_ns: tuple[int, ...]  # the 256-entry ring; the most recent pause is at (NumGC+255) % 256

    def get(self, name: str) -> int | None:
        return self.ints.get(name)

    def recent_pauses_ns(self, n: int) -> list[int]:
        """The last `n` GC pauses (at most 256 and at most NumGC), most recent first."""
        num_gc = self.ints.get("NumGC", 0)
        if len(self.pause_ns) != PAUSE_RING or num_gc <= 0:
            return []
        n = max(0, min(n, num_gc, PAUSE_RING))
        return [self.pause_ns[(num_gc - 1 - i) % PAUSE_RING] for i in range(n)]


@frozen
class ExpvarVars:
    memstats: MemStats | None
    cmdline: tuple[str, ...] = ()
    names: tuple[str, ...] = field(default_factory=tuple)  # top-level variables published


def _int(v: Any) -> int | None:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return None
    if isinstance(v, float) and not math.isfinite(v):
        return None
    i = int(v)
    return i if 0 <= i < 1 << 64 else None


def _memstats(m: Any) -> MemStats | None:
    if not isinstance(m, dict):
        return None
    ints = {k: i for k in _INT_FIELDS if (i := _int(m.get(k))) is not None}
    if not ints:
        return None
    frac = m.get("GCCPUFraction")
    gc_frac = float(frac) if isinstance(frac, (int, float)) and not isinstance(frac, bool) else None
    if gc_frac is not None and not (math.isfinite(gc_frac) and 0.0 <= gc_frac <= 1.0):
        gc_frac = None
    ring = m.get("PauseNs")
    pauses: tuple[int, ...] = ()
    if isinstance(ring, list) and len(ring) == PAUSE_RING:
        vals = [_int(x) for x in ring]
        if all(v is not None for v in vals):
            pauses = tuple(v for v in vals if v is not None)
    return MemStats(ints, gc_frac, pauses)


def parse(body: bytes | str) -> ExpvarVars:
    """Parse `/debug/vars`; FormatError when it is not a JSON object."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise FormatError(f"not expvar JSON: {str(e)[:160]}") from None
    if not isinstance(doc, dict):
        raise FormatError(f"not expvar JSON: top level is a {type(doc).__name__}, not an object")
    cmd = doc.get("cmdline")
    cmdline = tuple(str(x)[:256] for x in cmd[:64]) if isinstance(cmd, list) else ()
    return ExpvarVars(_memstats(doc.get("memstats")), cmdline, tuple(sorted(str(k)[:128] for k in doc)[:256]))
