"""Declared checks inside `gomedic gate --checks` and `gomedic serve` jobs (real processes)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.serve.conftest import start_serve
from tests.support.cli import validate_report
from tests.support.userchecks import gomedic

CHECKS = """\
checks:
  - {name: passes, kind: env, var: PATH, severity: low}
  - {name: new-rule, kind: env, var: GM_NOT_SET_ANYWHERE, severity: critical, rollout: shadow}
  - {name: data-dir, kind: file, path: /nonexistent/gomedic-data, category: filesystem, rollout: shadow}
"""


def test_gate_with_checks(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(CHECKS)
    base = gomedic("gate", "-q")
    assert base.returncode in (0, 10, 20, 30, 40, 50, 60, 70, 80, 90), base.stderr
    shadow = gomedic("gate", "--checks", str(f), "--format", "json")
    assert shadow.returncode == base.returncode, shadow.stderr  # shadow failures never change the gate code
    doc = shadow.report
    ours = {r["id"]: (r["status"], r.get("shadow", False)) for r in doc["results"] if r["area"] == "custom"}
    assert ours == {"custom.passes": ("ok", False), "custom.new-rule": ("fail", True),
                    "custom.data-dir": ("fail", True)}
    assert "custom.data-dir" not in shadow.stderr  # the journal lines list counted failures only
    f.write_text(CHECKS.replace("rollout: shadow", "rollout: enforce"))
    enforced = gomedic("gate", "--checks", str(f), "-q")
    assert enforced.returncode == min(c for c in (base.returncode, 60) if c), enforced.stderr
    assert "FAIL custom.data-dir [filesystem 60]: /nonexistent/gomedic-data does not exist" in enforced.stderr
    skipped = gomedic("gate", "--checks", str(f), "--skip", "custom.data-dir", "--skip", "custom.new-rule", "-q")
    assert skipped.returncode == base.returncode, skipped.stderr
    typo = gomedic("gate", "--checks", str(f), "--skip", "custom.data-dri")
    assert typo.returncode == 2 and "--skip custom.data-dri: no such check in" in typo.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("checks:\n  - {name: x, kind: nope}\n")
    bad = gomedic("gate", "--checks", str(broken))
    assert bad.returncode == 2 and f"{broken}:2:21: x: kind: 'nope' is not a kind" in bad.stderr


def test_serve_runs_declared_checks(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(CHECKS)
    broken = tmp_path / "broken.yaml"
    broken.write_text("checks:\n  - {name: x, kind: tcp, address: nowhere}\n")
    bad = gomedic("serve", "--config", str(_config(tmp_path, broken)), "--check-config")
    assert bad.returncode == 2 and f"{broken}:2:35: x: 'nowhere' is not host:port" in bad.stderr
    s = start_serve(tmp_path, f"jobs:\n  - {{name: team, command: run, args: [{f}], every: 1h}}\n")
    try:
        s.wait_ready()
        status, body, _ = s.get("/report.json")
        assert status == 200
        doc = validate_report(json.loads(body))
        ours = {r["id"]: (r["status"], r.get("shadow", False)) for r in doc["results"] if r["area"] == "custom"}
        assert ours == {"custom.passes": ("ok", False), "custom.new-rule": ("fail", True),
                        "custom.data-dir": ("fail", True)}
        assert s.get("/healthz")[0] == 200  # only shadow rules fail: healthy
        status, metrics, _ = s.get("/metrics")
        assert status == 200
        assert b'id="custom.new-rule",area="custom",category="custom",severity="critical",subject="",shadow="true"' \
            in metrics
    finally:
        s.stop()


def _config(tmp_path: Path, checks: Path) -> Path:
    p = tmp_path / "serve-broken.yaml"
    p.write_text(f"jobs:\n  - {{name: team, command: gate, args: [--checks, {checks}], every: 1m}}\n")
    return p
