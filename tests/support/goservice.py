"""Real Go services for the probe tests: tests/probe/goservice built with a real toolchain, and Debian's
prometheus-node-exporter, both on 127.0.0.1 with a free port, optionally under limits, a user, a cgroup.

The Go service is built once per machine (keyed by the source hash and Go release) into the test cache
under a file lock, so xdist workers share one binary.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.cli import free_port, validate_report
from tests.support.systools import system_path
from tests.support.toolchains import NEWEST, cache_dir, toolchain

SRC = Path(__file__).resolve().parents[1] / "probe" / "goservice"
REPO_SRC = Path(__file__).resolve().parents[2] / "src"
NODE_EXPORTER = "/usr/bin/prometheus-node-exporter"


def build_goservice(version: str = NEWEST) -> Path:
    """The goservice binary for Go `version` (static, CGO_ENABLED=0), built once per source change."""
    h = hashlib.sha256()
    for name in ("main.go", "go.mod"):
        h.update((SRC / name).read_bytes())
    out = cache_dir() / "probe" / f"goservice-{version}-{h.hexdigest()[:12]}"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    goroot = toolchain(version)
    with open(cache_dir() / ".lock-goservice", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if out.exists():
            return out
        work = Path(tempfile.mkdtemp(prefix="goservice-", dir=out.parent))
        try:
            for name in ("main.go", "go.mod"):
                shutil.copy(SRC / name, work / name)
            env = {"PATH": system_path(goroot / "bin"), "HOME": str(work), "GOCACHE": str(cache_dir() / "gocache"),
                   "GOPATH": str(work / "gopath"), "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOTOOLCHAIN": "local",
                   "CGO_ENABLED": "0"}
            subprocess.run([str(goroot / "bin" / "go"), "build", "-o", str(work / "goservice"), "."], cwd=work,
                           env=env, check=True, capture_output=True, timeout=600)
            os.chmod(work / "goservice", 0o755)
            os.replace(work / "goservice", out)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return out


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not come up")


@dataclass
class Service:
    proc: subprocess.Popen[bytes]
    url: str
    cgroups: list[Path] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def ctl(self, what: str, **params: int) -> None:
        q = "&".join(f"{k}={v}" for k, v in params.items())
        with urllib.request.urlopen(f"{self.url}/ctl/{what}?{q}", timeout=30) as r:
            assert r.status == 200

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for cg in self.cgroups:
            try:
                cg.rmdir()
            except OSError:
                pass


_V2_NAMES = {"memory.limit_in_bytes": "memory.max", "pids.max": "pids.max"}


def make_cgroup(controller: str, settings: dict[str, str]) -> Path:
    """A fresh cgroup with `settings` (v1 file names) written: in the v1 hierarchy of `controller` when
    there is one (this machine), else in the v2 tree with the controller enabled and names translated
    (`memory.limit_in_bytes` -> `memory.max`, cfs quota/period -> `cpu.max`). Skips the test when no
    writable hierarchy exists (an unprivileged container)."""
    import pytest

    v1 = Path("/sys/fs/cgroup") / controller
    if (v1 / "cgroup.procs").exists() and os.access(v1, os.W_OK):
        d = v1 / f"gomedic-test-{os.getpid()}-{time.monotonic_ns()}"
        d.mkdir()
        for k, v in settings.items():
            (d / k).write_text(v)
        return d
    for base in (Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup")):
        if not (base / "cgroup.subtree_control").exists() or not os.access(base, os.W_OK):
            continue
        try:
            (base / "cgroup.subtree_control").write_text(f"+{controller}")
            d = base / f"gomedic-test-{os.getpid()}-{time.monotonic_ns()}"
            d.mkdir()
        except OSError:
            continue
        v2 = dict(settings)
        if "cpu.cfs_quota_us" in v2:
            v2 = {"cpu.max": f"{v2.pop('cpu.cfs_quota_us')} {v2.pop('cpu.cfs_period_us', '100000')}"}
        try:
            for k, v in v2.items():
                (d / _V2_NAMES.get(k, k)).write_text(v)
        except OSError:
            d.rmdir()
            continue
        return d
    pytest.skip(f"no writable cgroup hierarchy for {controller} on this machine")


def _preexec(cgroups: list[Path], rlimits: dict[int, tuple[int, int]]) -> Any:
    import resource

    def run() -> None:
        for cg in cgroups:
            (cg / "cgroup.procs").write_text(str(os.getpid()))
        for res, lim in rlimits.items():
            resource.setrlimit(res, lim)

    return run


def start(argv: list[str], health: str, *, env: dict[str, str] | None = None, cgroups: list[Path] | None = None,
          rlimits: dict[int, tuple[int, int]] | None = None, prefix: list[str] | None = None,
          base_url: str, addr_file: Path | None = None) -> Service:
    cgs = cgroups or []
    proc = subprocess.Popen([*(prefix or []), *argv], env=env or {"PATH": system_path()},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_preexec(cgs, rlimits or {}))
    if addr_file is not None:
        deadline = time.monotonic() + 20
        while not addr_file.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.02)
        base_url = "http://" + addr_file.read_text().strip()
    svc = Service(proc, base_url, cgs)
    try:
        _wait_http(base_url + health, proc)
    except Exception:
        svc.stop()
        raise
    return svc


def start_goservice(tmp: Path, *, env: dict[str, str] | None = None, **kw: Any) -> Service:
    binary = build_goservice()
    addr = tmp / f"addr-{time.monotonic_ns()}"
    return start([str(binary), "-addr-file", str(addr)], "/debug/vars", env={"PATH": system_path(), **(env or {})},
                 base_url="", addr_file=addr, **kw)


def start_node_exporter(**kw: Any) -> Service:
    port = free_port()
    return start([NODE_EXPORTER, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults"],
                 "/metrics", base_url=f"http://127.0.0.1:{port}", **kw)


@dataclass
class ProbeRun:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    @property
    def report(self) -> dict[str, Any]:
        return validate_report(json.loads(self.stdout))

    def result(self, check_id: str) -> dict[str, Any]:
        found = [r for r in self.report["results"] if r["id"] == check_id]
        assert found, f"{check_id} not in report\n{self.stdout}\n{self.stderr}"
        return found[0]

    def status(self, check_id: str) -> str:
        return str(self.result(check_id)["status"])


def gomedic_probe(*args: str, timeout: float = 120) -> ProbeRun:
    """`gomedic probe --format json ARGS` in a subprocess (the report is schema-validated when read)."""
    extra = os.environ.get("PYTHONPATH")
    env = {"PATH": system_path(), "LANG": "C.UTF-8", "HOME": "/nonexistent",
           "PYTHONPATH": str(REPO_SRC) + (os.pathsep + extra if extra else "")}
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "gomedic", "probe", "--format", "json", *args], env=env,
                       capture_output=True, text=True, timeout=timeout)
    return ProbeRun(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)


def start_tracked(started: list[Service], tmp_path: Path, **kw: object) -> Service:
    """start_goservice, remembering the service in `started` (the `started` fixture stops them all)."""
    s = start_goservice(tmp_path, **kw)  # type: ignore[arg-type]
    started.append(s)
    return s
