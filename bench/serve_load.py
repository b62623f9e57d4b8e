"""Load on `gomedic serve`: concurrent keep-alive scrapes plus a slow-client flood, while probing /healthz.

    python bench/serve_load.py                       # starts its own `gomedic serve` on a free loopback port
    python bench/serve_load.py --scrapers 200 --slow 500 --duration 20 --json
    python bench/serve_load.py --scrape-interval 1      # each scraper once a second: 200 scrapes/s
    python bench/serve_load.py --url http://127.0.0.1:9433 --pid 1234   # an exporter already running

Three kinds of clients share one asyncio loop (raw sockets, HTTP/1.1):
  * scrapers: keep-alive connections that GET /metrics back to back, as fast as the server answers;
  * slow clients: connections that send a request line and then one header line every --slow-interval
    seconds, never finishing the request (a slowloris), or nothing at all (idle);
  * a prober: a fresh connection every 100 ms for GET /healthz (what a kubelet does), timed.
It reports requests, errors, /healthz latency quantiles and the server's RSS (from /proc), as text or JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
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
    probe_ms: list[float] = field(default_factory=list)
    slow_open: int = 0
    slow_refused: int = 0
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
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        k, _, v = line.partition(":")
        if k.strip().lower() == "content-length":
            length = int(v.strip())
    body = await reader.readexactly(length) if length else b""
    return status, body


async def scraper(host: str, port: int, stop: float, st: Stats, headers: str, pause: float = 0.0) -> None:
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
                if status != 200 or b"gomedic_build_info" not in body:
                    st.scrape_errors += 1
                    st.note(f"scrape status {status}")
                st.scrapes += 1
                if pause:
                    await asyncio.sleep(pause)
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as e:
            st.scrape_errors += 1
            st.note(f"scrape: {e!r}")
        finally:
            writer.close()


async def slow_client(host: str, port: int, stop: float, st: Stats, interval: float, idle: bool) -> None:
    try:
        _, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 10)
    except (OSError, asyncio.TimeoutError):
        st.slow_refused += 1
        return
    st.slow_open += 1
    try:
        if not idle:
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n".encode())
        n = 0
        while time.monotonic() < stop:
            await asyncio.sleep(interval)
            if not idle:
                writer.write(f"X-Slow-{n}: {'a' * 20}\r\n".encode())
                await writer.drain()
                n += 1
    except OSError:
        pass  # the server may close slow connections; that is allowed
    finally:
        writer.close()


def probe_loop(host: str, port: int, duration: float, timeout: float) -> dict[str, object]:
    """GET /healthz on a fresh connection every 100 ms with blocking sockets (runs in its own process, so the
    load generator's busy event loop does not inflate the latencies)."""
    codes: dict[str, int] = {}
    ms: list[float] = []
    errors: list[str] = []
    req = f"GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode()
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


async def prober(host: str, port: int, stop: float, st: Stats, timeout: float) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--probe-only", f"{host}:{port}", "--duration", str(max(0.0, stop - time.monotonic())),
        "--probe-timeout", str(timeout), stdout=asyncio.subprocess.PIPE)
    out, _ = await child.communicate()
    res = json.loads(out)
    st.probe_codes = res["codes"]
    st.probe_ms = res["ms"]
    st.probes = len(res["ms"])
    st.probe_errors = len(res["errors"])
    for e in res["errors"]:
        st.note(f"probe: {e}")


async def rss_sampler(pid: int | None, stop: float, st: Stats) -> None:
    while pid and time.monotonic() < stop:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    st.rss_kb.append(int(line.split()[1]))
        except OSError:
            return
        await asyncio.sleep(0.5)


async def load(host: str, port: int, *, scrapers: int, slow: int, duration: float, pid: int | None,
               slow_interval: float = 2.0, token: str | None = None, probe_timeout: float = 5.0,
               scrape_interval: float = 0.0) -> Stats:
    st = Stats()
    stop = time.monotonic() + duration
    headers = f"Authorization: Bearer {token}\r\n" if token else ""
    tasks = [asyncio.create_task(slow_client(host, port, stop, st, slow_interval, idle=i % 2 == 1))
             for i in range(slow)]
    await asyncio.sleep(min(1.0, duration / 4))  # the slow flood is in place before scraping starts
    tasks += [asyncio.create_task(scraper(host, port, stop, st, headers, scrape_interval)) for _ in range(scrapers)]
    tasks += [asyncio.create_task(prober(host, port, stop, st, probe_timeout)),
              asyncio.create_task(rss_sampler(pid, stop, st))]
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


def summary(st: Stats, args: dict[str, object]) -> dict[str, object]:
    d = asdict(st)
    ms = d.pop("probe_ms")
    rss = d.pop("rss_kb")
    d.update(args)
    d["healthz_ms"] = {"p50": round(quantile(ms, 0.5), 2), "p99": round(quantile(ms, 0.99), 2),
                       "max": round(max(ms, default=float("nan")), 2)}
    d["rss_mb"] = {"first": round(rss[0] / 1024, 1) if rss else None, "max": round(max(rss) / 1024, 1) if rss else None,
                   "last": round(rss[-1] / 1024, 1) if rss else None}
    return d


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="an exporter already running (default: start one)")
    ap.add_argument("--pid", type=int, help="its pid, to sample RSS")
    ap.add_argument("--token", help="bearer token for /metrics")
    ap.add_argument("--scrapers", type=int, default=200)
    ap.add_argument("--slow", type=int, default=500)
    ap.add_argument("--slow-interval", type=float, default=2.0)
    ap.add_argument("--scrape-interval", type=float, default=0.0,
                    help="pause between a scraper's requests (default 0: back to back, saturating the server)")
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--probe-timeout", type=float, default=5.0)
    ap.add_argument("--probe-only", metavar="HOST:PORT", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.probe_only:
        h, _, p = a.probe_only.rpartition(":")
        print(json.dumps(probe_loop(h, int(p), a.duration, a.probe_timeout)))
        return 0
    raise_nofile()
    proc = None
    with tempfile.TemporaryDirectory(prefix="gomedic-serve-load.") as tmp:
        if a.url:
            from urllib.parse import urlsplit

            u = urlsplit(a.url)
            host, port, pid = u.hostname or "127.0.0.1", u.port or 80, a.pid
        else:
            proc, port = start_server(Path(tmp))
            host, pid = "127.0.0.1", proc.pid
        try:
            st = asyncio.run(load(host, port, scrapers=a.scrapers, slow=a.slow, duration=a.duration, pid=pid,
                                  slow_interval=a.slow_interval, token=a.token, probe_timeout=a.probe_timeout,
                                  scrape_interval=a.scrape_interval))
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(15)
    out = summary(st, {"scrapers": a.scrapers, "slow": a.slow, "duration_s": a.duration,
                       "scrape_interval_s": a.scrape_interval})
    if a.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:14} {v}")
    return 0 if st.probe_errors == 0 and st.scrape_errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
