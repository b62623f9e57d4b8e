"""The exporter's ASGI app, without a framework: four fixed GET endpoints, all answered from the cache.

    /metrics      Prometheus text (bearer token when configured)
    /report.json  the latest results of every job as one gomedic/report/v1 document (bearer token)
    /healthz      200 when every job's latest report exits 0, else 503 with the failing ids (no token)
    /-/ready      200 once every job has run once (no token)

No endpoint runs anything, and nothing a request sends (query, headers other than Authorization, body)
chooses what is served. Requests never wait on a job: jobs run on the scheduler's tasks.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from gomedic.serve.scheduler import Scheduler
from gomedic.serve.state import Cache

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

TEXT = b"text/plain; charset=utf-8"
PROM = b"text/plain; version=0.0.4; charset=utf-8"
JSON = b"application/json"
PROTECTED = frozenset({"/metrics", "/report.json"})


class App:
    def __init__(self, cache: Cache, *, start_jobs: bool = True) -> None:
        self.cache = cache
        self.scheduler = Scheduler(cache)
        self.start_jobs = start_jobs
        token = cache.config.token
        self._auth = ("Bearer " + token).encode() if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, send)
        # websocket and anything else: not served (the server closes the connection)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                if self.start_jobs:
                    self.scheduler.start()
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await self.scheduler.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _authorized(self, scope: Scope) -> bool:
        if self._auth is None:
            return True
        for name, value in scope.get("headers", ()):
            if name == b"authorization" and hmac.compare_digest(value, self._auth):
                return True
        return False

    def respond(self, method: str, path: str, scope: Scope) -> tuple[int, bytes, bytes, list[tuple[bytes, bytes]]]:
        """(status, content type, body, extra headers) for a request: pure routing, no I/O."""
        if path not in ("/metrics", "/report.json", "/healthz", "/-/ready", "/"):
            return 404, TEXT, b"not found; endpoints: /metrics /healthz /report.json /-/ready\n", []
        if method not in ("GET", "HEAD"):
            return 405, TEXT, b"method not allowed\n", [(b"allow", b"GET, HEAD")]
        if path in PROTECTED and not self._authorized(scope):
            return 401, TEXT, b"unauthorized\n", [(b"www-authenticate", b'Bearer realm="gomedic"')]
        if path == "/metrics":
            return 200, PROM, self.cache.metrics(), []
        if path == "/report.json":
            return 200, JSON, self.cache.report_json(), []
        if path == "/healthz":
            code, body = self.cache.health()
            return code, TEXT, body, []
        if path == "/-/ready":
            code, body = self.cache.ready()
            return code, TEXT, body, []
        return 200, TEXT, b"gomedic exporter: /metrics /healthz /report.json /-/ready\n", []

    async def _http(self, scope: Scope, send: Send) -> None:
        method = scope.get("method", "GET")
        status, ctype, body, extra = self.respond(method, scope.get("path", "/"), scope)
        headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()),
                   (b"cache-control", b"no-store"), *extra]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
