"""Real things for the host, service and gate tests: Go programs built for real, unit files, listeners,
processes with lowered limits, cgroups with quotas, and running gomedic as a subprocess.

Go programs are built once per machine (keyed by source and GOARCH) into the test cache under a lock.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.support.goenv import Run
from tests.support.systools import system_path
from tests.support.toolchains import NEWEST, cache_dir, toolchain

REPO_SRC = Path(__file__).resolve().parents[2] / "src"
DATA = Path(__file__).resolve().parents[1] / "host" / "data"

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'
OSUSER = ('package main\n\nimport (\n\t"fmt"\n\t"os/user"\n)\n\n'
          'func main() { u, err := user.Current(); fmt.Println(u, err) }\n')


def build_go(name: str, source: str, *, goarch: str = "amd64", version: str = NEWEST, go_line: str = "1.22") -> Path:
    """A static (CGO_ENABLED=0) Go program for linux/`goarch`, built once per machine."""
    key = hashlib.sha256(f"{source}\0{goarch}\0{version}\0{go_line}".encode()).hexdigest()[:12]
    out = cache_dir() / "host" / f"{name}-{goarch}-{key}"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    goroot = toolchain(version)
    with open(cache_dir() / f".lock-host-{name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists():
            return out
        work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=out.parent))
        try:
            (work / "go.mod").write_text(f"module example.com/{name}\n\ngo {go_line}\n")
            (work / "main.go").write_text(source)
            env = {"PATH": system_path(goroot / "bin"), "HOME": str(work), "GOCACHE": str(cache_dir() / "gocache"),
                   "GOPATH": str(work / "gopath"), "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local",
                   "CGO_ENABLED": "0", "GOOS": "linux", "GOARCH": goarch}
            subprocess.run([str(goroot / "bin" / "go"), "build", "-o", str(work / name), "."], cwd=work, env=env,
                           check=True, capture_output=True, timeout=600)
            os.chmod(work / name, 0o755)
            os.replace(work / name, out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return out


def gomedic(*args: str, env: Mapping[str, str] | None = None, timeout: float = 120) -> Run:
    """Run `python -m gomedic ARGS` with a minimal environment (plus `env`)."""
    e = {"PATH": system_path(), "LANG": "C.UTF-8", "HOME": "/root",
         "PYTHONPATH": str(REPO_SRC)}
    e.update(env or {})
    p = subprocess.run([sys.executable, "-m", "gomedic", *args], env=e, capture_output=True, text=True, timeout=timeout)
    return Run(p.returncode, p.stdout, p.stderr)


def results(run: Run, check_id: str) -> list[dict[str, object]]:
    found = [r for r in run.report["results"] if r["id"] == check_id]
    assert found, f"{check_id} not in report: {[r['id'] for r in run.report['results']]}\n{run.stderr}"
    return found


def statuses(run: Run, check_id: str) -> set[str]:
    return {str(r["status"]) for r in results(run, check_id)}


def write_unit(d: Path, name: str, service: str, unit: str = "Description=gomedic test unit") -> Path:
    p = d / name
    p.write_text(f"[Unit]\n{unit}\n\n[Service]\n{service.strip()}\n")
    return p


@contextmanager
def listener(port: int = 0) -> Iterator[int]:
    """A real TCP listener on 127.0.0.1 held by this process; yields its port."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        s.listen(1)
        yield s.getsockname()[1]
    finally:
        s.close()


@contextmanager
def child(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """A real long-running child process (sleep) that is stopped afterwards."""
    proc = subprocess.Popen(argv or ["sleep", "300"], env=dict(env or {"PATH": system_path()}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not Path(f"/proc/{proc.pid}/status").exists():
            time.sleep(0.01)
        yield proc
    finally:
        proc.kill()
        proc.wait(10)


@contextmanager
def cpu_cgroup(quota_us: int, period_us: int = 100000) -> Iterator[Path]:
    """A real cgroup v1 cpu cgroup (or v2 cpu.max) with this quota; removed afterwards."""
    v1 = Path("/sys/fs/cgroup/cpu")
    base = v1 if (v1 / "cgroup.procs").exists() else Path("/sys/fs/cgroup")
    d = base / f"gomedic-host-test-{os.getpid()}-{time.monotonic_ns()}"
    d.mkdir()
    try:
        if base == v1:
            (d / "cpu.cfs_period_us").write_text(str(period_us))
            (d / "cpu.cfs_quota_us").write_text(str(quota_us))
        else:
            (d / "cpu.max").write_text(f"{quota_us} {period_us}")
        yield d
    finally:
        for _ in range(50):
            try:
                d.rmdir()
                break
            except OSError:
                time.sleep(0.1)


@contextmanager
def world_dir(prefix: str = "gomedic-svc-") -> Iterator[Path]:
    """A directory every user can search (pytest's tmp dirs are root-only), removed afterwards."""
    d = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    os.chmod(d, 0o755)
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


# Units installed on Debian 12 that `gomedic service NAME` must handle (by name, with their drop-ins).
INSTALLED_SAMPLE = tuple(n for n in ("systemd-journald", "getty@tty1", "user@1000", "dbus", "e2scrub@home",
                                     "systemd-logind", "apt-daily") if any(
    Path(d, n.split("@")[0] + ("@" if "@" in n else "") + ".service").exists()
    for d in ("/lib/systemd/system", "/etc/systemd/system")))
