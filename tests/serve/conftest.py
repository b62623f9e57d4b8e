"""Start a real `gomedic serve` process on a free loopback port, and stop it (by its pid) afterwards."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.outputs import free_port
from tests.support.systools import system_path

SRC = str(Path(__file__).resolve().parents[2] / "src")
NO_GO_PATH = system_path()  # no go here: toolchain.go-on-path fails for real


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    def get(
        self, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
    ) -> tuple[int, bytes, dict[str, str]]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, headers=dict(headers or {}))
            r = conn.getresponse()
            return r.status, r.read(), {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"gomedic serve exited {self.proc.returncode}:\n{self.log.read_text()}")
            try:
                if self.get("/-/ready")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gomedic serve not ready after {timeout}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)


def start_serve(tmp_path: Path, config: str, env: Mapping[str, str] | None = None, *extra: str) -> Served:
    cfg = tmp_path / "serve.yaml"
    cfg.write_text(config)
    port = free_port()
    log = tmp_path / "serve.log"
    e = dict(env if env is not None else {"PATH": NO_GO_PATH, "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    e["PYTHONPATH"] = SRC
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "gomedic", "serve", "--config", str(cfg),
                                 "--listen", f"127.0.0.1:{port}", *extra],
                                stdout=fh, stderr=subprocess.STDOUT, env=e, cwd=tmp_path)
    return Served(proc, port, log)


FAILING_JOB = "jobs: [{name: toolchain, command: check, args: [--area, toolchain], every: 10s}]\n"


@pytest.fixture
def failing_serve(tmp_path: Path) -> Iterator[Served]:
    s = start_serve(tmp_path, FAILING_JOB)
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()
