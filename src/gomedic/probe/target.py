"""What to probe: a base URL and/or explicit endpoint URLs, an optional pid, window and limits (pure)."""

from __future__ import annotations

from enum import Enum
from urllib.parse import urlsplit, urlunsplit

from gomedic import units
from gomedic.errors import UsageError
from gomedic.probe.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_S
from gomedic.values import frozen

DEFAULT_WINDOW_S = 10.0
MAX_WINDOW_S = 3600.0


class Endpoint(str, Enum):
    METRICS = "metrics"
    EXPVAR = "expvar"
    PPROF = "pprof"

    @property
    def path(self) -> str:
        return {"metrics": "/metrics", "expvar": "/debug/vars", "pprof": "/debug/pprof/goroutine"}[self.value]


def parse_duration(text: str, *, what: str = "--window") -> float:
    try:
        v = units.parse_duration(text)
    except ValueError as e:
        raise UsageError(f"{what} {text!r}: {e}") from None
    if v > MAX_WINDOW_S:
        raise UsageError(f"{what} {text!r}: at most {MAX_WINDOW_S:g}s")
    return v


def parse_size(text: str, *, what: str = "--max-body") -> int:
    try:
        v = units.parse_size(text)
    except ValueError as e:
        raise UsageError(f"{what} {text!r}: {e}") from None
    if v < 1024:
        raise UsageError(f"{what} {text!r}: at least 1024 bytes")
    return v


def _check_url(url: str, what: str) -> str:
    u = urlsplit(url)
    if u.scheme not in ("http", "https") or not u.hostname:
        raise UsageError(f"{what} {url!r}: expected an http:// or https:// URL")
    try:
        u.port  # noqa: B018 (validates the port)
    except ValueError:
        raise UsageError(f"{what} {url!r}: bad port") from None
    return url


@frozen
class ProbeTarget:
    """Where to look. `urls` maps each endpoint to probe to (url, explicit)."""

    urls: tuple[tuple[Endpoint, str, bool], ...]
    pid: int | None = None
    window_s: float = DEFAULT_WINDOW_S
    timeout_s: float = DEFAULT_TIMEOUT_S
    max_bytes: int = DEFAULT_MAX_BYTES
    label: str = ""

    def url(self, e: Endpoint) -> str | None:
        for ep, u, _ in self.urls:
            if ep is e:
                return u
        return None


def classify(url: str) -> tuple[str, Endpoint | None]:
    """(base URL, endpoint) when `url` points at a known endpoint path, else (url, None)."""
    u = urlsplit(url)
    path = u.path.rstrip("/")
    for e in Endpoint:
        if path.endswith(e.path):
            base = urlunsplit((u.scheme, u.netloc, path[: -len(e.path)], "", ""))
            return base, e
    return urlunsplit((u.scheme, u.netloc, path, "", "")), None


def make_target(
    url: str | None,
    *,
    metrics: str | None = None,
    expvar: str | None = None,
    pprof: str | None = None,
    pid: int | None = None,
    window_s: float = DEFAULT_WINDOW_S,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ProbeTarget:
    """A URL naming an endpoint (`.../metrics`) probes that endpoint only; a base URL discovers all three."""
    explicit = {e: _check_url(v, f"--{e.value}") for e, v in
                ((Endpoint.METRICS, metrics), (Endpoint.EXPVAR, expvar), (Endpoint.PPROF, pprof)) if v}
    urls: list[tuple[Endpoint, str, bool]] = []
    if url:
        _check_url(url, "URL")
        base, which = classify(url)
        if which is not None:
            explicit.setdefault(which, url)
        else:
            urls += [(e, base + e.path, False) for e in Endpoint if e not in explicit]
    urls += [(e, u, True) for e, u in explicit.items()]
    if not urls and pid is None:
        raise UsageError("probe needs a URL (or --metrics/--expvar/--pprof) or --pid")
    if pid is not None and pid <= 0:
        raise UsageError(f"--pid {pid}: expected a process id")
    if timeout_s <= 0:
        raise UsageError("--timeout must be positive")
    order = list(Endpoint)
    urls.sort(key=lambda t: order.index(t[0]))
    label = url or (urls[0][1] if urls else f"pid {pid}")
    return ProbeTarget(tuple(urls), pid, window_s, timeout_s, max_bytes, label)
