"""HTTP GET for probes: a hard deadline per request, a size cap, no retries, same-host redirects only.

Every request runs under a watchdog that shuts the socket down when the deadline passes, so a server
that accepts and never answers, or drips its headers or body a byte at a time, costs at most `timeout`
seconds. The body is read in small pieces and never past `max_bytes` (+1 to detect the overflow), and
compressed bodies are inflated under the same cap, so memory stays bounded whatever the server sends.
Environment proxies are ignored (urllib3 does not read `*_proxy`), which is right for loopback probes.
"""

from __future__ import annotations

import socket
import threading
import time
import zlib
from enum import Enum
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from gomedic.errors import GomedicError
from gomedic.values import frozen

DEFAULT_TIMEOUT_S = 5.0
DEFAULT_MAX_BYTES = 8 << 20  # parsing 8 MiB of Prometheus text takes ~5 s of CPU
MAX_REDIRECTS = 3
_CHUNK = 64 << 10
USER_AGENT = "gomedic-probe"


class FetchFailure(str, Enum):
    REFUSED = "refused"
    TIMEOUT = "timeout"
    UNREACHABLE = "unreachable"
    TLS = "tls"
    HTTP_STATUS = "http-status"
    TOO_LARGE = "too-large"
    REDIRECT = "redirect"
    PROTOCOL = "protocol"
    BAD_URL = "bad-url"


class FetchError(GomedicError):
    """A probe request failed; `kind` says how, the message says what happened, for a user."""

    def __init__(self, kind: FetchFailure, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status


@frozen
class Fetched:
    url: str  # after same-host redirects
    status: int
    content_type: str
    body: bytes
    elapsed_s: float
    truncated: bool = False  # only when the caller allowed a partial body


def _origin(url: str) -> tuple[str, str, int | None]:
    u = urlsplit(url)
    port = u.port or (443 if u.scheme == "https" else 80)
    return u.scheme, (u.hostname or "").lower(), port


class _Watchdog:
    """Shuts down every socket a request opened once the deadline passes (unblocks any recv)."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.Lock()
        self._socks: list[socket.socket] = []
        self.fired = False
        self._timer = threading.Timer(max(0.0, seconds), self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            if self.fired:
                _shutdown(sock)
            self._socks.append(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for s in self._socks:
                _shutdown(s)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _pool(url: str, timeout: float, dog: _Watchdog) -> Any:
    import urllib3
    from urllib3.connection import HTTPConnection, HTTPSConnection

    scheme, host, port = _origin(url)
    base = HTTPSConnection if scheme == "https" else HTTPConnection

    class Watched(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            dog.add(self.sock)

    t = urllib3.Timeout(connect=timeout, read=timeout)
    cls = urllib3.HTTPSConnectionPool if scheme == "https" else urllib3.HTTPConnectionPool
    pool = cls(host, port, maxsize=1, block=False, timeout=t, retries=False)
    pool.ConnectionCls = Watched
    return pool


def fetch(
    url: str,
    *,
    timeout: float = DEFAULT_TIMEOUT_S,
    max_bytes: int = DEFAULT_MAX_BYTES,
    allow_partial: bool = False,
) -> Fetched:
    """GET `url`; raise FetchError on any failure (refused, timeout, non-2xx, too large, ...)."""
    scheme, host, _ = _origin(url)
    if scheme not in ("http", "https") or not host:
        raise FetchError(FetchFailure.BAD_URL, f"{url}: not an http(s) URL")
    start = time.monotonic()
    dog = _Watchdog(timeout)
    dog.start()
    try:
        return _fetch(url, start, timeout, max_bytes, allow_partial, dog)
    finally:
        dog.cancel()


def _fetch(url: str, start: float, timeout: float, max_bytes: int, allow_partial: bool, dog: _Watchdog) -> Fetched:
    import urllib3.exceptions as ue

    current = url
    for _hop in range(MAX_REDIRECTS + 1):
        pool = _pool(current, timeout, dog)
        u = urlsplit(current)
        path = (u.path or "/") + (f"?{u.query}" if u.query else "")
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity, gzip"}
        if u.username is not None:  # http://user:pass@host/ -> basic auth (the report redacts the password)
            from urllib3.util import make_headers

            headers.update(make_headers(basic_auth=f"{unquote(u.username)}:{unquote(u.password or '')}"))
        try:
            resp = pool.urlopen(
                "GET", path, headers=headers,
                redirect=False, preload_content=False, decode_content=False, retries=False,
                assert_same_host=False,
            )
            try:
                if resp.status in (301, 302, 303, 307, 308):
                    current = _redirect(current, url, resp.headers.get("Location"))
                    continue
                if not 200 <= resp.status < 300:
                    raise FetchError(FetchFailure.HTTP_STATUS, f"{current}: answered HTTP {resp.status}",
                                     status=resp.status)
                body, truncated = _read_body(resp, current, max_bytes, allow_partial, dog, timeout)
                ctype = str(resp.headers.get("Content-Type", ""))
                return Fetched(current, resp.status, ctype, body, time.monotonic() - start, truncated)
            finally:
                resp.close()
                pool.close()
        except FetchError:
            raise
        except (ue.HTTPError, OSError, ValueError) as e:
            raise _classify(current, e, dog.fired, timeout) from None
    raise FetchError(FetchFailure.REDIRECT, f"{url}: more than {MAX_REDIRECTS} redirects")


def _redirect(current: str, original: str, location: str | None) -> str:
    if not location:
        raise FetchError(FetchFailure.REDIRECT, f"{current}: redirected without a Location")
    target = urljoin(current, location)
    if _origin(target) != _origin(original):
        raise FetchError(FetchFailure.REDIRECT,
                         f"{current}: redirected to another host or scheme ({target}); not followed")
    return target


def _read_body(resp: Any, url: str, max_bytes: int, allow_partial: bool, dog: _Watchdog,
               timeout: float) -> tuple[bytes, bool]:
    encoding = str(resp.headers.get("Content-Encoding", "")).strip().lower()
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes and not allow_partial and not encoding:
        raise FetchError(
            FetchFailure.TOO_LARGE, f"{url}: body of {int(declared)} bytes exceeds the {max_bytes}-byte cap"
        )
    inflater = None
    if encoding == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding not in ("", "identity"):
        raise FetchError(FetchFailure.PROTOCOL, f"{url}: unsupported Content-Encoding {encoding!r}")
    out = bytearray()
    while True:
        piece = resp.read1(_CHUNK)
        if dog.fired:
            raise FetchError(FetchFailure.TIMEOUT, f"{url}: no complete answer within {timeout:g}s")
        if not piece:
            break
        if inflater is not None:
            piece = inflater.decompress(piece, max_bytes + 1 - len(out))
        out += piece
        if len(out) > max_bytes:
            if allow_partial:
                return bytes(out[:max_bytes]), True
            raise FetchError(FetchFailure.TOO_LARGE, f"{url}: body exceeds the {max_bytes}-byte cap")
    return bytes(out), False


def _classify(url: str, e: BaseException, fired: bool, timeout: float) -> FetchError:
    import urllib3.exceptions as ue

    text = str(e)
    if fired:
        return FetchError(FetchFailure.TIMEOUT, f"{url}: no complete answer within {timeout:g}s")
    if isinstance(e, ue.NameResolutionError):
        return FetchError(FetchFailure.UNREACHABLE, f"{url}: name does not resolve")
    if isinstance(e, (ue.NewConnectionError, ConnectionRefusedError)):  # before TimeoutError: it subclasses it
        if "refused" in text.lower():
            return FetchError(FetchFailure.REFUSED, f"{url}: connection refused (nothing listens there)")
        return FetchError(FetchFailure.UNREACHABLE, f"{url}: cannot connect: {text}")
    if isinstance(e, (ue.TimeoutError, socket.timeout, TimeoutError)):
        return FetchError(FetchFailure.TIMEOUT, f"{url}: no complete answer within {timeout:g}s")
    if isinstance(e, ue.SSLError):
        return FetchError(FetchFailure.TLS, f"{url}: TLS failed: {text}")
    return FetchError(FetchFailure.PROTOCOL, f"{url}: not a valid HTTP answer ({type(e).__name__}: {text[:200]})")
