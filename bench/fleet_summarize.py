"""Does `gomedic fleet summarize` stay within 5 s and 500 MB over 10,000 host reports?

Generates N synthetic host reports (default 10,000) shaped like real ones: every result has the fields a
real `gomedic check --format json` result has, the check ids, titles and areas come from `gomedic list`,
about 70 results a host, a few percent warn/fail, evidence of a few keys. They are written once into a
cache directory (re-used while N and the seed are the same). Then it runs `gomedic fleet summarize DIR`
(--format json, to /dev/null) `--runs` times and reports the median wall time and the peak RSS of the
child (ru_maxrss of the waited process), beside the time `cat` takes to read the same files (the floor
any reader pays for the bytes).

    python3 bench/fleet_summarize.py                 # 10,000 hosts, 3 runs
    python3 bench/fleet_summarize.py --hosts 2000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def catalogue() -> list[dict[str, str]]:
    out = subprocess.run([sys.executable, "-m", "gomedic", "list", "--format", "json"], check=True,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(SRC)})
    checks: list[dict[str, str]] = json.loads(out.stdout)
    return checks


def result(rng: random.Random, c: dict[str, str], i: int) -> dict[str, object]:
    roll = rng.random()
    status = "fail" if roll < 0.02 else "warn" if roll < 0.07 else "skip" if roll < 0.2 else "ok"
    return {
        "id": c["id"], "area": c["area"], "category": c["category"], "status": status,
        "severity": c["severity"], "title": c["title"],
        "summary": f"{c['id']} looked at /srv/app/{i} and found value {rng.randrange(1 << 20)}",
        "subject": f"/srv/app/bin/svc{i}" if c["area"] == "binary" else None,
        "evidence": {"path": f"/srv/app/{i}", "value": str(rng.randrange(1 << 30)), "source": "environment"},
        "fix": "export GOFLAGS=-mod=mod" if status in ("warn", "fail") else None,
        "duration_s": round(rng.random() / 100, 4),
    }


def report(rng: random.Random, checks: list[dict[str, str]], host: int, per_host: int) -> dict[str, object]:
    results = [result(rng, checks[(host + i) % len(checks)], i) for i in range(per_host)]
    counts = {s: sum(1 for r in results if r["status"] == s) for s in ("ok", "warn", "fail", "skip", "error")}
    return {
        "schema": "gomedic/report/v1", "tool": {"name": "gomedic", "version": "0.1.0"}, "command": "check",
        "started_at": "2026-12-04T00:00:00Z", "duration_s": 0.2,
        "context": {"host": {"os": "linux", "arch": "amd64", "kernel": "6.1.0", "libc": "glibc 2.36",
                             "hostname": f"web-{host}"}, "go": None, "target": None},
        "summary": {**counts, "score": 100 - 3 * counts["fail"] - counts["warn"]},
        "exit_code": 1 if counts["fail"] else 0, "results": results,
    }


def corpus(hosts: int, per_host: int, seed: int) -> Path:
    d = Path(tempfile.gettempdir()) / f"gomedic-fleet-bench-{hosts}-{per_host}-{seed}"
    if (d / ".complete").exists():
        return d
    d.mkdir(exist_ok=True)
    rng = random.Random(seed)
    checks = catalogue()
    for h in range(hosts):
        (d / f"web-{h:05d}.json").write_text(json.dumps(report(rng, checks, h, per_host)))
    (d / ".complete").touch()
    return d


def timed(argv: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one run of argv."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} exited {proc.returncode}")
    return wall, usage.ru_maxrss


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hosts", type=int, default=10_000)
    ap.add_argument("--per-host", type=int, default=70)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    d = corpus(a.hosts, a.per_host, a.seed)
    size = sum(f.stat().st_size for f in d.glob("*.json"))
    gm = [sys.executable, "-m", "gomedic", "fleet", "summarize", str(d), "--format", "json"]
    cat = ["sh", "-c", f"cat {d}/*.json > /dev/null"]
    runs: list[tuple[float, int]] = []
    floor: list[float] = []
    for _ in range(a.runs):
        runs.append(timed(gm))
        floor.append(timed(cat)[0])
    wall = statistics.median(w for w, _ in runs)
    rss = max(r for _, r in runs) / 1024
    print(f"{a.hosts} reports, {a.per_host} results each, {size / 1e6:.0f} MB of JSON in {d}")
    print(f"gomedic fleet summarize: median {wall:.2f} s over {a.runs} runs, peak RSS {rss:.0f} MiB")
    print(f"cat of the same files:   median {statistics.median(floor):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
