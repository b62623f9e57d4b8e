"""systemd time spans (systemd.time(7)): `90`, `5s`, `1min 30s`, `500ms`, `2h`, `infinity`. Pure."""

from __future__ import annotations

import re

UNITS = {
    "usec": 1e-6, "us": 1e-6, "μs": 1e-6, "msec": 1e-3, "ms": 1e-3, "seconds": 1.0, "second": 1.0, "sec": 1.0,
    "s": 1.0, "minutes": 60.0, "minute": 60.0, "min": 60.0, "m": 60.0, "hours": 3600.0, "hour": 3600.0,
    "hr": 3600.0, "h": 3600.0, "days": 86400.0, "day": 86400.0, "d": 86400.0, "weeks": 604800.0, "week": 604800.0,
    "w": 604800.0, "months": 2629800.0, "month": 2629800.0, "M": 2629800.0, "years": 31557600.0,
    "year": 31557600.0, "y": 31557600.0,
}
PART_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Zμ]*)")


def parse_timespan(text: str, default_unit: float = 1.0) -> float | None:
    """Seconds, or float('inf') for `infinity`; None when it does not parse."""
    t = text.strip()
    if t == "infinity":
        return float("inf")
    if not t or len(t) > 200:
        return None
    pos, total = 0, 0.0
    while pos < len(t):
        m = PART_RE.match(t, pos)
        if not m or m.end() == pos:
            return None
        num, unit = m.groups()
        if unit and unit not in UNITS:
            return None
        total += float(num) * (UNITS[unit] if unit else default_unit)
        pos = m.end()
        while pos < len(t) and t[pos] == " ":
            pos += 1
    return total
