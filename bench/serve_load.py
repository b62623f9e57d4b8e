"""Load on `gomedic serve`: concurrent keep-alive scrapes plus a slow-client flood, while probing its health.

    python bench/serve_load.py                       # starts its own `gomedic serve` on a free loopback port
    python bench/serve_load.py --runs 5 --node-exporter   # alternate with Debian's prometheus-node-exporter
    python bench/serve_load.py --scrapers 200 --slow 500 --duration 20 --json
    python bench/serve_load.py --scrape-interval 1      # each scraper once a second: 200 scrapes/s
    python bench/serve_load.py --url http://127.0.0.1:9433 --pid 1234   # an exporter already running

Three kinds of clients (raw sockets, HTTP/1.1):
  * scrapers (from 127.0.0.1): keep-alive connections that GET /metrics back to back, as fast as the server
    answers;
  * slow clients (from --slow-from, default 127.0.0.2): connections that send a request line and then one
    header line every --slow-interval seconds, never finishing the request (a slowloris), or nothing at
    all (idle); when the server closes one, it connects again, so the flood stays at --slow connections;
  * two probers, each in its own process: a fresh connection every 100 ms for GET /-/healthy and for
    GET /healthz (what a kubelet and a load balancer do), timed.
It reports requests, errors, probe latency quantiles and the server's RSS (from /proc), as text or JSON.
With --node-exporter each run is followed by the same load against `prometheus-node-exporter` (probing
its `/` page, the only other endpoint it has), and medians over --runs are printed for both.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
CONFIG = "jobs: [{name: toolchain, command: check, args: [--area, toolchain], every: 60s}]\n"


@dataclass
class Stats:
    scrapes: int = 0
    scrape_errors: int = 0
    probes: int = 0
    probe_errors: int = 0
    probe_codes: dict[str, int] = field(default_factory=dict)
    probe_ms: dict[str, list[float]] = field(default_factory=dict)
    slow_open: int = 0
    slow_refused: int = 0
    slow_closed: int = 0
    rss_kb: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(what)


def quantile(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split()
    if len(parts) < 2 or not parts[1].isdigit():
        raise ValueError(f"bad status line {lines[0]!r}")
    length, chunked = 0, False
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
        elif k.strip().lower() == "transfer-encoding" and "chunked" in v.lower():
            chunked = True  # node_exporter streams its /metrics
    if not chunked:
        return int(parts[1]), await reader.readexactly(length) if length else b""
    chunks = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunks.append(await reader.readexactly(size + 2))
        if size == 0:
            return int(parts[1]), b"".join(chunks)


async def scraper(host: str, port: int, stop: float, st: Stats, headers: str, pause: float = 0.0,
                  marker: bytes = b"gomedic_build_info") -> None:
    req = f"GET /metrics HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n".encode()
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
        except (OSError, asyncio.TimeoutError) as e:
            st.scrape_errors += 1
            st.note(f"scraper connect: {e!r}")
            await asyncio.sleep(0.1)
            continue
        try:
            while time.monotonic() < stop:
                writer.write(req)
                status, body = await asyncio.wait_for(read_response(reader), 10)
                if status != 200 or marker not in body:
                    st.scrape_errors += 1
                    st.note(f"scrape status {status}")
                st.scrapes += 1
                if pause:
                    await asyncio.sleep(pause)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ValueError) as e:
            st.scrape_errors += 1
            st.note(f"scrape: {e!r}")
        finally:
            writer.close()


async def slow_client(host: str, port: int, stop: float, st: Stats, interval: float, idle: bool,
                      source: str | None = None) -> None:
    """One slow connection at a time until `stop`: when the server closes it, open another."""
    while time.monotonic() < stop:
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port, local_addr=(source, 0) if source else None), 10)
        except (OSError, asyncio.TimeoutError):
            st.slow_refused += 1
            await asyncio.sleep(interval)
            continue
        st.slow_open += 1
        try:
            if not idle:
                writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())
            n = 0
            while time.monotonic() < stop and not reader.at_eof():
                try:  # wakes at once when the server closes the connection
                    if await asyncio.wait_for(reader.read(4096), interval) == b"":
                        break
                except asyncio.TimeoutError:
                    pass
                if not idle:
                    writer.write(f"X-Slow-{n}: {'a' * 20}\r\n".encode())
                    await writer.drain()
                    n += 1
            if time.monotonic() < stop:
                st.slow_closed += 1  # the server closed it (allowed: that is its defence)
        except OSError:
            st.slow_closed += 1
        finally:
            writer.close()
        await asyncio.sleep(interval)  # then come back, at the pace of the trickle


def probe_loop(host: str, port: int, duration: float, timeout: float, path: str) -> dict[str, object]:
    """GET `path` on a fresh connection every 100 ms with blocking sockets (runs in its own process, so the
    load generator's busy event loop does not inflate the latencies)."""
    codes: dict[str, int] = {}
    ms: list[float] = []
    errors: list[str] = []
    req = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
    stop = time.monotonic() + duration
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        try:
            with socket.create_connection((host, port), timeout=timeout) as sock:
                sock.settimeout(timeout)
                sock.sendall(req)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(4096)
                    if not chunk:
                        raise ConnectionError("closed before the response head")
                    data += chunk
            code = data.split(b" ", 2)[1].decode()
            codes[code] = codes.get(code, 0) + 1
            if code not in ("200", "503"):
                errors.append(f"status {code}")
        except (OSError, IndexError) as e:
            errors.append(repr(e))
        ms.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.1)
    return {"codes": codes, "ms": ms, "errors": errors}


async def prober(host: str, port: int, stop: float, st: Stats, timeout: float, path: str) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--probe-only",
        f"{host}:{port}",
        "--duration",
        str(max(0.0, stop - time.monotonic())),
        "--probe-timeout",
        str(timeout),
        "--probe-path",
        path,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await child.communicate()
    res = json.loads(out)
    for code, n in res["codes"].items():
        st.probe_codes[f"{path} {code}"] = n
    st.probe_ms[path] = res["ms"]
    st.probes += len(res["ms"])
    st.probe_errors += len(res["errors"])
    for e in res["errors"]:
        st.note(f"probe {path}: {e}")


async def rss_sampler(pid: int | None, stop: float, st: Stats) -> None:
    while pid and time.monotonic() < stop:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    st.rss_kb.append(int(line.split()[1]))
        except OSError:
            return
        await asyncio.sleep(0.5)


GOMEDIC_PROBES = ("/-/healthy", "/healthz")


async def load(host: str, port: int, *, scrapers: int, slow: int, duration: float, pid: int | None,
               slow_interval: float = 2.0, token: str | None = None, probe_timeout: float = 5.0,
               scrape_interval: float = 0.0, slow_from: str | None = "127.0.0.2",
               probes: tuple[str, ...] = GOMEDIC_PROBES, marker: bytes = b"gomedic_build_info") -> Stats:
    st = Stats()
    stop = time.monotonic() + duration
    headers = f"Authorization: Bearer {token}\r\n" if token else ""
    tasks = [asyncio.create_task(slow_client(host, port, stop, st, slow_interval, i % 2 == 1, slow_from))
             for i in range(slow)]
    await asyncio.sleep(min(1.0, duration / 4))  # the slow flood is in place before scraping starts
    tasks += [asyncio.create_task(scraper(host, port, stop, st, headers, scrape_interval, marker))
              for _ in range(scrapers)]
    tasks += [asyncio.create_task(prober(host, port, stop, st, probe_timeout, p)) for p in probes]
    tasks.append(asyncio.create_task(rss_sampler(pid, stop, st)))
    await asyncio.gather(*tasks)
    return st


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workdir: Path, config: str = CONFIG) -> tuple[subprocess.Popen[bytes], int]:
    (workdir / "serve.yaml").write_text(config)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "gomedic", "serve", "--config", str(workdir / "serve.yaml"),
                             "--listen", f"127.0.0.1:{port}"], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "serve.log", "wb"))  # noqa: SIM115
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return proc, port
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"gomedic serve did not get ready: {(workdir / 'serve.log').read_text()[-2000:]}")


def start_node_exporter(workdir: Path, extra: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    """Debian's prometheus-node-exporter on a free loopback port: default collectors and limits, plus `extra`."""
    exe = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
    if exe is None:
        raise SystemExit("prometheus-node-exporter is not installed (apt-get install prometheus-node-exporter)")
    port = free_port()
    proc = subprocess.Popen([exe, f"--web.listen-address=127.0.0.1:{port}", *extra], stdout=subprocess.DEVNULL,
                            stderr=open(workdir / "node-exporter.log", "wb"))  # noqa: SIM115
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, port
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("prometheus-node-exporter did not start")


def summary(st: Stats, args: dict[str, object]) -> dict[str, object]:
    d = asdict(st)
    probe_ms = d.pop("probe_ms")
    rss = d.pop("rss_kb")
    d.update(args)
    for path, ms in probe_ms.items():
        d[f"{path} ms"] = {"p50": round(quantile(ms, 0.5), 2), "p99": round(quantile(ms, 0.99), 2),
                           "max": round(max(ms, default=float("nan")), 2)}
    d["rss_mb"] = {"first": round(rss[0] / 1024, 1) if rss else None, "max": round(max(rss) / 1024, 1) if rss else None,
                   "last": round(rss[-1] / 1024, 1) if rss else None}
    return d


def one_run(a: argparse.Namespace, tmp: Path, server: str) -> dict[str, object]:
    """One load run against `server` ("gomedic", "node-exporter" or "url"), started and stopped here."""
    proc = None
    probes, marker = GOMEDIC_PROBES, b"gomedic_build_info"
    if server == "url":
        from urllib.parse import urlsplit

        u = urlsplit(a.url)
        host, port, pid = u.hostname or "127.0.0.1", u.port or 80, a.pid
    elif server == "node-exporter":
        proc, port = start_node_exporter(tmp, a.node_exporter_arg)
        host, pid, probes, marker = "127.0.0.1", proc.pid, ("/",), b"node_exporter_build_info"
    else:
        proc, port = start_server(tmp)
        host, pid = "127.0.0.1", proc.pid
    try:
        st = asyncio.run(load(host, port, scrapers=a.scrapers, slow=a.slow, duration=a.duration, pid=pid,
                              slow_interval=a.slow_interval, token=a.token, probe_timeout=a.probe_timeout,
                              scrape_interval=a.scrape_interval, slow_from=a.slow_from or None,
                              probes=probes, marker=marker))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(15)
    return summary(st, {"server": server, "scrapers": a.scrapers, "slow": a.slow, "duration_s": a.duration,
                        "scrape_interval_s": a.scrape_interval})


def medians(runs: list[dict[str, object]]) -> dict[str, object]:
    """Per-server medians of the figures the README table reports."""
    import statistics

    out: dict[str, object] = {}
    for server in dict.fromkeys(str(r["server"]) for r in runs):
        rs = [r for r in runs if r["server"] == server]
        m: dict[str, object] = {"runs": len(rs)}
        for key in ("scrapes", "scrape_errors", "probe_errors", "slow_closed"):
            m[key] = statistics.median(int(r[key]) for r in rs)  # type: ignore[call-overload]
        for key in [k for k in rs[0] if k.endswith(" ms")]:
            for q in ("p50", "p99"):
                m[f"{key} {q}"] = round(statistics.median(r[key][q] for r in rs), 1)  # type: ignore[index]
        m["rss_mb max"] = statistics.median(r["rss_mb"]["max"] or 0 for r in rs)  # type: ignore[index]
        out[server] = m
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="an exporter already running (default: start one)")
    ap.add_argument("--pid", type=int, help="its pid, to sample RSS")
    ap.add_argument("--token", help="bearer token for /metrics")
    ap.add_argument("--scrapers", type=int, default=200)
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--slow-interval", type=float, default=2.0)
    ap.add_argument("--slow-from", default="127.0.0.2", help="source address of the slow clients ('' for any)")
    ap.add_argument("--scrape-interval", type=float, default=0.0,
                    help="pause between a scraper's requests (default 0: back to back, saturating the server)")
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=1, help="runs per server; medians are printed at the end")
    ap.add_argument("--node-exporter", action="store_true",
                    help="after each gomedic run, the same load against prometheus-node-exporter")
    ap.add_argument("--node-exporter-arg", action="append", default=[], metavar="ARG",
                    help="an argument for prometheus-node-exporter (e.g. --web.max-requests=0: no 503 beyond 40)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--probe-timeout", type=float, default=5.0)
    ap.add_argument("--probe-only", metavar="HOST:PORT", help=argparse.SUPPRESS)
    ap.add_argument("--probe-path", default="/healthz", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.probe_only:
        h, _, p = a.probe_only.rpartition(":")
        print(json.dumps(probe_loop(h, int(p), a.duration, a.probe_timeout, a.probe_path)))
        return 0
    raise_nofile()
    servers = ["url"] if a.url else ["gomedic", *(["node-exporter"] if a.node_exporter else [])]
    runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="gomedic-serve-load.") as tmp:
        for _ in range(a.runs):
            for server in servers:
                out = one_run(a, Path(tmp), server)
                runs.append(out)
                print(json.dumps(out) if a.json else "\n".join(f"{k:16} {v}" for k, v in out.items()) + "\n",
                      flush=True)
    med = medians(runs)
    print(json.dumps(med, indent=2) if a.json else "medians:\n" + "\n".join(f"  {k}: {v}" for k, v in med.items()))
    return (
        0
        if all(r["probe_errors"] == 0 and r["scrape_errors"] == 0 for r in runs if r["server"] != "node-exporter")
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
