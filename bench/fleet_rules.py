"""What do gomedic's Prometheus rules cost at 10,000 hosts? Measured on a real Prometheus, not guessed.

Writes the series 10,000 hosts export (docs/metrics.md: `gomedic_check_status` for 70 checks a host, with
the labels a real report gives them and a few percent failing, `gomedic_health_score`,
`gomedic_last_run_timestamp_seconds`), five samples a minute apart, as OpenMetrics; turns them into TSDB
blocks with `promtool tsdb create-blocks-from openmetrics` (Debian's prometheus package); starts a real
Prometheus on that data (loopback, free port, no scrapes), and runs every expression of
deploy/prometheus/gomedic-rules.yml as an instant query at the newest sample, `--runs` times each,
reading Prometheus's own timing (`stats=all`: the engine's exec time) and the wall time of the request.
The sum over the recording and alerting rules is what one evaluation of both groups costs. The data lives
in a temp dir and is removed afterwards.

    python3 bench/fleet_rules.py                  # 10,000 hosts x 70 checks, 5 runs per expression
    python3 bench/fleet_rules.py --hosts 1000
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "deploy" / "prometheus" / "gomedic-rules.yml"
SEVERITIES = ("critical", "high", "high", "medium", "medium", "medium", "low", "info")
CATEGORIES = ("toolchain", "filesystem", "binary", "limits", "service", "tls", "network", "runtime")


def series(hosts: int, checks: int, seed: int) -> list[tuple[str, list[float]]]:
    """(labelled name, values per sample) for every series of the fleet."""
    rng = random.Random(seed)
    out: list[tuple[str, list[float]]] = []
    for h in range(hosts):
        inst = f'instance="node-{h:05d}",job="check"'
        for c in range(checks):
            labels = (f'{inst},id="area{c % 9}.check-{c}",area="area{c % 9}",'
                      f'category="{CATEGORIES[c % len(CATEGORIES)]}",severity="{SEVERITIES[c % len(SEVERITIES)]}",'
                      f'subject="",shadow="{"true" if c == checks - 1 else "false"}"')
            roll = rng.random()
            v = 2.0 if roll < 0.02 else 1.0 if roll < 0.07 else -1.0 if roll < 0.2 else 0.0
            out.append((f"gomedic_check_status{{{labels}}}", [v] * 5))
    return out


def write_openmetrics(path: Path, hosts: int, checks: int, t0: int, seed: int) -> int:
    """Write the fleet's samples; return the number of series."""
    times = [t0 + 60 * i for i in range(5)]
    n = 0
    with open(path, "w") as f:
        f.write("# TYPE gomedic_check_status gauge\n")
        for name, values in series(hosts, checks, seed):
            n += 1
            f.writelines(f"{name} {v} {t}\n" for v, t in zip(values, times, strict=True))
        for metric, value in (("gomedic_health_score", "93"), ("gomedic_last_run_timestamp_seconds", None)):
            f.write(f"# TYPE {metric} gauge\n")
            for h in range(hosts):
                n += 1
                f.writelines(f'{metric}{{instance="node-{h:05d}",job="check"}} {value or t} {t}\n' for t in times)
        f.write("# EOF\n")
    return n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def query(base: str, expr: str, at: int) -> tuple[float, float]:
    """(engine exec seconds, request wall seconds) of one instant query."""
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": expr, "time": at, "stats": "all"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as r:
        doc: dict[str, Any] = json.load(r)
    wall = time.perf_counter() - t0
    timings = doc["data"].get("stats", {}).get("timings", {})
    return float(timings.get("execTotalTime", wall)), wall


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def expressions() -> list[tuple[str, str]]:
    doc = yaml.safe_load(RULES.read_text())
    return [(r.get("record") or r["alert"], r["expr"]) for g in doc["groups"] for r in g["rules"]]


def run(a: argparse.Namespace, work: Path) -> None:
    t0 = int(time.time()) - 4 * 3600  # whole blocks in the past, clear of the head block
    t0 -= t0 % 7200
    om = work / "fleet.om"
    started = time.perf_counter()
    n = write_openmetrics(om, a.hosts, a.checks, t0, a.seed)
    print(f"{a.hosts} hosts, {n:,} series, {om.stat().st_size / 1e6:.0f} MB OpenMetrics "
          f"({time.perf_counter() - started:.0f} s to write)")
    data = work / "data"
    started = time.perf_counter()
    subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(om), str(data)],
                   check=True, timeout=3600)
    om.unlink()
    print(f"promtool create-blocks-from openmetrics: {time.perf_counter() - started:.0f} s")
    cfg = work / "prometheus.yml"
    cfg.write_text("global: {evaluation_interval: 1m}\nscrape_configs: []\n")
    port = free_port()
    prom = subprocess.Popen(["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={data}",
                             "--storage.tsdb.retention.time=10y", f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/-/ready", timeout=2).close()
                break
            except OSError:
                time.sleep(0.5)
        at = t0 + 240
        total_exec = total_wall = 0.0
        print(f"{'rule':45} {'exec ms':>9} {'wall ms':>9}  (median of {a.runs})")
        for name, expr in expressions():
            runs = [query(base, expr, at) for _ in range(a.runs)]
            e, w = statistics.median(x for x, _ in runs), statistics.median(y for _, y in runs)
            total_exec += e
            total_wall += w
            print(f"{name:45} {e * 1000:9.1f} {w * 1000:9.1f}")
        print(f"{'all rules, one evaluation':45} {total_exec * 1000:9.1f} {total_wall * 1000:9.1f}")
        print(f"Prometheus RSS after the queries: {rss_mib(prom.pid):.0f} MiB")
    finally:
        prom.terminate()
        prom.wait(timeout=60)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--checks", type=int, default=70)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gomedic-rules-bench-", dir="/var/tmp"))
    try:
        run(a, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
