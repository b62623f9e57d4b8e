"""Misbehaving HTTP servers on 127.0.0.1 for probe tests: real sockets, one behaviour per server.

Modes: `hang` (accepts, never answers), `drip` (a status line, then one header byte every 0.2 s forever),
`slow` (a correct answer after `delay` seconds), `garbage` (200 text/plain of random bytes), `huge`
(200 text/plain, an endless chunked body of valid metric lines), `gzipbomb` (a small gzip body that
inflates to 64 MiB), `redirect` (302 to `location`), `html` (an HTML landing page for every path),
`status` (every path answers `code`), `auth` (basic auth with `location` as user:password).
"""

from __future__ import annotations

import gzip
import os
import socket
import threading
import time
from dataclasses import dataclass, field

_BOMB: bytes | None = None


def _bomb() -> bytes:
    global _BOMB
    if _BOMB is None:
        zero = bytes(1 << 20)
        import io

        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as z:
            for _ in range(64):
                z.write(zero)
        _BOMB = buf.getvalue()
    return _BOMB


@dataclass
class HostileServer:
    mode: str
    delay: float = 0.0
    location: str = ""
    code: int = 500
    body: bytes = b""
    sock: socket.socket = field(default_factory=socket.socket)
    stop: threading.Event = field(default_factory=threading.Event)
    conns: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        if self.mode == "gzipbomb":
            _bomb()  # compress before serving, not while the client waits
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.stop.set()
        self.sock.close()
        for c in self.conns:
            try:
                c.close()
            except OSError:
                pass

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.conns.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _send(self, conn: socket.socket, status: str, headers: dict[str, str], body: bytes) -> None:
        head = f"HTTP/1.1 {status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        conn.sendall(head.encode() + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            req = b""
            while b"\r\n\r\n" not in req and len(req) < 65536:
                piece = conn.recv(4096)
                if not piece:
                    return
                req += piece
            if self.mode == "hang":
                self.stop.wait()
            elif self.mode == "drip":
                conn.sendall(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while not self.stop.wait(0.2):
                    conn.sendall(b"a")
            elif self.mode == "slow":
                time.sleep(self.delay)
                self._send(conn, "200 OK", {"Content-Type": "text/plain; version=0.0.4"},
                           self.body or b"go_goroutines 7\ngo_threads 5\n")
            elif self.mode == "auth":  # `location` holds the expected "user:password"
                import base64

                want = b"authorization: basic " + base64.b64encode(self.location.encode()).lower()
                if want in req.lower():
                    self._send(conn, "200 OK", {"Content-Type": "text/plain"}, b"go_goroutines 3\n")
                else:
                    self._send(conn, "401 Unauthorized", {"Content-Type": "text/plain"}, b"no\n")
            elif self.mode == "garbage":
                self._send(conn, "200 OK", {"Content-Type": "text/plain"}, os.urandom(4096))
            elif self.mode == "html":
                self._send(conn, "200 OK", {"Content-Type": "text/html"}, b"<html><body>exporter</body></html>")
            elif self.mode == "status":
                self._send(conn, f"{self.code} Nope", {"Content-Type": "text/plain"}, b"nope\n")
            elif self.mode == "redirect":
                self._send(conn, "302 Found", {"Location": self.location}, b"")
            elif self.mode == "gzipbomb":
                self._send(conn, "200 OK", {"Content-Type": "text/plain", "Content-Encoding": "gzip"}, _bomb())
            elif self.mode == "huge":
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
                line = b"go_memstats_alloc_bytes 1\n" * 2000
                chunk = f"{len(line):x}\r\n".encode() + line + b"\r\n"
                while not self.stop.is_set():
                    conn.sendall(chunk)
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass
