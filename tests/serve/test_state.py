"""The result cache and the exporter's time-weighted score: failing-since tracking, health, readiness."""

from __future__ import annotations

import itertools
import json

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gomedic.errors import ConfigError
from gomedic.model import Severity, Status
from gomedic.render import RenderOptions, render
from gomedic.score import ScoreWeights, category_scores, weighted_score
from gomedic.serve.config import JobSpec, ServeConfig
from gomedic.serve.metrics import exposition_for
from gomedic.serve.state import Cache, Outcome
from tests.support.outputs import promtool_check, report, result, validate_report

FAILING = result("toolchain.gotoolchain", Status.FAIL, severity=Severity.HIGH)
FINE = result("toolchain.go-on-path", Status.OK, severity=Severity.HIGH)


def cache() -> Cache:
    return Cache(ServeConfig((JobSpec("a", "check"), JobSpec("b", "host"))))


def test_weighted_score_falls_logarithmically_with_failing_time() -> None:
    rs = [FAILING, FINE]
    key = ("toolchain.gotoolchain", "")
    scores = [weighted_score(rs, {key: t}) for t in (0, 300, 3000, 30000, 300000)]
    assert scores[0] == 50  # no history: the one-shot score
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    drops = [a - b for a, b in itertools.pairwise(scores)]
    assert drops[-1] < drops[0]  # logarithmic: each tenfold longer costs less
    w = ScoreWeights(tau_s=300, max_factor=2)
    assert weighted_score(rs, {key: 10**9}, w) == round(100 * (1 - 2 / 3))  # capped at max_factor
    with pytest.raises(ConfigError):
        ScoreWeights(tau_s=0)


def test_skips_shadow_and_info_are_excluded() -> None:
    rs = [FINE, result("modules.proxy", Status.SKIP), result("custom.x", Status.FAIL, shadow=True),
          result("host.platform", Status.FAIL, severity=Severity.INFO)]
    assert weighted_score(rs, {("custom.x", ""): 1e6}) == 100
    assert category_scores([result("modules.proxy", Status.SKIP)]) == {}


def test_failing_since_survives_reruns_and_resets_on_recovery() -> None:
    c = cache()
    s = c.get("a").after(Outcome.SUCCESS, 1000.0, report(FAILING, FINE), 1)
    s = s.after(Outcome.SUCCESS, 1300.0, report(FAILING, FINE), 1)
    assert s.failing_seconds(1400.0) == {("toolchain.gotoolchain", ""): 400.0}
    s = s.after(Outcome.ERROR, 1600.0, error="boom")  # a failed run keeps the last report and history
    assert s.report is not None and s.failing_since == {("toolchain.gotoolchain", ""): 1000.0}
    assert s.last_error == "boom" and s.runs[Outcome.ERROR] == 1 and s.runs[Outcome.SUCCESS] == 2
    s = s.after(Outcome.SUCCESS, 1900.0, report(FINE), 0)
    assert s.failing_since == {} and s.last_success == 1900.0


def test_ready_and_health() -> None:
    c = cache()
    assert c.ready()[0] == 503
    assert c.health() == (200, b"ok: 2 jobs (2 waiting for the first run: a, b)\n")  # no report yet: not unhealthy
    c.put(c.get("a").after(Outcome.SUCCESS, 10.0, report(FINE), 0))
    assert c.ready() == (503, b"starting: waiting for the first run of b\n")
    c.put(c.get("b").after(Outcome.TIMEOUT, 10.0, error="timed out after 5s"))
    code, body = c.health()
    assert c.ready()[0] == 200 and code == 503 and b"b: no report yet (timed out after 5s)" in body
    c.put(c.get("b").after(Outcome.SUCCESS, 20.0, report(FINE, command="host"), 0))
    assert c.health() == (200, b"ok: 2 jobs\n")
    c.put(c.get("a").after(Outcome.SUCCESS, 30.0, report(FAILING, FINE), 1))
    assert c.health() == (503, b"unhealthy\na: exit 1: toolchain.gotoolchain\n")


def test_metrics_of_the_cache() -> None:
    c = cache()
    c.put(c.get("a").after(Outcome.SUCCESS, 1000.0, report(FAILING, FINE), 1))
    c.put(c.get("b").after(Outcome.ERROR, 1000.0, error="crashed"))
    text = exposition_for(c.jobs(), 1000.0 + 3000, c.config.weights)
    assert promtool_check(text).returncode == 0
    s = {}
    for fam in text_string_to_metric_families(text):
        for smp in fam.samples:
            s.setdefault(smp.name, []).append((smp.labels, smp.value))
    assert s["gomedic_check_failing_seconds"] == [({"id": "toolchain.gotoolchain", "subject": "", "job": "a"}, 3000.0)]
    assert ({"job": "a"}, float(weighted_score([FAILING, FINE], {("toolchain.gotoolchain", ""): 3000}))) \
        in s["gomedic_health_score"]
    assert s["gomedic_health_score"][0][1] < 50
    runs = {(lb["job"], lb["outcome"]): v for lb, v in s["gomedic_job_runs_total"]}
    assert runs == {("a", "success"): 1, ("a", "error"): 0, ("a", "timeout"): 0,
                    ("b", "success"): 0, ("b", "error"): 1, ("b", "timeout"): 0}
    assert s["gomedic_job_last_success_timestamp_seconds"] == [({"job": "a"}, 1000.0)]
    assert {lb["job"] for lb, _ in s["gomedic_check_status"]} == {"a"}
    assert c.metrics(5.0) is c.metrics(5.9)  # memoised within a second and a state version


def test_report_json_merges_jobs_and_validates() -> None:
    c = cache()
    c.put(c.get("a").after(Outcome.SUCCESS, 1000.0, report(FAILING, FINE), 1))
    c.put(c.get("b").after(Outcome.SUCCESS, 1000.0, report(result("host.nofile", Status.WARN), command="host"), 0))
    doc = validate_report(json.loads(c.report_json()))
    assert doc["command"] == "serve" and [r["id"] for r in doc["results"]] == \
        ["toolchain.gotoolchain", "toolchain.go-on-path", "host.nofile"]
    assert doc["context"]["jobs"]["b"]["command"] == "host" and doc["exit_code"] == 1
    assert json.loads(render(report(), "json", RenderOptions()))["schema"] == doc["schema"]
