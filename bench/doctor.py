"""How instant is `gomedic check`? Median wall time against `python -c pass` on the same interpreter.

    python bench/doctor.py [--runs 31] [--go 1.27.3]

Builds a healthy environment (one real Go release on PATH, its install dir on PATH, its own HOME, nothing
else Go-related set), byte-compiles gomedic (as any non-editable install does), then alternates runs of

    python -m gomedic check --format json
    python -c pass

and prints both medians and their ratio. Both commands start the same interpreter, so the ratio is what
gomedic adds on top of Python's own start-up. Alternating keeps machine noise from favouring either side.
"""

from __future__ import annotations

import argparse
import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.systools import system_path  # noqa: E402
from tests.support.toolchains import toolchain  # noqa: E402


def healthy_env(home: Path, version: str) -> dict[str, str]:
    goroot = toolchain(version)
    (home / "go" / "bin").mkdir(parents=True, exist_ok=True)
    return {
        "HOME": str(home),
        "PATH": system_path(goroot / "bin", home / "go" / "bin"),  # no system go (golang-go) either
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(REPO / "src"),
    }


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--go", default="1.27.3", help="Go release of the healthy environment")
    args = ap.parse_args()
    compileall.compile_dir(str(REPO / "src" / "gomedic"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="gomedic-bench-") as tmp:
        home = Path(tmp)
        env = healthy_env(home, args.go)
        doctor = [sys.executable, "-m", "gomedic", "check", "--format", "json"]
        baseline = [sys.executable, "-c", "pass"]
        check = subprocess.run(doctor, env=env, cwd=home, capture_output=True, text=True, check=False)
        report = json.loads(check.stdout)
        problems = [r["id"] for r in report["results"] if r["status"] in ("warn", "fail", "error")]
        if problems or check.returncode != 0:
            print(f"environment is not healthy (exit {check.returncode}): {problems}", file=sys.stderr)
            return 1
        for _ in range(3):  # warm the page cache and go's own caches
            timed(doctor, env, home)
            timed(baseline, env, home)
        doc_t: list[float] = []
        base_t: list[float] = []
        for _ in range(args.runs):
            doc_t.append(timed(doctor, env, home))
            base_t.append(timed(baseline, env, home))
    d, b = statistics.median(doc_t), statistics.median(base_t)
    print(f"interpreter:                      {sys.executable} ({sys.version.split()[0]})")
    print(f"checks run:                       {len(report['results'])} (go{args.go}, healthy environment)")
    print(f"gomedic check --format json:      median {d * 1000:.1f} ms over {args.runs} runs")
    print(f"python -c pass:                   median {b * 1000:.1f} ms over {args.runs} runs")
    print(f"ratio:                            {d / b:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
