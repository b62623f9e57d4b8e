"""A real `gomedic serve` process: endpoints, status codes, token, and no endpoint that runs anything."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.serve.conftest import NO_GO_PATH, SRC, Served, start_serve
from tests.support.goenv import GoEnv
from tests.support.outputs import free_port, promtool_check, validate_report


def test_endpoints_from_cache(failing_serve: Served) -> None:
    s = failing_serve
    code, body, headers = s.get("/metrics")
    assert code == 200 and headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = body.decode()
    assert promtool_check(text).returncode == 0
    status = {smp.labels["id"]: smp.value for fam in text_string_to_metric_families(text)
              if fam.name == "gomedic_check_status" for smp in fam.samples}
    assert status["toolchain.go-on-path"] == 2
    assert 'gomedic_job_runs_total{job="toolchain",outcome="success"} 1' in text

    code, body, _ = s.get("/healthz")
    assert code == 503 and body == b"unhealthy\ntoolchain: exit 1: toolchain.go-on-path\n"

    code, body, headers = s.get("/report.json")
    doc = validate_report(json.loads(body))
    assert code == 200 and headers["content-type"] == "application/json"
    assert doc["command"] == "serve" and doc["context"]["jobs"]["toolchain"]["exit_code"] == 1

    assert s.get("/nope")[0] == 404
    assert s.get("/metrics", method="POST")[0] == 405
    code, body, _ = s.get("/metrics", method="HEAD")
    assert code == 200 and body == b""


def test_requests_choose_nothing(failing_serve: Served) -> None:
    """Query strings and headers do not change what runs or what is served; scrapes never start a run."""
    s = failing_serve
    before = s.get("/report.json")[1]
    for path in ("/metrics?job=x&command=rm", "/healthz?area=host", "/report.json?args=--deep"):
        assert s.get(path)[0] in (200, 503)
    for _ in range(20):
        s.get("/metrics")
    after = json.loads(s.get("/report.json")[1])
    assert (
        after["context"]["jobs"]["toolchain"]["runs"]["success"]
        == json.loads(before)["context"]["jobs"]["toolchain"]["runs"]["success"]
    )


def test_bearer_token(tmp_path: Path) -> None:
    tok = tmp_path / "token"
    tok.write_text("s3cret-token-0123456789\n")
    s = start_serve(
        tmp_path, f"token_file: {tok}\njobs: [{{name: tc, command: check, args: [--area, toolchain], every: 10s}}]\n"
    )
    try:
        s.wait_ready()
        code, _, headers = s.get("/metrics")
        assert code == 401 and headers["www-authenticate"] == 'Bearer realm="gomedic"'
        assert s.get("/report.json", {"Authorization": "Bearer wrong-token-0123456789"})[0] == 401
        assert s.get("/metrics", {"Authorization": "Bearer s3cret-token-0123456789"})[0] == 200
        assert s.get("/report.json", {"Authorization": "Bearer s3cret-token-0123456789"})[0] == 200
        assert s.get("/healthz")[0] == 503 and s.get("/-/ready")[0] == 200  # probes need no token
        # Without the token a probe says healthy or not, nothing more; with it, which checks fail.
        assert s.get("/healthz")[:2] == (503, b"unhealthy\n")
        assert s.get("/healthz", {"Authorization": "Bearer wrong-token-0123456789"})[:2] == (503, b"unhealthy\n")
        assert s.get("/healthz", {"Authorization": "Bearer s3cret-token-0123456789"})[:2] == \
            (503, b"unhealthy\ntc: exit 1: toolchain.go-on-path\n")
        assert s.get("/-/ready")[:2] == (200, b"ready\n") and s.get("/-/healthy")[:2] == (200, b"healthy\n")
    finally:
        s.stop()


def test_without_a_token_probes_give_details(failing_serve: Served) -> None:
    """No token configured: /metrics is public anyway, so the probes name the failing checks too."""
    assert failing_serve.get("/healthz")[:2] == (503, b"unhealthy\ntoolchain: exit 1: toolchain.go-on-path\n")


def test_failing_subjects_only_behind_the_token() -> None:
    """A failing result whose subject is a path: the id and path reach /healthz only with the token."""
    from gomedic.model import Severity, Status
    from gomedic.serve.app import App
    from gomedic.serve.config import JobSpec, ServeConfig
    from gomedic.serve.state import Cache, Outcome
    from tests.support.outputs import report, result

    for token in ("s3cret-token-0123456789", None):
        cache = Cache(ServeConfig((JobSpec("bin", "binary", ("/srv",)),), token=token))
        failing = result("binary.go-version", Status.FAIL, severity=Severity.HIGH, subject="/srv/secret/app")
        cache.put(cache.get("bin").after(Outcome.SUCCESS, 10.0, report(failing, command="binary"), 1))
        app = App(cache, start_jobs=False)
        detail = b"unhealthy\nbin: exit 1: binary.go-version[/srv/secret/app]\n"
        for auth in (None, b"Bearer wrong", b"Bearer s3cret-token-0123456789"):
            answer = app.respond(b"GET", b"/healthz", auth)
            authorized = token is None or auth == b"Bearer s3cret-token-0123456789"
            assert (answer.status, answer.body) == (503, detail if authorized else b"unhealthy\n")
            ready = app.respond(b"GET", b"/-/ready", auth)
            assert (ready.status, ready.body) == (200, b"ready\n")


def test_healthy_job_gives_200(goenv: GoEnv, tmp_path: Path) -> None:
    s = start_serve(tmp_path, "jobs: [{name: tc, command: check, args: [--area, toolchain], every: 10s}]\n", goenv.env)
    try:
        s.wait_ready()
        code, body, _ = s.get("/healthz")
        assert (code, body) == (200, b"ok: 1 jobs\n"), s.get("/report.json")[1][:2000]
    finally:
        s.stop()


def test_job_failures_are_counted_not_fatal(tmp_path: Path) -> None:
    """A job whose command fails to produce a report (a usage error here) counts as an error run."""
    s = start_serve(tmp_path, "jobs: [{name: bad, command: check, args: [--area, nosuch], every: 10s}]\n")
    try:
        s.wait_ready()
        code, body, _ = s.get("/healthz")
        assert code == 503 and b"bad: no report yet (exit 2: gomedic: error: --area nosuch" in body
        assert 'gomedic_job_runs_total{job="bad",outcome="error"} 1' in s.get("/metrics")[1].decode()
        assert "job bad: exit 2" in s.log.read_text()
    finally:
        s.stop()


def test_sigterm_stops_promptly(tmp_path: Path) -> None:
    s = start_serve(tmp_path, "jobs: [{name: tc, command: check, args: [--area, toolchain], every: 10s}]\n")
    s.wait_ready()
    s.stop()  # SIGTERM, and SIGKILL only after 15 s (which would show as -9)
    # uvicorn shuts down gracefully, then re-raises the captured SIGTERM: the exit status says "terminated"
    assert s.proc.returncode == -15
    assert "Traceback" not in s.log.read_text()


def test_default_config_runs_host_checks_at_once(tmp_path: Path) -> None:
    """No --config and no go on PATH: the default is the host job only, run at start."""
    env = {"PATH": NO_GO_PATH, "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": SRC}
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "gomedic", "serve", "--listen", f"127.0.0.1:{port}"],
                                stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    s = Served(proc, port, log)
    try:
        s.wait_ready()
        doc = validate_report(json.loads(s.get("/report.json")[1]))
        assert list(doc["context"]["jobs"]) == ["host"]
        assert any(r["id"].startswith("host.") for r in doc["results"])
        assert 'gomedic_job_runs_total{job="host",outcome="success"} 1' in s.get("/metrics")[1].decode()
    finally:
        s.stop()
    assert "job host: gomedic host every 300s" in log.read_text()


def test_default_config_adds_toolchain_jobs_when_go_is_on_path(goenv: GoEnv) -> None:
    run = goenv.gomedic("serve", "--check-config")
    assert run.returncode == 0, run.stderr
    assert [ln.split(":")[0] for ln in run.stdout.splitlines() if ln.startswith("job ")] == \
        ["job host", "job toolchain", "job toolchain-deep"]
    assert "job toolchain-deep: gomedic check --deep every 86400s timeout 600s" in run.stdout
