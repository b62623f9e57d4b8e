"""What `--vulns` adds to `gomedic binary -r DIR` on 200+ real Go binaries, against a cached database.

    python bench/vulns.py [--runs 9] [--count 220] [--dir /tmp/gomedic-vulns-bench]
    python bench/vulns.py --src /tmp/before/src --src src   # two trees, alternating in one run

The directory is bench/binary_scan.py's (toolchain executables of three releases and the differential
corpus) plus the vulnerable test programs of tests/vulns/programs.py and Debian's prometheus-node-exporter
(Go 1.19: many stdlib advisories), hard-linked under distinct names. The database is the test mirror (every
stored real entry, tests/support/vulnmirror.py), read once to fill the cache; the timed runs use --offline
(the cache only) and, for reference, the file:// source with its not-modified check, both with the
findings of unchanged binaries kept from the previous run (vulndb/scancache.py), and "cold" (those deleted
before the run: every function table read and matched). Runs alternate; medians and ratios are printed.
With several --src trees (e.g. `git archive` of the commit before a change), each gets its own database
cache and the four runs alternate over all trees; every ratio is to that tree's own `binary -r`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from binary_scan import populate  # noqa: E402

from tests.support.vulnmirror import build_mirror  # noqa: E402
from tests.vulns.programs import net_app, net_app_119, text_app, text_app_119  # noqa: E402


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child): on a loaded machine the CPU time is the steadier number."""
    import resource
    import subprocess
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} exited {p.returncode}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def add_vulnerable(d: Path) -> int:
    extra = [text_app("v0.3.6", go="1.22.10"), text_app("v0.3.8", go="1.27.3"),
             net_app("v0.0.0-20210405180319-a5a99cb37ef4"), text_app_119("v0.3.6"),
             net_app_119("v0.0.0-20210405180319-a5a99cb37ef4")]
    node = Path("/usr/bin/prometheus-node-exporter")
    if node.exists():
        extra.append(node)
    for i, src in enumerate(extra * 4):
        dst = d / f"v{i:03d}-{src.name}"
        try:
            os.link(src, dst)
        except OSError:
            dst.write_bytes(src.read_bytes())
    return len(extra) * 4


NAMES = ["binary -r DIR", "binary -r DIR --vulns --offline (cache)", "binary -r DIR --vulns --vulndb file://",
         "binary -r DIR --vulns --offline, cold scans"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--count", type=int, default=220)
    ap.add_argument("--dir", default="/tmp/gomedic-vulns-bench")
    ap.add_argument("--src", action="append", help="a gomedic source tree (repeatable; default: this one's src)")
    args = ap.parse_args()
    srcs = [str(Path(x).resolve()) for x in args.src or [REPO / "src"]]
    d = Path(args.dir)
    populate(d, args.count)
    nvuln = add_vulnerable(d)
    for src in srcs:
        compileall.compile_dir(str(Path(src) / "gomedic"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="gomedic-vulns-bench.") as tmp:
        mirror = build_mirror(Path(tmp) / "db", modified="2026-08-21T20:00:00Z")
        runs = []
        for i, src in enumerate(srcs):
            cache = Path(tmp) / f"cache{i}"
            env = {**os.environ, "PYTHONPATH": src, "XDG_CACHE_HOME": str(cache)}
            base = [sys.executable, "-m", "gomedic", "binary", "--format", "json", "-r", str(d)]
            online = [*base, "--vulns", "--vulndb", f"file://{mirror}"]
            offline = [*online, "--offline"]
            for argv in (base, online, offline):  # warm the page cache and fill the database cache
                timed(argv, env)
            runs.append((env, base, online, offline, list(cache.rglob("scans.json"))))
        times: list[list[list[tuple[float, float]]]] = [[[], [], [], []] for _ in srcs]
        for _ in range(args.runs):
            for (env, base, online, offline, scans), t in zip(runs, times, strict=True):
                t[0].append(timed(base, env))
                t[1].append(timed(offline, env))
                t[2].append(timed(online, env))
                for f in scans:  # cold: no findings kept from the last run, every function table read
                    f.unlink(missing_ok=True)
                t[3].append(timed(offline, env))
    print(f"{args.count + nvuln} Go binaries in {d} ({nvuln} with known vulnerabilities), "
          f"{args.runs} alternating runs, medians (wall ms, CPU ms, ratios to the first line):")
    for src, t in zip(srcs, times, strict=True):
        med = [(statistics.median(w for w, _ in x), statistics.median(c for _, c in x)) for x in t]
        if len(srcs) > 1:
            print(f" {src}")
        (bw, bc) = med[0]
        for name, (w, c) in zip(NAMES, med, strict=True):
            print(f"  {name:44s} wall {w * 1000:8.1f} ({w / bw:.2f})   cpu {c * 1000:8.1f} ({c / bc:.2f})")
    print(f"  load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
