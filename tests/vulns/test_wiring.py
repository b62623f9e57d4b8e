"""binary.vulns through the YAML `binary` kind (vulns, ignore) and `gate --binary --vulns`."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from tests.vulns.conftest import Gomedic, ids
from tests.vulns.programs import text_app


def _yaml(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "checks.yaml"
    f.write_text(body)
    return f


def _by_subject(run: Any, check_id: str) -> list[dict[str, Any]]:
    return [r for r in run.report["results"] if r["id"] == check_id]


def test_yaml_vulns_and_ignores(gomedic: Gomedic, mirror: Path, tmp_path: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    future = (datetime.date.today() + datetime.timedelta(days=365)).isoformat()
    body = f"""checks:
  - name: plain
    kind: binary
    path: {exe}
    vulns: true
    vulndb: file://{mirror}
  - name: accepted
    kind: binary
    path: {exe}
    vulns: true
    vulndb: file://{mirror}
    ignore: [{{id: CVE-2021-38561, until: {future}, reason: "we never parse untrusted tags"}}]
  - name: expired
    kind: binary
    path: {exe}
    vulns: true
    vulndb: file://{mirror}
    ignore: [{{id: GO-2022-1059, until: 2025-01-31, reason: "accepted last year"}}]
"""
    run = gomedic("run", _yaml(tmp_path, body), "--format", "json")
    plain = [r for r in _by_subject(run, "custom.plain") if "vulns" in r["evidence"]]
    assert plain and plain[0]["status"] == "fail" and plain[0]["subject"] == str(exe), run.stdout
    assert ids(plain[0]["evidence"], "vulns") == {"GO-2021-0113"}
    acc = next(r for r in _by_subject(run, "custom.accepted") if "vulns" in r["evidence"])
    assert acc["status"] == "ok" and "we never parse untrusted tags" in acc["evidence"]["ignored"]
    exp = next(r for r in _by_subject(run, "custom.expired") if "vulns" in r["evidence"])
    # GO-2022-1059 is not reachable, but its acceptance expired: that fails until renewed or fixed
    assert exp["status"] == "fail" and "GO-2022-1059" in ids(exp["evidence"], "vulns")
    assert "2025-01-31" in exp["evidence"]["expired_ignores"] and "expired" in exp["summary"]


def test_yaml_problems_are_reported(gomedic: Gomedic, tmp_path: Path) -> None:
    body = """checks:
  - name: bad
    kind: binary
    path: /usr/bin
    vulndb: /not/a/url
    ignore: [{id: "not-an-id"}]
"""
    run = gomedic("validate", _yaml(tmp_path, body))
    assert run.returncode == 2, run.stdout + run.stderr
    out = run.stdout + run.stderr
    assert "vulns: true" in out and "not-an-id" in out and "file:///absolute/path" in out


def test_gate_binary_vulns_is_category_binary(gomedic: Gomedic, mirror: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    run = gomedic("gate", "--binary", exe, "--vulns", "--vulndb", f"file://{mirror}", "--format", "json")
    lines = run.stderr.splitlines()
    assert any(ln.startswith("gomedic gate: FAIL binary.vulns ") and "[binary 30]" in ln and "GO-2021-0113" in ln
               for ln in lines), run.stderr
    assert run.returncode in (10, 20, 30), run.stderr  # binary, unless this host fails a more basic category
    plain = gomedic("gate", "--binary", exe, "--format", "json")
    assert "binary.vulns" not in {r["id"] for r in plain.report["results"]}
    assert gomedic("gate", "--vulns").returncode == 2


def test_prometheus_families(gomedic: Gomedic, mirror: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    run = gomedic("binary", "--vulns", "--vulndb", f"file://{mirror}", exe, "--format", "prom")
    text = run.stdout
    assert f'gomedic_vulns{{subject="{exe}",job=""}} 1' in text, text
    assert any(ln.startswith('gomedic_check_status{id="binary.vulns"') and f'subject="{exe}"' in ln
               and ln.endswith(" 2") for ln in text.splitlines())


def test_serve_job_exports_vulns(mirror: Path, tmp_path: Path, home: Path) -> None:
    from tests.serve.conftest import start_serve

    exe = text_app("v0.3.6", go="1.22.10")
    cfg = (f"jobs: [{{name: vulns, command: binary, args: [--vulns, --vulndb, 'file://{mirror}', '{exe}'], "
           "every: 60s, timeout: 50s}]\n")
    s = start_serve(tmp_path, cfg, {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"})
    try:
        s.wait_ready()
        status, body, _ = s.get("/metrics")
    finally:
        s.stop()
    text = body.decode()
    assert status == 200
    assert f'gomedic_vulns{{subject="{exe}",job="vulns"}} 1' in text, text
    assert any(ln.startswith('gomedic_check_status{id="binary.vulns"') and 'job="vulns"' in ln
               for ln in text.splitlines())


def test_fleet_summarize_shows_hosts_and_advisories(gomedic: Gomedic, mirror: Path, tmp_path: Path) -> None:
    """The existing per-check rollup answers "which hosts carry which advisory": host, binary, ids."""
    import json

    bad, good = text_app("v0.3.6", go="1.22.10"), text_app("v0.3.8", go="1.27.3")
    reports = tmp_path / "audit"
    reports.mkdir()
    for host, exe in (("web-1", bad), ("web-2", good)):
        run = gomedic("binary", "--vulns", "--vulndb", f"file://{mirror}", exe, "--format", "json")
        (reports / f"{host}.json").write_text(run.stdout)
    summary = gomedic("fleet", "summarize", "--format", "json", reports)
    assert summary.returncode == 1, summary.stderr
    doc = json.loads(summary.stdout)
    roll = next(c for c in doc["checks"] if c["id"] == "binary.vulns")
    assert roll["hosts_failing"] == 1
    (occ,) = roll["failing"]
    assert occ["host"] == "web-1" and occ["subject"] == str(bad) and "GO-2021-0113" in occ["summary"]
