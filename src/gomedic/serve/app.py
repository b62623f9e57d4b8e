"""The exporter's endpoints: fixed GET routes, all answered from the cache (routing only, no I/O).

    /metrics      Prometheus text (bearer token when configured)
    /report.json  the latest results of every job as one gomedic/report/v1 document (bearer token)
    /-/healthy    liveness: 200 while the server and its scheduler are alive, whatever the checks say
    /-/ready      200 once every job has run once
    /healthz      the node's verdict (for load balancers): 200 unless a job's latest report exits non-zero
                  or its runs produce no report; a job waiting for its first run is not unhealthy

The probes need no token. When a token is configured, a request without it learns only the verdict
(`ok`, `unhealthy`, ...): failing check ids, subjects (paths) and job names need the token.
No endpoint runs anything, and nothing a request sends (query, headers other than Authorization, body)
chooses what is served. Requests never wait on a job: jobs run on the scheduler's tasks.
"""

from __future__ import annotations

import hmac

from gomedic.serve.scheduler import Scheduler
from gomedic.serve.state import Cache
from gomedic.values import frozen

TEXT = b"text/plain; charset=utf-8"
PROM = b"text/plain; version=0.0.4; charset=utf-8"
JSON = b"application/json"
PROTECTED = frozenset({"/metrics", "/report.json"})
ENDPOINTS = "/metrics /report.json /-/healthy /-/ready /healthz"
KNOWN = frozenset(p.encode() for p in ("/", *ENDPOINTS.split()))


@frozen
class Answer:
    status: int
    ctype: bytes
    body: bytes
    extra: tuple[tuple[bytes, bytes], ...] = ()


NOT_FOUND = Answer(404, TEXT, f"not found; endpoints: {ENDPOINTS}\n".encode())
NOT_ALLOWED = Answer(405, TEXT, b"method not allowed\n", ((b"allow", b"GET, HEAD"),))
UNAUTHORIZED = Answer(401, TEXT, b"unauthorized\n", ((b"www-authenticate", b'Bearer realm="gomedic"'),))
INDEX = Answer(200, TEXT, f"gomedic exporter: {ENDPOINTS}\n".encode())
_VERDICT = {200: b"ok\n", 503: b"unhealthy\n"}


class App:
    def __init__(self, cache: Cache, *, start_jobs: bool = True) -> None:
        self.cache = cache
        self.scheduler = Scheduler(cache)
        self.start_jobs = start_jobs
        token = cache.config.token
        self._auth = ("Bearer " + token).encode() if token else None

    def authorized(self, authorization: bytes | None) -> bool:
        if self._auth is None:
            return True
        return authorization is not None and hmac.compare_digest(authorization, self._auth)

    def respond(self, method: bytes, path: bytes, authorization: bytes | None) -> Answer:
        """The answer to one request: pure routing over the cache."""
        if method not in (b"GET", b"HEAD"):
            return NOT_ALLOWED if path in KNOWN else NOT_FOUND
        if path == b"/metrics" or path == b"/report.json":
            if not self.authorized(authorization):
                return UNAUTHORIZED
            if path == b"/metrics":
                return Answer(200, PROM, self.cache.metrics())
            return Answer(200, JSON, self.cache.report_json())
        if path == b"/-/healthy":
            code, body = self.scheduler.liveness()
            return self._probe(code, body, {200: b"healthy\n", 503: b"unhealthy\n"}, authorization)
        if path == b"/healthz":
            code, body = self.cache.health()
            return self._probe(code, body, _VERDICT, authorization)
        if path == b"/-/ready":
            code, body = self.cache.ready()
            return self._probe(code, body, {200: b"ready\n", 503: b"starting\n"}, authorization)
        if path == b"/":
            return INDEX
        return NOT_FOUND

    def _probe(self, code: int, body: bytes, bare: dict[int, bytes], authorization: bytes | None) -> Answer:
        """The detailed body for an authorized caller (anyone when no token is configured), else the verdict."""
        if self._auth is not None and not self.authorized(authorization):
            body = bare[code]
        return Answer(code, TEXT, body)
