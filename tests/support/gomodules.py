"""Real Go modules, module proxies, caches and TLS servers for the modules/cgo/build/editor tests.

Everything here is built for real: modules are written to disk and built by real toolchains (with
GOPROXY=off and local `replace`s, or a file:// proxy built here), a warm build cache is shared by the
tests that compile (under the test cache, as toolchains.py does), and HTTPS servers bind 127.0.0.1
with a certificate generated per test session.
"""

from __future__ import annotations

import datetime
import fcntl
import http.server
import os
import ssl
import subprocess
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.goenv import GoEnv
from tests.support.systools import system_path
from tests.support.toolchains import cache_dir, toolchain

OFFLINE = {"GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOSUMDB": "off"}


def write_module(d: Path, path: str, go: str = "1.22", files: Mapping[str, str] | None = None,
                 extra: str = "") -> Path:
    """A module at d: go.mod (module path, go line, extra directives) and the given files."""
    d.mkdir(parents=True, exist_ok=True)
    (d / "go.mod").write_text(f"module {path}\n\ngo {go}\n{extra}")
    for name, text in (files or {}).items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return d


HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'


CGO_HELLO = ('package main\n\n// int one(void) { return 1; }\nimport "C"\n\nimport "fmt"\n\n'
             "func main() { fmt.Println(C.one()) }\n")


def warm_gocache(env: GoEnv) -> Path:
    """Point env at a build cache shared by the compiling tests (go's cache is safe for concurrent use),
    warmed once per toolchain with fmt and runtime/cgo, so the checks under test compile in seconds."""
    d = cache_dir() / "gocache" / env.goroot.name
    d.mkdir(parents=True, exist_ok=True)
    stamp = d.parent / f".warm-{env.goroot.name}"
    if not stamp.exists():
        with open(cache_dir() / f".lock-gocache-{env.goroot.name}", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not stamp.exists():
                src = write_module(d.parent / f"warm-src-{env.goroot.name}", "example.com/warm", "1.19",
                                   {"main.go": CGO_HELLO})
                benv = {"HOME": str(src), "PATH": system_path(env.goroot / "bin"), "GOCACHE": str(d),
                        "GOTOOLCHAIN": "local", "GOPROXY": "off", "CGO_ENABLED": "1"}
                subprocess.run([str(env.goroot / "bin" / "go"), "build", "-o", os.devnull, "."], cwd=src,
                               env=benv, check=True, capture_output=True, timeout=900)
                stamp.touch()
    env.env["GOCACHE"] = str(d)
    return d


def stand_in_gopls(version: str) -> Path:
    """A stand-in for gopls (the real one cannot be fetched offline): a real Go executable built by Go
    `version` — that release's own gofmt — which carries the build info gomedic reads (never runs)."""
    return toolchain(version) / "bin" / "gofmt"


def file_proxy(root: Path, module: str, version: str, files: Mapping[str, str]) -> str:
    """A file:// GOPROXY holding one module version (the layout `go help goproxy` documents)."""
    d = root / module / "@v"
    d.mkdir(parents=True, exist_ok=True)
    gomod = f"module {module}\n\ngo 1.19\n"  # a line every release of the matrix reads
    (d / "list").write_text(version + "\n")
    (d / f"{version}.info").write_text(f'{{"Version":"{version}","Time":"2024-01-01T00:00:00Z"}}')
    (d / f"{version}.mod").write_text(gomod)
    with zipfile.ZipFile(d / f"{version}.zip", "w") as z:
        z.writestr(f"{module}@{version}/go.mod", gomod)
        for name, text in files.items():
            z.writestr(f"{module}@{version}/{name}", text)
    return f"file://{root}"


@dataclass(frozen=True)
class Cert:
    cert: Path
    key: Path
    issuer_cn: str


def self_signed(d: Path, cn: str = "Gomedic Test Inspection CA") -> Cert:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    import ipaddress

    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    d.mkdir(parents=True, exist_ok=True)
    (d / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    return Cert(d / "cert.pem", d / "key.pem", cn)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def http_server(root: Path, cert: Cert | None = None) -> Iterator[str]:
    """A static file server on 127.0.0.1 (HTTPS when cert is given); yields its base URL."""
    root.mkdir(parents=True, exist_ok=True)

    def handler(*a: object, **kw: object) -> _Quiet:
        return _Quiet(*a, directory=str(root), **kw)  # type: ignore[arg-type]

    with serving(handler, cert) as url:  # type: ignore[arg-type]
        yield url


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler], cert: Cert | None = None) -> Iterator[str]:
    """A threaded HTTP(S) server on 127.0.0.1 answering with `handler`; yields its base URL."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    scheme = "http"
    if cert is not None:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert.cert, cert.key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        scheme = "https"
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield f"{scheme}://127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()
