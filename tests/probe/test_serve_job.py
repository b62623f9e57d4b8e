"""A `probe` job in `gomedic serve`: the serve config accepts it and the scheduler's job runner gets a
runtime report from a live Go service."""

from __future__ import annotations

from gomedic.commands import COMMANDS
from gomedic.serve.config import from_mapping
from gomedic.serve.scheduler import run_job
from gomedic.serve.state import Outcome
from tests.support.goservice import Service


def test_probe_job(goservice: Service) -> None:
    cfg = from_mapping({"jobs": [{"name": "api", "command": "probe", "every": "30s", "timeout": "20s",
                                  "args": [goservice.url, "--pid", str(goservice.pid), "--window", "1s"]}]},
                       list(COMMANDS), "serve.yaml")
    outcome, produced, error = run_job(cfg.jobs[0])
    assert outcome is Outcome.SUCCESS, error
    assert produced is not None
    report, code = produced
    assert code == 0
    statuses = {r.id: r.status.value for r in report.results}
    assert statuses["runtime.reachable"] == "ok"
    assert statuses["runtime.goroutines"] == "ok"
    assert report.command == "probe"
