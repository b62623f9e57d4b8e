"""Which imports does a gomedic command pay for? `python -X importtime`, median of several runs.

    python bench/importtime.py [--runs 9] [--min-ms 0.3] [--top N] -- \
        /tmp/sv/bin/python /tmp/sv/bin/gomedic check --format json

Runs the command (an interpreter and its arguments) with `-X importtime` in a healthy environment (as
bench/doctor.py builds it) and prints each module's median self and cumulative time in ms, as a tree
(default) or, with --top N, the N largest by self time. One run of -X importtime on a busy machine is
noise; medians of several are a usable ranking. Note that modules imported by `importlib.import_module`
(gomedic's command and check modules) are not reported by -X importtime themselves (their imports are),
and that imports made by another thread are interleaved (gomedic check imports in a prewarm thread).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from doctor import healthy_env  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--min-ms", type=float, default=0.3, help="tree: hide modules under this cumulative time")
    ap.add_argument("--top", type=int, help="list the N largest modules by self time instead of the tree")
    ap.add_argument("--go", default="1.27.3")
    ap.add_argument("argv", nargs="+", help="interpreter and arguments (after --)")
    args = ap.parse_args()
    selfs: dict[str, list[int]] = defaultdict(list)
    cums: dict[str, list[int]] = defaultdict(list)
    order: list[str] = []
    depth: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="gomedic-bench-") as tmp:
        env = healthy_env(Path(tmp), args.go, None)
        for _ in range(args.runs):
            p = subprocess.run([args.argv[0], "-X", "importtime", *args.argv[1:]], env=env, cwd=tmp,
                               capture_output=True, text=True, check=False)
            for line in p.stderr.splitlines():
                if not line.startswith("import time:") or "self [us]" in line:
                    continue
                self_us, cum_us, name = line[len("import time:"):].split("|")
                module = name.strip()
                if module not in depth:
                    order.append(module)
                    depth[module] = (len(name.rstrip()) - len(module) - 1) // 2
                selfs[module].append(int(self_us))
                cums[module].append(int(cum_us))
    rows = [(m, statistics.median(selfs[m]) / 1000, statistics.median(cums[m]) / 1000) for m in order]
    print(f"{'self ms':>8} {'cum ms':>8}  module   ({args.runs} runs, medians)")
    if args.top:
        for m, s, c in sorted(rows, key=lambda r: -r[1])[: args.top]:
            print(f"{s:8.2f} {c:8.2f}  {m}")
    else:
        for m, s, c in rows:
            if c >= args.min_ms:
                print(f"{s:8.2f} {c:8.2f}  {'  ' * depth[m]}{m}")
    print(f"{len(order)} modules; sum of self times {sum(r[1] for r in rows):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
