"""A real Prometheus scrapes 8 real `gomedic serve` exporters on 127.0.0.2-9 and alerts through the
production rules (with test timings: `for: 2s`, 1s scrapes and evaluation).

Each exporter runs the toolchain checks in an environment of its own (HOME, PATH with a real Go). One
exporter has no go on PATH: `toolchain.go-on-path` (critical) fails there, and only there, and the page
alert must go pending/firing for that instance alone. Then a healthy exporter is stopped, and the
stopped-reporting alerts must go pending/firing for it. While the page alert fires, the broken exporter's
liveness endpoint (/-/healthy, the DaemonSet's liveness probe) stays 200.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from tests.support.fleet import (
    DEPLOY,
    fast_rules,
    free_port,
    gomedic_env,
    http_get,
    processes,
    prom_api,
    prometheus_config,
    start_prometheus,
    wait_until,
)
from tests.support.goenv import SYSTEM_DIRS, make_env

pytestmark = pytest.mark.slow

HOSTS = [f"127.0.0.{i}" for i in range(2, 10)]
BROKEN = "127.0.0.5"  # the exporter whose environment has no go


def _alerts(url: str, name: str) -> dict[str, str]:
    """instance -> state for the alerts called `name`."""
    return {a["labels"]["instance"]: a["state"] for a in prom_api(url, "/api/v1/alerts")["alerts"]
            if a["labels"]["alertname"] == name}


def _dashboard_queries() -> list[str]:
    dash = json.loads((DEPLOY / "grafana" / "gomedic-fleet.json").read_text())
    return [t["expr"].replace("$instance", ".*") for p in dash["panels"] for t in p.get("targets", [])]


def test_alert_fires_for_the_injected_failure_only(tmp_path: Path) -> None:
    port = free_port(HOSTS)
    targets = [f"{h}:{port}" for h in HOSTS]
    with processes() as start:
        serves = {}
        for h in HOSTS:
            env = make_env(tmp_path / h)
            if h == BROKEN:
                env.env["PATH"] = os.pathsep.join(SYSTEM_DIRS)  # no go anywhere on PATH
            cfg = tmp_path / h / "serve.yaml"
            cfg.write_text("jobs:\n  - name: toolchain\n    command: check\n"
                           "    args: [--area, toolchain]\n    every: 10s\n    timeout: 10s\n")
            serves[h] = start(f"serve-{h}", [sys.executable, "-m", "gomedic", "serve", "--listen", f"{h}:{port}",
                                 "--config", str(cfg)], env=gomedic_env(env.env), log_dir=tmp_path / h)
        for h in HOSTS:
            wait_until(lambda h=h: http_get(f"http://{h}:{port}/-/ready")[0] == 200, 60, f"serve on {h} ready")

        rules = fast_rules(tmp_path / "rules.yml")
        url = start_prometheus(start, tmp_path, prometheus_config(tmp_path / "prometheus.yml", targets, rules))

        def all_up() -> bool:
            active = prom_api(url, "/api/v1/targets")["activeTargets"]
            return len(active) == len(HOSTS) and all(t["health"] == "up" for t in active)

        wait_until(all_up, 30, "every exporter to be scraped")

        broken = f"{BROKEN}:{port}"
        states = wait_until(lambda: _alerts(url, "GomedicCriticalCheckFailing"), 30, "the critical alert")
        assert set(states) == {broken}, states
        assert states[broken] in ("pending", "firing")
        alert = next(a for a in prom_api(url, "/api/v1/alerts")["alerts"]
                     if a["labels"]["alertname"] == "GomedicCriticalCheckFailing")
        assert alert["labels"]["id"] == "toolchain.go-on-path"
        assert alert["labels"]["severity"] == "page"
        assert wait_until(lambda: _alerts(url, "GomedicCriticalCheckFailing").get(broken) == "firing", 30,
                          "the critical alert to fire")
        # While the alert fires, that node's exporter stays alive for its liveness probe (a kubelet would not
        # restart it), and its /healthz (the node's verdict, for load balancers) says unhealthy.
        assert http_get(f"http://{broken}/-/healthy") == (200, b"healthy\n")
        assert http_get(f"http://{broken}/healthz")[0] == 503
        assert _alerts(url, "GomedicHighCheckFailing") == {}

        # The failing series is the injected one and no other.
        failing = prom_api(url, "/api/v1/query?query=gomedic_check_status%3E%3D2")["result"]
        assert {(s["metric"]["instance"], s["metric"]["id"]) for s in failing} == {(broken, "toolchain.go-on-path")}

        # Every dashboard query is valid PromQL against real data, and the key panels have values.
        for expr in _dashboard_queries():
            data: Any = prom_api(url, "/api/v1/query?query=" + quote(expr))
            assert data["resultType"] in ("vector", "scalar"), expr
        hosts = prom_api(url, "/api/v1/query?query=gomedic%3Ahosts_reporting%3Acount")["result"]
        assert hosts and float(hosts[0]["value"][1]) == len(HOSTS)

        # A host stops reporting: its exporter is stopped.
        gone = f"{HOSTS[0]}:{port}"
        serves[HOSTS[0]].stop()
        for name in ("GomedicExporterDown", "GomedicHostStoppedReporting"):
            st = wait_until(lambda name=name: _alerts(url, name).get(gone), 30, f"{name} for {gone}")
            assert st in ("pending", "firing"), (name, st)
            assert set(_alerts(url, name)) == {gone}

