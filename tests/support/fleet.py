"""Real fleets for the fleet tests: `gomedic serve` instances on loopback aliases, a real Prometheus (the
Debian package), a real sshd on loopback, and the paths of the deploy/ files.

Loopback aliases (127.0.0.2, 127.0.0.3, ...) need no setup on Linux. Ports are picked free on every
address that uses them, so tests of other engineers on the same machine do not collide.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from tests.support.cli import free_port
from tests.support.systools import system_path

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src"
DEPLOY = REPO / "deploy"
RULES = DEPLOY / "prometheus" / "gomedic-rules.yml"
COLLECTIONS = DEPLOY / "ansible"
COLLECTION = COLLECTIONS / "ansible_collections" / "gomedic" / "gomedic"
FLEET_SCHEMA = json.loads((SRC / "gomedic/render/schemas/fleet-summary-v1.json").read_text())


def validate_summary(doc: dict[str, Any]) -> dict[str, Any]:
    jsonschema.validate(doc, FLEET_SCHEMA)
    return doc


def wait_until(pred: Callable[[], Any], timeout: float, what: str, step: float = 0.25) -> Any:
    """Poll `pred` until it returns something truthy; fail with `what` (and the last value) on timeout."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = pred()
        except (OSError, ValueError) as e:
            last = e
        else:
            if last:
                return last
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def http_get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def gomedic_env(base: Mapping[str, str]) -> dict[str, str]:
    """`base` plus what running this checkout's gomedic with sys.executable needs."""
    return {**base, "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextlib.contextmanager
def processes() -> Iterator[Callable[..., Proc]]:
    """Start processes (each in its own session, output to a log file); all are stopped on exit."""
    started: list[Proc] = []

    def start(name: str, argv: Sequence[str], *, env: Mapping[str, str], log_dir: Path) -> Proc:
        log = log_dir / f"{name}.log"
        with open(log, "wb") as fh:
            p = subprocess.Popen(list(argv), env=dict(env), stdout=fh, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True)
        proc = Proc(name, p, log)
        started.append(proc)
        return proc

    try:
        yield start
    finally:
        for p in reversed(started):
            p.stop()


def fast_rules(dest: Path, *, for_s: str = "2s", window: str = "1m") -> Path:
    """The production rules with test timings: every `for:` shortened and the 6h lookback shortened, so an
    alert goes pending within seconds against 1s scrapes. The expressions are the production ones."""
    doc = yaml.safe_load(RULES.read_text())
    for group in doc["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = for_s
            rule["expr"] = rule["expr"].replace("[6h]", f"[{window}]")
    dest.write_text(yaml.safe_dump(doc, sort_keys=False))
    return dest


def prometheus_config(dest: Path, targets: Sequence[str], rules: Path, job: str = "gomedic") -> Path:
    cfg = {
        "global": {"scrape_interval": "1s", "scrape_timeout": "900ms", "evaluation_interval": "1s"},
        "rule_files": [str(rules)],
        "scrape_configs": [{"job_name": job, "static_configs": [{"targets": list(targets)}]}],
    }
    dest.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return dest


def start_prometheus(start: Callable[..., Proc], workdir: Path, config: Path) -> str:
    """Start the Debian prometheus on 127.0.0.1; return its base URL once it is ready."""
    prom = shutil.which("prometheus")
    assert prom, "the Debian package `prometheus` is needed (see .ci/apt-packages.txt)"
    port = free_port(["127.0.0.1"])
    (workdir / "tsdb").mkdir(exist_ok=True)
    proc = start("prometheus", [prom, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'tsdb'}",
                                f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn",
                                f"--web.console.templates={workdir}", f"--web.console.libraries={workdir}"],
                 env={"PATH": system_path(), "HOME": str(workdir)}, log_dir=workdir)
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        assert proc.popen.poll() is None, f"prometheus exited:\n{proc.output()}"
        return http_get(url + "/-/ready")[0] == 200

    wait_until(ready, 60, "prometheus to be ready")
    return url


def prom_api(url: str, path: str) -> Any:
    status, body = http_get(url + path)
    doc = json.loads(body)
    assert status == 200 and doc.get("status") == "success", f"{path}: {status} {body[:500]!r}"
    return doc["data"]


def python() -> str:
    return sys.executable
