"""`gomedic fleet summarize` over real reports from real gomedic runs in real Go environments."""

from __future__ import annotations

import copy
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gomedic.fleet.reports import parse_report
from gomedic.fleet.summary import summarize
from gomedic.model import FailOn
from tests.support.cli import gomedic_peak_rss, run_gomedic, validate_report
from tests.support.fleet import validate_summary
from tests.support.goenv import SYSTEM_DIRS, make_env
from tests.support.systools import system_path
from tests.support.toolchains import toolchain


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_gomedic(*args, env={"PATH": system_path(), "LANG": "C.UTF-8"}, cwd=cwd)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """web-1 healthy, web-2 without go, web-3 with GOROOT of another release, web-4 warns (GOOS=windows)."""
    root = tmp_path_factory.mktemp("fleet")
    out = root / "reports"
    out.mkdir()
    inject = {"web-2": {"PATH": os.pathsep.join(SYSTEM_DIRS)}, "web-3": {"GOROOT": str(toolchain("1.25.5"))},
              "web-4": {"GOOS": "windows"}}
    for name in ("web-1", "web-2", "web-3", "web-4"):
        env = make_env(root / name)
        env.env.update(inject.get(name, {}))
        run = env.check("--area", "toolchain")
        assert run.returncode in (0, 1), run.stderr
        validate_report(json.loads(run.stdout))
        (out / f"{name}.json").write_text(run.stdout)
    return out


def test_json_names_failing_hosts_by_check_and_by_host(reports: Path) -> None:
    p = _run("fleet", "summarize", "--format", "json", str(reports), cwd=reports)
    assert p.returncode == 1, p.stderr
    doc = validate_summary(json.loads(p.stdout))
    assert doc["fleet"]["hosts"] == 4 and doc["fleet"]["hosts_failing"] == 2 and doc["fleet"]["hosts_warning"] == 1
    checks = {c["id"]: c for c in doc["checks"]}
    assert [o["host"] for o in checks["toolchain.go-on-path"]["failing"]] == ["web-2"]
    assert checks["toolchain.go-on-path"]["hosts"]["fail"] == 1 and checks["toolchain.go-on-path"]["hosts"]["ok"] == 3
    assert [o["host"] for o in checks["toolchain.goroot-matches"]["failing"]] == ["web-3"]
    assert "go1.25.5" in checks["toolchain.goroot-matches"]["failing"][0]["summary"]
    assert [o["host"] for o in checks["toolchain.host-target"]["warning"]] == ["web-4"]
    # The two failing checks come first; most hosts failing, then severity.
    assert {c["id"] for c in doc["checks"][:2]} == {"toolchain.go-on-path", "toolchain.goroot-matches"}
    hosts = {h["name"]: h for h in doc["hosts"]}
    assert [r["id"] for r in hosts["web-2"]["failing"]] == ["toolchain.go-on-path"]
    assert hosts["web-1"]["failing"] == [] and hosts["web-1"]["score"] == 100
    assert hosts["web-2"]["score"] < hosts["web-1"]["score"]
    assert doc["hosts"][0]["name"] in ("web-2", "web-3")  # worst score first
    assert doc["fleet"]["score_min"] == min(h["score"] for h in doc["hosts"])


def test_text_and_markdown_say_the_same(reports: Path, tmp_path: Path) -> None:
    text = _run("fleet", "summarize", str(reports), cwd=reports)
    assert text.returncode == 1
    assert "toolchain.go-on-path  critical" in text.stdout
    assert "failing on 1/4 hosts: web-2" in text.stdout
    assert "warning on 1/4 hosts: web-4" in text.stdout
    out = tmp_path / "fleet.md"
    md = _run("fleet", "summarize", "--format", "markdown", "-o", str(out), *sorted(map(str, reports.glob("*.json"))),
              cwd=reports)
    assert md.returncode == 1 and md.stdout == ""
    body = out.read_text()
    assert "| `toolchain.go-on-path` | critical | 1/4 | web-2 | 0 |" in body
    assert "| web-1 | 100 | - | 0 |" in body


def test_fail_on_thresholds(reports: Path) -> None:
    healthy = [str(reports / "web-1.json"), str(reports / "web-4.json")]
    assert _run("fleet", "summarize", *healthy, cwd=reports).returncode == 0
    assert _run("fleet", "summarize", "--fail-on", "warn", *healthy, cwd=reports).returncode == 1
    assert _run("fleet", "summarize", "--fail-on", "never", str(reports), cwd=reports).returncode == 0


def test_unreadable_reports_are_listed_and_fail(reports: Path, tmp_path: Path) -> None:
    bad = tmp_path / "db-1.json"
    bad.write_text((reports / "web-1.json").read_text()[:200])  # truncated in transit
    missing = tmp_path / "db-2.json"
    p = _run("fleet", "summarize", "--format", "json", str(reports / "web-1.json"), str(bad), str(missing),
             cwd=tmp_path)
    assert p.returncode == 1
    doc = validate_summary(json.loads(p.stdout))
    assert {u["source"] for u in doc["unreadable"]} == {str(bad), str(missing)}
    assert "not JSON" in next(u["reason"] for u in doc["unreadable"] if u["source"] == str(bad))
    assert f"{bad}: not JSON" in p.stderr
    only_bad = _run("fleet", "summarize", "--format", "json", str(bad), cwd=tmp_path)
    assert only_bad.returncode == 3  # nothing could be read: the summary must not say all is well
    validate_summary(json.loads(only_bad.stdout))


def test_output_inside_the_input_directory_is_not_a_host(reports: Path, tmp_path: Path) -> None:
    d = tmp_path / "r"
    d.mkdir()
    (d / "web-1.json").write_text((reports / "web-1.json").read_text())
    for _ in range(2):
        p = _run("fleet", "summarize", "--format", "json", "-o", str(d / "combined.json"), str(d), cwd=tmp_path)
        assert p.returncode == 0, p.stderr
        doc = validate_summary(json.loads((d / "combined.json").read_text()))
        assert [h["name"] for h in doc["hosts"]] == ["web-1"] and doc["unreadable"] == []


def test_usage_errors(tmp_path: Path) -> None:
    assert _run("fleet", "summarize", str(tmp_path), cwd=tmp_path).returncode == 2  # an empty directory
    assert _run("fleet", cwd=tmp_path).returncode == 2


def _doc(reports: Path, name: str) -> dict[str, Any]:
    d: dict[str, Any] = json.loads((reports / f"{name}.json").read_text())
    return d


def test_shadow_results_are_shown_but_never_count(reports: Path) -> None:
    doc = _doc(reports, "web-2")
    for r in doc["results"]:
        r["shadow"] = r["id"] == "toolchain.go-on-path"
    validate_report(doc)
    h = parse_report(json.dumps(doc), name="canary", source="canary.json")
    s = summarize([h], generated_at="2026-11-21T00:00:00Z")
    assert s.exit_code == 0 and s.hosts_failing == 0
    assert [r.id for r in s.hosts[0].shadow_failing] == ["toolchain.go-on-path"]
    check = next(c for c in s.checks if c.id == "toolchain.go-on-path")
    assert check.shadow and check.hosts_failing == 1


def test_subjects_and_name_collisions(reports: Path, tmp_path: Path) -> None:
    doc = _doc(reports, "web-2")
    extra = copy.deepcopy(next(r for r in doc["results"] if r["id"] == "toolchain.go-on-path"))
    extra["subject"] = "/usr/local/bin/app"
    doc["results"].append(extra)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "web.json").write_text(json.dumps(doc))
    (tmp_path / "b" / "web.json").write_text((reports / "web-1.json").read_text())
    p = _run("fleet", "summarize", "--format", "json", str(tmp_path / "a"), str(tmp_path / "b"), cwd=tmp_path)
    out = validate_summary(json.loads(p.stdout))
    assert sorted(h["name"] for h in out["hosts"]) == [
        str(tmp_path / "a" / "web.json"),
        str(tmp_path / "b" / "web.json"),
    ]
    check = next(c for c in out["checks"] if c["id"] == "toolchain.go-on-path")
    assert check["hosts_failing"] == 1 and len(check["failing"]) == 2
    assert check["hosts"]["total"] == 2


def test_secrets_in_host_reports_are_redacted(reports: Path) -> None:
    doc = _doc(reports, "web-2")
    doc["results"][0]["summary"] = "GOPROXY=https://bob:hunter2hunter2@proxy.corp/ is down"
    h = parse_report(json.dumps(doc), name="web-2", source="x")
    s = summarize([h], generated_at="2026-11-21T00:00:00Z", fail_on=FailOn.FAIL)
    from gomedic.fleet.render import render

    for fmt in ("text", "json", "markdown"):
        assert "hunter2hunter2" not in render(s, fmt), fmt


def test_summarize_streams_reports_one_at_a_time(tmp_path: Path) -> None:
    """300 hosts of 10,000 results each (3 million results, about 500 MB as objects) are folded one report
    at a time: the summarizer's peak memory stays far below what holding them all would take."""
    results = [{"id": f"toolchain.c{i % 50}", "area": "toolchain", "category": "toolchain", "status": "ok",
                "severity": "low", "title": "t", "summary": f"looked at /srv/{i}", "subject": f"/srv/{i}",
                "evidence": {"path": f"/srv/{i}"}, "fix": None, "duration_s": 0.0} for i in range(10_000)]
    results[7]["status"] = "fail"
    doc = {"schema": "gomedic/report/v1", "tool": {"name": "gomedic", "version": "0.1.0"}, "command": "check",
           "started_at": "2026-12-04T00:00:00Z", "duration_s": 0.1, "context": {"host": {"os": "linux"}},
           "summary": {"ok": 9_999, "warn": 0, "fail": 1, "skip": 0, "error": 0, "score": 97}, "exit_code": 1,
           "results": results}
    one = tmp_path / "one.json"
    one.write_text(json.dumps(doc))
    d = tmp_path / "fleet"
    d.mkdir()
    for n in range(300):  # hard links: 300 hosts on disk for the price of one file
        os.link(one, d / f"web-{n:03d}.json")
    code, peak = gomedic_peak_rss(
        "fleet",
        "summarize",
        str(d),
        "--format",
        "json",
        "-o",
        str(tmp_path / "summary.json"),
        env={"PATH": system_path(), "LANG": "C.UTF-8"},
        cwd=tmp_path,
    )
    assert code == 1
    summary = validate_summary(json.loads((tmp_path / "summary.json").read_text()))
    assert len(summary["hosts"]) == 300
    assert [c["id"] for c in summary["checks"] if c["hosts_failing"]] == ["toolchain.c7"]
    assert 0 < peak < 200 * 1024, f"peak RSS {peak} KiB: reports are not streamed"
