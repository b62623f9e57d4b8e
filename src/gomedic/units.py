"""Durations, sizes and memory amounts: the one place they are parsed and printed.

Parsers are pure and raise ValueError with a sentence a user can act on; each caller wraps it in its own
error (UsageError for an option, ConfigError for a config key) and applies its own range.
"""

from __future__ import annotations

from gomedic.lazyre import LazyRegex

_DURATION = LazyRegex(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
_SIZE = LazyRegex(r"^\s*(\d+)\s*(k|kb|kib|m|mb|mib|g|gb|gib)?\s*$", flags=2)  # re.IGNORECASE
_SHIFT = {"": 0, "k": 10, "m": 20, "g": 30}
DURATION_EXAMPLES = "30s, 500ms, 2m, 1h, 1d or a number of seconds"


def parse_duration(text: str) -> float:
    """`30s`, `500ms`, `2m`, `1h`, `1d` or plain seconds -> seconds."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"expected a duration such as {DURATION_EXAMPLES}")
    return float(m.group(1)) * _SECONDS[m.group(2)]


def parse_size(text: str) -> int:
    """`16MiB`, `512k`, `1G` or plain bytes -> bytes (k, m, g are binary: KiB, MiB, GiB)."""
    m = _SIZE.match(text)
    if not m:
        raise ValueError("expected a size such as 16MiB, 512k or a number of bytes")
    return int(m.group(1)) << _SHIFT[(m.group(2) or "").lower()[:1]]


def mib(n: float) -> str:
    """A memory amount for people: `64.0 MiB`."""
    return f"{n / (1 << 20):.1f} MiB"


def gomemlimit_value(n: int) -> str:
    """A memory amount as GOMEMLIMIT takes it, rounded down to whole MiB: `460MiB`."""
    return f"{n >> 20}MiB"
