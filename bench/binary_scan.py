"""`gomedic binary --format json -r DIR` against `go version -m DIR` on a directory of real Go binaries.

    python bench/binary_scan.py [--runs 15] [--count 220] [--dir /tmp/gomedic-binary-scan]

The directory holds at least 200 real Go binaries: every executable of the test toolchains' bin/ and
pkg/tool/ (three releases) and the differential corpus of tests/support/gobuild.py (seven Linux
architectures, Windows, macOS, cgo with glibc and musl, PIE, stripped, ...), hard-linked (or copied)
under distinct names until --count is reached. Runs alternate (go, gomedic, go, gomedic, ...) on a warm
page cache; medians and their ratio are printed, plus the `--buildinfo` mode (reading only) for reference.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.gobuild import CORPUS, corpus, go_env, toolchain_executables  # noqa: E402
from tests.support.toolchains import NEWEST, VERSIONS, go  # noqa: E402


def populate(d: Path, count: int) -> int:
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    sources = [*toolchain_executables(VERSIONS), *(corpus(n) for n in CORPUS)]
    for i in range(count):
        src = sources[i % len(sources)]
        dst = d / f"{i:04d}-{src.name}"
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)
    return len(sources)


def timed(argv: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    took = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} exited {p.returncode}")
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--count", type=int, default=220)
    ap.add_argument("--dir", default="/tmp/gomedic-binary-scan")
    args = ap.parse_args()
    if args.count < 200:
        raise SystemExit("--count must be at least 200")
    d = Path(args.dir)
    distinct = populate(d, args.count)
    compileall.compile_dir(str(REPO / "src" / "gomedic"), quiet=1)
    genv = go_env(NEWEST)
    menv = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    go_cmd = [str(go(NEWEST)), "version", "-m", str(d)]
    gm_cmd = [sys.executable, "-m", "gomedic", "binary", "--format", "json", "-r", str(d)]
    bi_cmd = [sys.executable, "-m", "gomedic", "binary", "--buildinfo", "-r", str(d)]
    for argv, env in ((go_cmd, genv), (gm_cmd, menv), (bi_cmd, menv)):  # warm the page cache
        timed(argv, env)
    tg, tm, tb = [], [], []
    for _ in range(args.runs):
        tg.append(timed(go_cmd, genv))
        tm.append(timed(gm_cmd, menv))
        tb.append(timed(bi_cmd, menv))
    g, m, b = statistics.median(tg), statistics.median(tm), statistics.median(tb)
    print(f"{args.count} Go binaries ({distinct} distinct) in {d}, {args.runs} alternating runs, medians:")
    print(f"  go version -m DIR                       {g * 1000:8.1f} ms")
    print(f"  gomedic binary --format json -r DIR     {m * 1000:8.1f} ms   ratio {m / g:.2f}")
    print(f"  gomedic binary --buildinfo -r DIR       {b * 1000:8.1f} ms   ratio {b / g:.2f}")
    print(f"  python -c pass                          {timed([sys.executable, '-c', 'pass'], menv) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
