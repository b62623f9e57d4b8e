"""A real Prometheus server (Debian `prometheus`) on loopback scrapes `gomedic serve` with a bearer token,
and a PromQL query for a failing check returns it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.serve.conftest import start_serve
from tests.support.outputs import free_port

pytestmark = pytest.mark.slow
TOKEN = "prom-scrape-token-0123456789"


def query(port: int, promql: str) -> list[dict]:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=5) as r:
        doc = json.load(r)
    assert doc["status"] == "success", doc
    return list(doc["data"]["result"])


def test_prometheus_scrapes_and_queries_a_failing_check(tmp_path: Path) -> None:
    prom = shutil.which("prometheus")
    assert prom, "prometheus missing: apt-get install prometheus (.ci/apt-packages.txt)"
    (tmp_path / "token").write_text(TOKEN + "\n")
    served = start_serve(tmp_path, f"token_file: {tmp_path / 'token'}\n"
                         "jobs: [{name: toolchain, command: check, args: [--area, toolchain], every: 10s}]\n")
    pport = free_port()
    (tmp_path / "prometheus.yml").write_text(f"""
global: {{scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}}
scrape_configs:
  - job_name: gomedic-exporter
    honor_labels: true
    authorization: {{credentials_file: {tmp_path / 'token'}}}
    static_configs: [{{targets: ["127.0.0.1:{served.port}"]}}]
""")
    plog = open(tmp_path / "prometheus.log", "wb")  # noqa: SIM115 (closed in finally)
    proc = subprocess.Popen([prom, f"--config.file={tmp_path / 'prometheus.yml'}",
                             f"--storage.tsdb.path={tmp_path / 'data'}", f"--web.listen-address=127.0.0.1:{pport}"],
                            stdout=plog, stderr=subprocess.STDOUT)
    try:
        served.wait_ready()
        deadline = time.monotonic() + 90
        found: list[dict] = []
        while time.monotonic() < deadline and not found:
            time.sleep(1)
            try:
                found = query(pport, 'gomedic_check_status{id="toolchain.go-on-path"} >= 2')
            except OSError:
                continue
        assert found, (tmp_path / "prometheus.log").read_text()[-3000:]
        (series,) = found
        assert series["metric"]["job"] == "toolchain"  # honor_labels keeps the serve job name
        assert series["metric"]["severity"] == "critical" and series["value"][1] == "2"
        up = query(pport, f'up{{instance="127.0.0.1:{served.port}"}}')
        assert up and up[0]["value"][1] == "1"
        assert query(pport, "count(gomedic_check_status >= 2)")[0]["value"][1] == "1"
        assert query(pport, 'gomedic_health_score{job="toolchain"} < 100')
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)
        plog.close()
        served.stop()
