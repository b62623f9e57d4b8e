"""How instant is `gomedic check`? Median wall times against a bare interpreter, alternating runs.

    python bench/doctor.py [--runs 31] [--go 1.27.3]                 # python -m gomedic from this tree
    python bench/doctor.py --venv /tmp/sv [--runs 31]                # the `gomedic` script of an installed venv
    python bench/doctor.py --venv /tmp/before --venv /tmp/sv         # two installs, alternating in one run

Builds a healthy environment (one real Go release on PATH, its install dir on PATH, its own HOME, nothing
else Go-related set), then alternates runs of

    gomedic check --format json        (the doctor, the default command)
    gomedic --version                  (start-up alone)
    python -c pass                     (the same interpreter, nothing imported)
    go env -json                       (for scale: what the doctor asks go)

and prints each median in ms and the ratios to `python -c pass`. Both gomedic commands start the same
interpreter as the baseline, so a ratio is what gomedic adds on top of Python's own start-up, and it is
what stays comparable on a loaded machine: the estimate for an idle machine is the ratio times the idle
baseline (`--idle-python-ms`, measured alone on the idle machine). Under heavy load that ratio moves a
lot (a single-threaded `python -c pass` suffers less than gomedic with its threads and its go child), so
a second estimate uses CPU time (user + system, children included, from wait4): the command's CPU in
units of the baseline's, times the idle baseline, for `check` less the CPU of `go env -json` (go runs on
the other core while gomedic imports its checks). On the code before issue 17 it gives 55 ms where the
idle machine measured 58 ms. Alternating keeps machine noise from
favouring any command.

Without --venv, gomedic runs as `python -m gomedic` from this tree (PYTHONPATH=src, byte-compiled first, as
any non-editable install does). With --venv DIR it runs DIR/bin/gomedic, the console script pip generates,
and the baseline is DIR/bin/python (of the first DIR; give several to compare installs in one run): build
DIR with `python3 -m venv DIR && DIR/bin/pip install .` (not `-e`: an editable install adds a .pth import
to every start).
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
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


def healthy_env(home: Path, version: str, pythonpath: str | None) -> dict[str, str]:
    goroot = toolchain(version)
    (home / "go" / "bin").mkdir(parents=True, exist_ok=True)
    env = {
        "HOME": str(home),
        "PATH": system_path(goroot / "bin", home / "go" / "bin"),  # no system go (golang-go) either
        "LANG": "C.UTF-8",
    }
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


# The least any Python doctor that asks go does (--floor): start the interpreter, find the first go on PATH,
# run `go env -json KEYS` in a new session and read it, parse it, print one line of JSON. "cgroup" adds what
# gomedic does as root: the child joins a fresh cgroup v2 group between fork and exec (a cold join: bench/README).
FLOOR = """
import json, os, subprocess, sys
go = next(p for d in os.environ["PATH"].split(":") if os.access(p := os.path.join(d, "go"), os.X_OK))
keys = "AR CC CGO_ENABLED CXX GOARCH GOOS GOROOT GOPATH GOCACHE GOMODCACHE GOVERSION GOENV GOFLAGS GOPROXY".split()
join = None
if sys.argv[1:] == ["cgroup"]:
    with open("/proc/self/cgroup") as fh:
        own = fh.read().split("0::", 1)[1].split()[0]
    mount = next(ln.split()[4] for ln in open("/proc/self/mountinfo") if " - cgroup2 " in ln)
    group = os.path.join(mount + own, f"floor-{os.getpid()}")
    os.mkdir(group)
    fd = os.open(os.path.join(group, "cgroup.procs"), os.O_WRONLY)
    join = lambda: os.write(fd, b"0")
try:
    r = subprocess.run([go, "env", "-json", *keys], capture_output=True, start_new_session=True, preexec_fn=join)
finally:
    if join:
        os.rmdir(group)
sys.stdout.write(json.dumps({"go": json.loads(r.stdout)["GOVERSION"]}) + "\\n")
"""


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds): the CPU time (user + system, children included, from wait4) moves much
    less than the wall time when other processes compete for the cores."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = 0  # reaped above
    return wall, usage.ru_utime + usage.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--go", default="1.27.3", help="Go release of the healthy environment")
    ap.add_argument("--venv", type=Path, action="append", default=[],
                    help="measure DIR/bin/gomedic (an installed venv) instead of this tree (repeatable)")
    ap.add_argument("--floor", action="store_true",
                    help="also time FLOOR: a Python program that only finds go, asks `go env -json` and prints")
    ap.add_argument("--idle-python-ms", type=float, default=9.0,
                    help="`python -c pass` on the idle machine, for the idle estimate (default: %(default)s)")
    args = ap.parse_args()
    if args.venv:
        python = str(args.venv[0] / "bin" / "python")
        installs = {f" [{v}]" if len(args.venv) > 1 else "": [str(v / "bin" / "gomedic")] for v in args.venv}
        pythonpath = None
    else:
        python = sys.executable
        installs = {"": [python, "-m", "gomedic"]}
        pythonpath = str(REPO / "src")
        compileall.compile_dir(str(REPO / "src" / "gomedic"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="gomedic-bench-") as tmp:
        home = Path(tmp)
        env = healthy_env(home, args.go, pythonpath)
        commands: dict[str, list[str]] = {}
        for label, gomedic in installs.items():
            commands[f"gomedic check --format json{label}"] = [*gomedic, "check", "--format", "json"]
            commands[f"gomedic --version{label}"] = [*gomedic, "--version"]
        commands["python -c pass"] = [python, "-c", "pass"]
        commands["go env -json"] = [str(toolchain(args.go) / "bin" / "go"), "env", "-json"]
        if args.floor:
            commands["floor: python, go env -json, print"] = [python, "-c", FLOOR]
            if os.geteuid() == 0:
                commands["floor, go env in a cgroup (cold join)"] = [python, "-c", FLOOR, "cgroup"]
        for label, gomedic in installs.items():
            check = subprocess.run([*gomedic, "check", "--format", "json"], env=env, cwd=home, capture_output=True,
                                   text=True, check=False)
            report = json.loads(check.stdout)
            problems = [r["id"] for r in report["results"] if r["status"] in ("warn", "fail", "error")]
            if problems or check.returncode != 0:
                print(f"environment is not healthy{label} (exit {check.returncode}): {problems}", file=sys.stderr)
                return 1
        for _ in range(3):  # warm the page cache and go's own caches
            for argv in commands.values():
                timed(argv, env, home)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, argv in commands.items():
                wall, used = timed(argv, env, home)
                times[name].append(wall)
                cpu[name].append(used)
    med = {name: statistics.median(t) * 1000 for name, t in times.items()}
    med_cpu = {name: statistics.median(t) * 1000 for name, t in cpu.items()}
    base = med["python -c pass"]
    print(f"interpreter: {python}; gomedic: {', '.join(' '.join(g) for g in installs.values())}")
    print(f"checks run:  {len(report['results'])} (go{args.go}, healthy environment); {args.runs} alternating runs")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")
    width = max(len(name) for name in med)
    base_cpu, go_cpu = med_cpu["python -c pass"], med_cpu["go env -json"]
    print(
        f"{'command':{width}} {'median':>9} {'ratio':>6} {'idle estimate':>14} {'CPU median':>11} {'CPU estimate':>13}"
    )
    for name, ms in med.items():
        ratio = ms / base
        # CPU estimate: the CPU time in units of the bare interpreter's, times its idle wall time; `check`
        # less go's own CPU, which runs on the other core while gomedic imports its checks.
        cpu = med_cpu[name] - (go_cpu if "check" in name else 0.0)
        print(f"{name:{width}} {ms:7.1f} ms {ratio:6.2f} {ratio * args.idle_python_ms:11.1f} ms "
              f"{med_cpu[name]:8.1f} ms {cpu / base_cpu * args.idle_python_ms:10.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
