"""Real things for the declared-checks tests: Go binaries built once per machine, HTTP(S) and Prometheus
servers on 127.0.0.1 in threads, and running check files in-process or through `python -m gomedic`."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.support.goenv import Run, validate_report
from tests.support.toolchains import cache_dir, toolchain

SRC = Path(__file__).resolve().parents[2] / "src"

MAIN_GO = """package main

import (
\t"fmt"

\t"example.com/dep"
)

func main() { fmt.Println(dep.Hello()) }
"""
DEP_GO = """package dep

func Hello() string { return "hello" }
"""


def go_binary(version: str, *, goamd64: str = "v1", cgo: bool = False) -> Path:
    """A real Go program (module example.com/app, depending on example.com/dep through a local replace),
    built once per (version, GOAMD64, cgo) under the test cache, with GOPROXY=off."""
    key = hashlib.sha256(f"{version}-{goamd64}-{cgo}-{MAIN_GO}{DEP_GO}".encode()).hexdigest()[:12]
    root = cache_dir() / "userchecks" / f"app-{version}-{goamd64}-{'cgo' if cgo else 'nocgo'}-{key}"
    out = root / "app"
    if out.exists():
        return out
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".lock-{root.name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists():
            return out
        work = root.parent / f"{root.name}.build.{os.getpid()}"
        shutil.rmtree(work, ignore_errors=True)
        (work / "src" / "dep").mkdir(parents=True)
        (work / "src" / "go.mod").write_text(
            "module example.com/app\n\ngo 1.22\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ./dep\n")
        (work / "src" / "main.go").write_text(MAIN_GO)
        (work / "src" / "dep" / "go.mod").write_text("module example.com/dep\n\ngo 1.22\n")
        (work / "src" / "dep" / "dep.go").write_text(DEP_GO)
        goroot = toolchain(version)
        env = {
            "PATH": f"{goroot}/bin:/usr/bin:/bin", "HOME": str(work), "GOROOT": str(goroot),
            "GOPATH": str(work / "gopath"), "GOCACHE": str(cache_dir() / "userchecks" / f"gocache-{version}"),
            "GOPROXY": "off",
            "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local", "CGO_ENABLED": "1" if cgo else "0",
            "GOAMD64": goamd64, "GOARCH": "amd64", "GOOS": "linux",
        }
        subprocess.run([str(goroot / "bin" / "go"), "build", "-trimpath", "-o", str(work / "app"), "."],
                       cwd=work / "src", env=env, check=True, timeout=600, capture_output=True)
        subprocess.run(["chmod", "-R", "u+w", str(work)], check=True, timeout=60)
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy2(work / "app", root / "app.tmp")
        os.replace(root / "app.tmp", out)
        shutil.rmtree(work, ignore_errors=True)
    return out


# ---- servers -------------------------------------------------------------------------------------------

Route = tuple[int, dict[str, str], bytes]


@dataclass
class Server:
    url: str
    port: int
    routes: dict[str, Route | Callable[[], Route]]


@contextmanager
def http_server(routes: dict[str, Route | Callable[[], Route]], tls: ssl.SSLContext | None = None) -> Iterator[Server]:
    """A real ThreadingHTTPServer on 127.0.0.1:<free port> answering `routes` (path -> status, headers, body)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            route = routes.get(self.path.split("?")[0])
            status, headers, body = (route() if callable(route) else route) if route else (404, {}, b"not found")
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: Any) -> None:
            pass

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        srv.socket = tls.wrap_socket(srv.socket, server_side=True)
    port = srv.server_address[1]
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    try:
        yield Server(f"{'https' if tls else 'http'}://127.0.0.1:{port}", port, routes)
    finally:
        srv.shutdown()
        srv.server_close()


def self_signed(dir: Path, days: int) -> tuple[Path, Path]:
    """A real certificate for 127.0.0.1 (IP SAN), valid from an hour ago for `days` days: (cert, key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cp, kp = dir / "cert.pem", dir / "key.pem"
    cp.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    kp.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption()))
    return cp, kp


def prometheus_text() -> bytes:
    """Exposition text generated by prometheus_client from real metric objects."""
    from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

    reg = CollectorRegistry()
    delay = Gauge("replication_delay_seconds", "Replication delay", ["db", "role"], registry=reg)
    delay.labels(db="main", role="replica").set(12.5)
    delay.labels(db="main", role="standby").set(90)
    delay.labels(db="audit", role="replica").set(3)
    c = Counter("jobs_processed", "Jobs", ["queue"], registry=reg)
    c.labels(queue="default").inc(42)
    return generate_latest(reg)


# ---- running checks ------------------------------------------------------------------------------------

def run_inprocess(files: list[Path], *, env: dict[str, str] | None = None, retry: bool = False,
                  variables: dict[str, str] | None = None, vars_files: list[Path] | None = None) -> Any:
    """Load the files and run their checks like `gomedic run` (real runner, real facts); returns the Report,
    after checking that its JSON rendering validates against report-v1."""
    import time
    from types import MappingProxyType

    from gomedic.facts import Facts, Options
    from gomedic.render import RenderOptions, render
    from gomedic.runner import build_report, now_utc, run_checks
    from gomedic.userchecks import load_specs

    opts = Options(env=MappingProxyType(dict(os.environ if env is None else env)))
    specs = load_specs(files, retry=retry, variables=variables, vars_files=vars_files or [], env=opts.env)
    t0 = time.monotonic()
    results = run_checks(specs, Facts(opts))
    report = build_report("run", results, now_utc(), t0, {"host": None, "go": None, "target": None})
    validate_report(json.loads(render(report, "json", RenderOptions())))
    return report


def by_id(report: Any) -> dict[str, Any]:
    """id -> the one Result of that id (fails when a check yielded several)."""
    out: dict[str, Any] = {}
    for r in report.results:
        assert r.id not in out, f"{r.id} yielded several results"
        out[r.id] = r
    return out


Cli = Run  # a `gomedic` run whose JSON report is schema-validated when read


def gomedic(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None, timeout: float = 120) -> Cli:
    e = dict(os.environ if env is None else env)
    e["PYTHONPATH"] = str(SRC)
    p = subprocess.run([sys.executable, "-m", "gomedic", *args], env=e, cwd=cwd, capture_output=True, text=True,
                       timeout=timeout)
    return Cli(p.returncode, p.stdout, p.stderr)
