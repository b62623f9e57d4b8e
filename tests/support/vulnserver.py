"""A real HTTP server on 127.0.0.1 serving a vulnerability database mirror directory (for the client tests).

    with VulnServer(mirror_dir, last_modified="2026-08-01T00:00:00Z") as srv:
        srv.url          # http://127.0.0.1:PORT
        srv.hits         # Counter of request paths
        srv.not_modified # how many 304s it answered

index/db.json and index.json honour If-Modified-Since against `last_modified` (as a CDN in front of
vuln.go.dev does); every other file is served as it is on disk; a missing file is 404.
"""

from __future__ import annotations

import email.utils
import http.server
import threading
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

CONDITIONAL = {"/index/db.json", "/index.json"}


class VulnServer:
    def __init__(self, root: Path, last_modified: str) -> None:
        self.root = root
        self.last_modified = last_modified
        self.hits: Counter[str] = Counter()
        self.not_modified = 0
        srv = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                srv.hits[self.path] += 1
                lm = datetime.fromisoformat(srv.last_modified.replace("Z", "+00:00"))
                ims = self.headers.get("If-Modified-Since")
                if self.path in CONDITIONAL and ims:
                    since = email.utils.parsedate_to_datetime(ims)
                    if lm <= since:
                        srv.not_modified += 1
                        self.send_response(304)
                        self.end_headers()
                        return
                f = srv.root / self.path.lstrip("/")
                if ".." in self.path or not f.is_file():
                    self.send_response(404)
                    self.end_headers()
                    return
                data = f.read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Last-Modified", email.utils.format_datetime(lm, usegmt=True))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> VulnServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)
