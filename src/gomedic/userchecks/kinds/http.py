"""kind: http — request a URL and match the status, body, response headers and the TLS certificate's days left.

    - name: api-health
      kind: http
      url: https://127.0.0.1:8443/healthz
      method: GET                       # default GET
      request_headers: {Accept: application/json}
      status: 200                       # matcher (default 200)
      body: {contains: '"status":"ok"'} # matcher on the first 1 MiB of the body
      headers: {Content-Type: {contains: json}}   # per response header matchers
      cert_days_left: {ge: 14}          # https only: days until the server certificate expires
      insecure: false                   # true: do not verify the certificate (days left still read)
      ca_file: /etc/app/ca.pem          # verify against this CA bundle instead of the system's

Redirects are not followed (a 301 is what the server said). Proxies are not used.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems

if TYPE_CHECKING:
    import ssl
from gomedic.userchecks.matchers import Expect, check, describe, problems, show
from gomedic.values import frozen

MAX_BODY = 1 << 20
Method = Literal["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"]


class HttpCheck(Common, tag="http", frozen=True):
    url: str
    method: Method = "GET"
    request_headers: dict[str, str] = msgspec.field(default_factory=dict)
    request_body: str = ""
    status: Expect = 200
    body: Expect | None = None
    headers: dict[str, Expect] = msgspec.field(default_factory=dict)
    cert_days_left: Expect | None = None
    insecure: bool = False
    ca_file: str = ""

    DEFAULT_CATEGORY: ClassVar[Category] = Category.NETWORK

    def default_title(self) -> str:
        return f"{self.method} {self.url} answers as declared"

    def kind_problems(self) -> list[Problem]:
        from urllib.parse import urlsplit

        out: list[Problem] = []
        try:
            u = urlsplit(self.url)
            u.port  # noqa: B018  (raises on a bad port)
        except ValueError as e:
            return [(("url",), f"url {self.url!r}: {e}")]
        if u.scheme not in ("http", "https") or not u.hostname:
            out.append((("url",), f"url {self.url!r} is not an http:// or https:// URL"))
        if self.cert_days_left is not None and u.scheme != "https":
            out.append((("cert_days_left",), "cert_days_left needs an https:// url"))
        out += matcher_problems("status", self.status) + matcher_problems("body", self.body)
        out += matcher_problems("cert_days_left", self.cert_days_left)
        for k, m in self.headers.items():
            out += [(("headers", k, *sub), msg) for sub, msg in problems(m)]
        return out


def days_left(der: bytes, now: datetime) -> float:
    """Days from `now` until the DER certificate's notAfter (negative once expired)."""
    from cryptography import x509

    cert = x509.load_der_x509_certificate(der)
    return (cert.not_valid_after_utc - now).total_seconds() / 86400.0


@frozen
class Response:
    status: int
    headers: Mapping[str, str]
    body: bytes
    der: bytes | None  # the server's certificate (https)


class FetchError(Exception):
    def __init__(self, message: str, tls: bool = False, fix: str = "") -> None:
        super().__init__(message)
        self.tls = tls
        self.fix = fix  # set when the fault is in the check file, not the service


def _tls_context(insecure: bool, ca_file: str) -> ssl.SSLContext:
    import ssl

    if insecure:
        return ssl._create_unverified_context()
    try:
        return ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as e:
        if not ca_file:
            raise
        why = getattr(e, "strerror", None) or getattr(e, "reason", None) or str(e)
        raise FetchError(f"ca_file {ca_file}: {why}",
                         fix=f"point ca_file: at a PEM CA bundle that exists (not {ca_file})") from e


def fetch(url: str, *, timeout: float, method: str = "GET", headers: Mapping[str, str] | None = None,
          body: bytes | None = None, insecure: bool = False, ca_file: str = "", limit: int = MAX_BODY) -> Response:
    """One request, no redirects, no proxies; at most `limit` bytes of body. Raises FetchError."""
    import http.client
    import ssl
    from urllib.parse import urlsplit

    u = urlsplit(url)
    target = (u.path or "/") + (f"?{u.query}" if u.query else "")
    conn: http.client.HTTPConnection
    try:
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname or "", u.port, timeout=timeout,
                                               context=_tls_context(insecure, ca_file))
        else:
            conn = http.client.HTTPConnection(u.hostname or "", u.port, timeout=timeout)
    except (OSError, ValueError) as e:
        raise FetchError(f"cannot set up the request: {e}") from e
    try:
        conn.request(method, target, body=body, headers=dict(headers or {}))
        sock = conn.sock
        der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
        resp = conn.getresponse()
        raw = resp.read(limit)
        return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, raw, der)
    except ssl.SSLError as e:
        raise FetchError(f"TLS failed: {e.reason or e}", tls=True) from e
    except (OSError, http.client.HTTPException, ValueError) as e:
        why = getattr(e, "strerror", None) or str(e) or type(e).__name__
        raise FetchError(why) from e
    finally:
        conn.close()


SCHEMA = HttpCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: HttpCheck, facts: Facts) -> Finding:
    ev: dict[str, Any] = {"url": c.url}
    try:
        resp = fetch(c.url, timeout=c.timeout_s, method=c.method, headers=c.request_headers,
                     body=c.request_body.encode() or None, insecure=c.insecure, ca_file=c.ca_file)
    except FetchError as e:
        if e.fix:
            return fail(f"{c.url}: {e}", fix=c.fix or e.fix, **ev)
        if e.tls:
            return fail(f"{c.url}: {e}", fix=c.fix or "renew the certificate, or set ca_file: to its CA", **ev)
        return fail(f"{c.url} did not answer: {e}", fix=c.fix or f"start the service behind {c.url}", **ev)
    raw, status, hdrs, der = resp.body, resp.status, resp.headers, resp.der
    body = raw.decode("utf-8", "replace")
    ev.update(status=status, body=show(body.strip()))
    bad = []
    if not check(c.status, status):
        bad.append(f"status {status}, expected {describe(c.status)}")
    if c.body is not None and not check(c.body, body):
        bad.append(f"body {show(body.strip())!r} is not {describe(c.body)}")
    for name, m in c.headers.items():
        got = hdrs.get(name.lower())
        ev[f"header {name}"] = got
        if not check(m, got):
            bad.append(f"header {name}: {show(got)!r} is not {describe(m)}")
    if c.cert_days_left is not None:
        if not der:
            bad.append("no server certificate was received")
        else:
            left = days_left(der, datetime.now(timezone.utc))
            shown = f"{math.floor(left * 10) / 10:.1f}"  # never round up towards "more time left"
            ev["cert days left"] = shown
            if not check(c.cert_days_left, left):
                bad.append(f"the certificate expires in {shown} days, expected {describe(c.cert_days_left)}")
    if bad:
        return fail(f"{c.method} {c.url}: " + "; ".join(bad), fix=c.fix or None, **ev)
    extra = f", certificate valid {ev['cert days left']} more days" if "cert days left" in ev else ""
    return ok(f"{c.method} {c.url} answered {status}{extra}", **ev)
