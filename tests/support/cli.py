"""The one home of what every test that runs gomedic needs: where src is, running `python -m gomedic` as a
real process, a free port on loopback, and the report schema check. Topic helpers (goenv, hostfixtures,
userchecks, fleet, ...) build their environments and call these."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
REPORT_SCHEMA: dict[str, Any] = json.loads((SRC / "gomedic/render/schemas/report-v1.json").read_text())


def gomedic_env(env: Mapping[str, str], *, src: Path = SRC) -> dict[str, str]:
    """`env` plus what makes `python -m gomedic` import this checkout's gomedic."""
    extra = env.get("PYTHONPATH")
    return {**env, "PYTHONPATH": str(src) + (os.pathsep + extra if extra else ""), "PYTHONDONTWRITEBYTECODE": "1"}


def run_gomedic(*args: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None = None,
                timeout: float = 120, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    """`python -m gomedic ARGS` as a real process with exactly `env` (plus PYTHONPATH to this src)."""
    return subprocess.run([python, "-m", "gomedic", *args], env=gomedic_env(env), cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


def free_port(hosts: Sequence[str] = ("127.0.0.1",)) -> int:
    """A TCP port free right now on every one of `hosts` (loopback addresses)."""
    for _ in range(200):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port: int = s.getsockname()[1]
        if all(_bindable(h, port) for h in hosts[1:]):
            return port
    raise RuntimeError(f"no port free on all of {hosts}")


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def validate_report(doc: dict[str, Any]) -> dict[str, Any]:
    """`doc` if it is a valid gomedic/report/v1 document (the public JSON contract); else ValidationError."""
    jsonschema.validate(doc, REPORT_SCHEMA)
    return doc


# The measured process reports its own memory's high-water mark (VmHWM of its own address space) as it ends.
# ru_maxrss from wait4 is not that: the kernel folds in the address space the child was forked (vforked)
# from, so under a big pytest worker every child "peaks" at the worker's size.
_PEAK = """
import os, runpy, sys
out = sys.argv.pop(1)
sys.argv[0] = "gomedic"
def report():
    with open("/proc/self/status") as f:
        hwm = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(out, "w") as f:
        f.write(hwm)
import atexit
atexit.register(report)
runpy.run_module("gomedic", run_name="__main__", alter_sys=True)
"""


def gomedic_peak_rss(*args: str, env: Mapping[str, str], cwd: str | os.PathLike[str] | None = None,
                     timeout: float = 300, stdout: Any = subprocess.DEVNULL) -> tuple[int, int]:
    """(exit code, peak RSS in KiB) of `python -m gomedic ARGS`, the peak of its own address space."""
    import tempfile

    with tempfile.NamedTemporaryFile("r", suffix=".hwm") as out:
        p = subprocess.run([sys.executable, "-c", _PEAK, out.name, *args], env=gomedic_env(env), cwd=cwd,
                           stdout=stdout, stderr=subprocess.DEVNULL, timeout=timeout)
        return p.returncode, int(out.read() or 0)
