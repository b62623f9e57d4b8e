"""Peak memory of gomedic running a command that prints far more than execx keeps (issue 12, item 8).

    python3 bench/output_cap.py                  # a command printing 1 GiB, and one printing the 4 MiB cap
    python3 bench/output_cap.py --size 4G --src /path/to/other/src   # another checkout, another size

Runs `gomedic run` on a one-check file (`head -c SIZE /dev/zero`) and, as the reference, the same with
`head -c 4M` (what gomedic keeps anyway), alternating; reports each run's peak RSS from wait4 on the
gomedic process itself (not other children of this script) and its wall time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def one(src: Path, size: str, d: Path) -> tuple[int, float]:
    f = d / f"check-{size}.yaml"
    f.write_text(f"checks:\n  - {{name: big, kind: command, run: [head, -c, {size}, /dev/zero], timeout: 10m}}\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(d), "LANG": "C.UTF-8", "PYTHONPATH": str(src)}
    t0 = time.monotonic()
    p = subprocess.Popen([sys.executable, "-m", "gomedic", "run", str(f), "--format", "json"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(p.pid, 0)
    p.returncode = 0
    return usage.ru_maxrss, time.monotonic() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", default="1G", help="what the command prints (head -c syntax; default 1G)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--src", type=Path, default=SRC, help="the gomedic source tree to measure")
    a = ap.parse_args()
    big: list[tuple[int, float]] = []
    ref: list[tuple[int, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(a.runs):
            big.append(one(a.src, a.size, Path(tmp)))
            ref.append(one(a.src, "4M", Path(tmp)))
    for name, rows in ((f"head -c {a.size}", big), ("head -c 4M", ref)):
        rss = statistics.median(r[0] for r in rows)
        wall = statistics.median(r[1] for r in rows)
        print(f"{name:>14}: peak RSS median {rss / 1024:.1f} MiB (max {max(r[0] for r in rows) / 1024:.1f}), "
              f"wall median {wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
