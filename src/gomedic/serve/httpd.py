"""The exporter's HTTP/1.1 server: an asyncio Protocol per connection, answering GETs from the cache.

Why not a framework server: every answer is a cached byte string, so the cost that matters is per
connection and per request in the event loop. A Protocol answers a request inside `data_received`, with
no task, no queue and no per-request coroutine, so a liveness probe never waits behind queued scrapes
(bench/README.md has the numbers). It serves only what the exporter needs: GET and HEAD without a body,
keep-alive and pipelining, and it enforces the limits a public port needs:

  * the request head (line and headers) must arrive within `head_timeout` of the connection opening or of
    its first byte (408, close): idle and trickling connections cannot be held;
  * an idle keep-alive connection, or one that stops reading its answers, is closed after `keepalive_timeout`;
  * at most `connections_per_peer` open connections per client address and `connections` in all; beyond
    them a new connection gets 503 and is closed, so a flood from one address cannot starve another;
  * a head larger than 16 KiB gets 431, a request with a body 400, anything malformed 400, each then closed.

Probes ahead of scrapes: /metrics and /report.json answers are queued and at most BULK_PER_TURN of them are
sent per turn of the event loop; every other request is answered as soon as it is read. Under a flood of
back-to-back scrapers a turn therefore stays short, and a probe waits for a few dozen scrapes at most, not
for every connection that has a request pending (on a busy machine, that is the difference between
milliseconds and a second).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import cast

from gomedic.serve.app import Answer
from gomedic.serve.config import HttpLimits

MAX_HEAD = 16 * 1024
SWEEP_S = 0.5
BULK = frozenset({b"/metrics", b"/report.json"})
BULK_PER_TURN = 32
LINGER_S = 2.0
REASONS = {200: b"OK", 400: b"Bad Request", 401: b"Unauthorized", 404: b"Not Found", 405: b"Method Not Allowed",
           408: b"Request Timeout", 431: b"Request Header Fields Too Large", 503: b"Service Unavailable"}

Handler = Callable[[bytes, bytes, "bytes | None"], Answer]


def render(answer: Answer, method: bytes, keep_alive: bool) -> bytes:
    head = [b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\ncache-control: no-store\r\n"
            % (answer.status, REASONS.get(answer.status, b"Unknown"), answer.ctype, len(answer.body))]
    head += [b"%s: %s\r\n" % kv for kv in answer.extra]
    if not keep_alive:
        head.append(b"connection: close\r\n")
    head.append(b"\r\n")
    if method != b"HEAD":
        head.append(answer.body)
    return b"".join(head)


def _plain(status: int, text: str) -> bytes:
    return render(Answer(status, b"text/plain; charset=utf-8", text.encode()), b"GET", keep_alive=False)


BAD_REQUEST = _plain(400, "bad request\n")
HAS_BODY = _plain(400, "request bodies are not accepted\n")
TOO_LARGE = _plain(431, "request head too large\n")
TIMEOUT = _plain(408, "request head not received in time\n")
PEER_BUSY = _plain(503, "too many connections from this address\n")
FULL = _plain(503, "too many connections\n")


class Server:
    """Shared by all connections: the handler, the limits, and the open connections per peer."""

    def __init__(self, handler: Handler, limits: HttpLimits, max_connections: int) -> None:
        self.handler = handler
        self.limits = limits
        self.max_connections = max_connections
        self.conns: set[Conn] = set()
        self.per_peer: dict[str, int] = {}
        self.queue: deque[tuple[Conn, bytes, bytes, bytes | None, bool]] = deque()
        self.drain_scheduled = False

    def defer(self, conn: Conn, method: bytes, path: bytes, authorization: bytes | None, keep: bool) -> None:
        """Queue a bulk request; the queue is drained BULK_PER_TURN at a time, once per loop turn."""
        self.queue.append((conn, method, path, authorization, keep))
        if not self.drain_scheduled:
            self.drain_scheduled = True
            asyncio.get_running_loop().call_soon(self._drain)

    def _drain(self) -> None:
        self.drain_scheduled = False
        for _ in range(min(BULK_PER_TURN, len(self.queue))):
            conn, method, path, authorization, keep = self.queue.popleft()
            conn.answer(method, path, authorization, keep)
        if self.queue:
            self.drain_scheduled = True
            asyncio.get_running_loop().call_soon(self._drain)

    def admit(self, conn: Conn) -> bytes | None:
        """None when `conn` may stay, else the answer to send before closing it."""
        if len(self.conns) >= self.max_connections:
            return FULL
        n = self.per_peer.get(conn.peer, 0)
        if n >= self.limits.connections_per_peer:
            return PEER_BUSY
        self.per_peer[conn.peer] = n + 1
        self.conns.add(conn)
        return None

    def forget(self, conn: Conn) -> None:
        if conn in self.conns:
            self.conns.discard(conn)
            n = self.per_peer.pop(conn.peer, 1) - 1
            if n > 0:
                self.per_peer[conn.peer] = n

    def sweep(self, now: float) -> None:
        """Close every connection past its deadline (runs every SWEEP_S seconds)."""
        for conn in [c for c in self.conns if c.deadline < now]:
            conn.expire()

    def close_all(self) -> None:
        for conn in list(self.conns):
            conn.close()


class Conn(asyncio.Protocol):
    __slots__ = ("buf", "closed", "deadline", "in_head", "paused", "peer", "reading", "server", "transport",
                 "waiting")

    def __init__(self, server: Server) -> None:
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.buf = bytearray()
        self.deadline = time.monotonic() + server.limits.head_timeout_s
        self.in_head = True  # waiting for (the rest of) a request head; else idle between requests
        self.paused = False
        self.closed = False
        self.waiting = False  # a bulk request of this connection is queued: later ones wait (answers stay in order)
        self.reading = True

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = t = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        peer = t.get_extra_info("peername")
        self.peer = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        refusal = self.server.admit(self)
        if refusal is not None:
            self.closed = True
            t.write(refusal)
            t.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.server.forget(self)

    def pause_writing(self) -> None:  # the client does not read its answers: stop reading its requests
        self.paused = True
        self.deadline = time.monotonic() + self.server.limits.keepalive_timeout_s
        self._flow()

    def resume_writing(self) -> None:
        self.paused = False
        self.data_received(b"")  # requests that arrived while paused (pipelined) are answered now

    def _flow(self) -> None:
        """Read only while answers flow and at most MAX_HEAD bytes wait unparsed: memory per connection is
        bounded however much a client pipelines."""
        if self.transport is None or self.closed:
            return
        want = not self.paused and len(self.buf) <= MAX_HEAD
        if want != self.reading:
            self.reading = want
            if want:
                self.transport.resume_reading()
            else:
                self.transport.pause_reading()

    def _arm(self) -> None:
        if self.paused:
            return  # the write stall's deadline stands
        limits = self.server.limits
        if self.buf:
            if not self.in_head:  # the first byte of the next request: its head has head_timeout to arrive
                self.in_head = True
                self.deadline = time.monotonic() + limits.head_timeout_s
        else:
            self.in_head = False
            self.deadline = time.monotonic() + limits.keepalive_timeout_s

    def data_received(self, data: bytes) -> None:
        if self.closed:
            return
        buf = self.buf
        buf += data
        while not self.closed and not self.paused and not self.waiting:
            while buf[:2] == b"\r\n":  # empty lines before a request line are allowed (RFC 9112 2.2)
                del buf[:2]
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > MAX_HEAD:
                    self._fail(TOO_LARGE)
                    return
                break
            if end > MAX_HEAD:
                self._fail(TOO_LARGE)
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            self._request(head)
        if not self.closed:
            self._arm()
            self._flow()

    def _request(self, head: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or parts[2] not in (b"HTTP/1.1", b"HTTP/1.0") or not parts[0].isalpha() \
                or not parts[1].startswith(b"/"):
            self._fail(BAD_REQUEST)
            return
        method, target, version = parts
        authorization = connection = None
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip() or b" " in name or b"\t" in name:
                self._fail(BAD_REQUEST)  # also obs-fold (a line starting with whitespace)
                return
            name = name.lower()
            if name == b"authorization":
                authorization = value.strip()
            elif name == b"connection":
                connection = value.lower()
            elif (name == b"content-length" and value.strip() != b"0") or name == b"transfer-encoding":
                self._fail(HAS_BODY)
                return
        if version == b"HTTP/1.1":
            keep = connection is None or b"close" not in connection
        else:
            keep = connection is not None and b"keep-alive" in connection
        path = target.split(b"?", 1)[0]
        if path in BULK:
            self.waiting = True
            self.server.defer(self, method, path, authorization, keep)
        else:
            self.answer(method, path, authorization, keep)

    def answer(self, method: bytes, path: bytes, authorization: bytes | None, keep: bool) -> None:
        if self.closed or self.transport is None:
            return
        self.transport.write(render(self.server.handler(method, path, authorization), method, keep))
        if not keep:
            self.close()
        elif self.waiting:
            self.waiting = False
            self.data_received(b"")  # requests pipelined behind this one

    def _fail(self, response: bytes) -> None:
        if self.transport is not None and not self.closed:
            self.transport.write(response)
            self.close()

    def expire(self) -> None:
        """Past the deadline: 408 when a head was due (and the client reads), else drop the connection."""
        if self.in_head and not self.paused and not self.closed:
            self._fail(TIMEOUT)
        elif self.transport is not None:  # idle, not reading, or lingering past LINGER_S
            self.closed = True
            self.transport.abort()

    def close(self) -> None:
        """Send what is pending, then our FIN, and read (and drop) what the client still sends until it closes
        too, or for LINGER_S. Closing at once with unread input would make the kernel send a reset, which
        can destroy the answer (a 408, say) before the client reads it."""
        if self.closed:
            return
        self.closed = True
        self.deadline = time.monotonic() + LINGER_S
        if self.transport is None:
            return
        if self.transport.can_write_eof():
            self.transport.write_eof()
        else:
            self.transport.close()

    def eof_received(self) -> bool | None:
        return None  # the transport closes itself (after sending anything still buffered)
