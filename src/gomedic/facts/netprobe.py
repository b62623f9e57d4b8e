"""Reachability of an HTTP(S) endpoint, one layer at a time: DNS, TCP, TLS, then one HTTP request.

Each layer has its own timeout and its own failure, so "the name does not resolve", "the port is
closed or filtered" and "a TLS-inspecting proxy presented its own certificate" are told apart. On a
certificate verification failure the handshake is repeated without verification only to read the
presented certificate's subject and issuer; no request is sent over that connection.
CA certificates are taken from SSL_CERT_FILE / SSL_CERT_DIR when set, as Go does on Linux.
"""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Mapping
from enum import Enum
from urllib.parse import urlsplit

from gomedic.values import frozen

MAX_HEAD = 16 << 10


class Stage(str, Enum):
    URL = "url"
    DNS = "dns"
    TCP = "tcp"
    TLS = "tls"
    HTTP = "http"
    OK = "ok"


@frozen
class Probe:
    url: str
    stage: Stage  # where it stopped; OK when an HTTP answer came back
    detail: str
    address: str = ""
    status: int = 0
    subject: str = ""  # of the presented certificate, on TLS failure
    issuer: str = ""


def proxy_for(url: str, env: Mapping[str, str]) -> str | None:
    """The HTTP proxy Go would use for url (golang.org/x/net/http/httpproxy rules), or None."""
    if url.startswith("file:"):
        return None
    key = "HTTPS_PROXY" if url.startswith("https:") else "HTTP_PROXY"
    via = env.get(key) or env.get(key.lower())
    if not via:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return via
    if host == "localhost" or host.startswith("127.") or host == "::1":
        return None
    for entry in (env.get("NO_PROXY") or env.get("no_proxy") or "").split(","):
        e = entry.strip().lower().split(":", 1)[0].lstrip(".")
        if e == "*" or (e and (host == e or host.endswith("." + e))):
            return None
    return via


def _resolve(host: str, port: int, timeout: float) -> list[tuple[int, tuple[str, int]]]:
    out: list[list[tuple[int, tuple[str, int]]]] = []
    err: list[BaseException] = []

    def work() -> None:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            out.append([(fam, (str(sa[0]), int(sa[1]))) for fam, _, _, _, sa in infos])
        except (OSError, UnicodeError) as e:
            err.append(e)

    t = threading.Thread(target=work, daemon=True, name=f"dns:{host}")
    t.start()
    t.join(timeout)
    if out:
        return out[0]
    if err:
        raise err[0]
    raise TimeoutError(f"no answer within {timeout:g}s")


def tls_context(env: Mapping[str, str]) -> ssl.SSLContext:
    cafile = env.get("SSL_CERT_FILE") or None
    capath = env.get("SSL_CERT_DIR", "").split(":")[0] or None
    ctx = ssl.create_default_context()
    if cafile or capath:
        ctx = ssl.create_default_context(cafile=cafile, capath=capath)
    return ctx


def _peer_names(host: str, addr: tuple[str, int], family: int, timeout: float) -> tuple[str, str]:
    """(subject, issuer) of the certificate the server presents, read without verifying it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.socket(family, socket.SOCK_STREAM) as raw:
            raw.settimeout(timeout)
            raw.connect(addr)
            with ctx.wrap_socket(raw, server_hostname=host) as s:
                der = s.getpeercert(binary_form=True)
    except (OSError, ValueError):
        return "", ""
    if not der:
        return "", ""
    from cryptography import x509  # lazy: only on a TLS failure

    try:
        cert = x509.load_der_x509_certificate(der)
        return cert.subject.rfc4514_string(), cert.issuer.rfc4514_string()
    except ValueError:
        return "", ""


def probe(url: str, env: Mapping[str, str], path: str = "/", timeout: float = 3.0) -> Probe:
    try:
        u = urlsplit(url)
        port = u.port or (443 if u.scheme == "https" else 80)
    except ValueError as e:
        return Probe(url, Stage.URL, f"not a URL: {e}")
    host = u.hostname or ""
    if u.scheme not in ("http", "https") or not host:
        return Probe(url, Stage.URL, "not an http(s) URL with a host")
    try:
        addrs = _resolve(host, port, timeout)
    except (OSError, UnicodeError, TimeoutError) as e:
        return Probe(url, Stage.DNS, f"lookup {host}: {e}")
    if not addrs:
        return Probe(url, Stage.DNS, f"lookup {host}: no addresses")
    family, addr = addrs[0]
    where = f"{addr[0]}:{addr[1]}"
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(addr)
    except OSError as e:
        sock.close()
        reason = "timed out" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        return Probe(url, Stage.TCP, f"dial tcp {where}: {reason}", where)
    conn: socket.socket = sock
    try:
        if u.scheme == "https":
            try:
                conn = tls_context(env).wrap_socket(sock, server_hostname=host)
            except ssl.SSLCertVerificationError as e:
                subject, issuer = _peer_names(host, addr, family, timeout)
                return Probe(url, Stage.TLS, f"tls: failed to verify certificate: {e.verify_message or e}",
                             where, 0, subject, issuer)
            except (ssl.SSLError, OSError) as e:
                return Probe(url, Stage.TLS, f"tls handshake with {where}: {e}", where)
        return _http(url, conn, host, u.path.rstrip("/") + path, where)
    finally:
        conn.close()


def _http(url: str, conn: socket.socket, host: str, path: str, where: str) -> Probe:
    req = f"GET {path or '/'} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: gomedic\r\nConnection: close\r\n\r\n"
    try:
        conn.sendall(req.encode("ascii", "replace"))
        head = b""
        while b"\r\n" not in head and len(head) < MAX_HEAD:
            chunk = conn.recv(4096)
            if not chunk:
                break
            head += chunk
    except OSError as e:
        return Probe(url, Stage.HTTP, f"{where}: no HTTP answer: {e}", where)
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        return Probe(url, Stage.HTTP, f"{where}: not an HTTP answer: {line[:80]!r}", where)
    code = int(parts[1])
    return Probe(url, Stage.OK, f"{where} answered HTTP {code}", where, code)
