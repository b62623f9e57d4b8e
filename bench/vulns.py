"""What `--vulns` adds to `gomedic binary -r DIR` on 200+ real Go binaries, against a cached database.

    python bench/vulns.py [--runs 9] [--count 220] [--dir /tmp/gomedic-vulns-bench]

The directory is bench/binary_scan.py's (toolchain executables of three releases and the differential
corpus) plus the vulnerable test programs of tests/vulns/programs.py and Debian's prometheus-node-exporter
(Go 1.19: many stdlib advisories), hard-linked under distinct names. The database is the test mirror (every
stored real entry, tests/support/vulnmirror.py), read once to fill the cache; the timed runs use --offline
(the cache only) and, for reference, the file:// source with its not-modified check, both with the
findings of unchanged binaries kept from the previous run (vulndb/scancache.py), and "cold" (those deleted
before the run: every function table read and matched). Runs alternate; medians and ratios are printed.
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

from binary_scan import populate, timed  # noqa: E402

from tests.support.vulnmirror import build_mirror  # noqa: E402
from tests.vulns.programs import net_app, net_app_119, text_app, text_app_119  # noqa: E402


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--count", type=int, default=220)
    ap.add_argument("--dir", default="/tmp/gomedic-vulns-bench")
    args = ap.parse_args()
    d = Path(args.dir)
    populate(d, args.count)
    nvuln = add_vulnerable(d)
    compileall.compile_dir(str(REPO / "src" / "gomedic"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="gomedic-vulns-bench.") as tmp:
        mirror = build_mirror(Path(tmp) / "db", modified="2026-08-21T20:00:00Z")
        env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "XDG_CACHE_HOME": str(Path(tmp) / "cache")}
        base = [sys.executable, "-m", "gomedic", "binary", "--format", "json", "-r", str(d)]
        online = [*base, "--vulns", "--vulndb", f"file://{mirror}"]
        offline = [*online, "--offline"]
        for argv in (base, online, offline):  # warm the page cache and fill the database cache
            timed(argv, env)
        scans = list((Path(tmp) / "cache").rglob("scans.json"))
        tb, to, tn, tc = [], [], [], []
        for _ in range(args.runs):
            tb.append(timed(base, env))
            to.append(timed(offline, env))
            tn.append(timed(online, env))
            for f in scans:  # cold: no findings kept from the last run, every function table read
                f.unlink(missing_ok=True)
            tc.append(timed(offline, env))
    b, o, n, c = (statistics.median(x) for x in (tb, to, tn, tc))
    print(f"{args.count + nvuln} Go binaries in {d} ({nvuln} with known vulnerabilities), "
          f"{args.runs} alternating runs, medians:")
    print(f"  binary -r DIR                                 {b * 1000:8.1f} ms")
    print(f"  binary -r DIR --vulns --offline (cache)       {o * 1000:8.1f} ms   ratio {o / b:.2f}")
    print(f"  binary -r DIR --vulns --vulndb file://mirror  {n * 1000:8.1f} ms   ratio {n / b:.2f}")
    print(f"  binary -r DIR --vulns --offline, cold scans   {c * 1000:8.1f} ms   ratio {c / b:.2f}")


if __name__ == "__main__":
    main()
