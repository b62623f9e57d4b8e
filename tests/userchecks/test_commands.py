"""`gomedic run`, `validate` and `init` as a user runs them (python -m gomedic), and shadow rollout."""

from __future__ import annotations

import json
import socket
import threading
import time
from pathlib import Path

from gomedic.model import FailOn, Status
from tests.support.userchecks import go_binary, gomedic, run_inprocess

SHADOW = """\
checks:
  - {name: passes, kind: env, var: PATH, severity: low}
  - {name: new-rule, kind: env, var: GM_NOT_SET_ANYWHERE, severity: critical, rollout: shadow}
  - {name: new-file-rule, kind: file, path: /nonexistent/gomedic, category: filesystem, rollout: shadow}
"""


def test_shadow_never_changes_exit_gate_code_or_score(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(SHADOW)
    report = run_inprocess([f])
    shadow = [r for r in report.results if r.shadow]
    assert [r.status for r in shadow] == [Status.FAIL, Status.FAIL]
    assert report.exit_code(FailOn.FAIL) == 0
    assert report.exit_code(FailOn.WARN) == 0
    assert report.gate_code() == 0
    assert report.score == 100
    # the same rules enforced do count
    f.write_text(SHADOW.replace("rollout: shadow", "rollout: enforce"))
    enforced = run_inprocess([f])
    assert enforced.exit_code(FailOn.FAIL) == 1
    assert enforced.gate_code() == 60  # filesystem (60) is below custom (90)
    assert enforced.score < 100


def test_run_cli_json_and_exit_codes(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text(SHADOW)
    run = gomedic("run", str(f), "--format", "json")
    assert run.returncode == 0, run.stderr
    doc = run.report
    assert doc["command"] == "run" and doc["summary"]["score"] == 100
    assert doc["context"]["check_files"] == [str(f)]
    flagged = {r["id"]: r.get("shadow", False) for r in doc["results"]}
    assert flagged == {"custom.passes": False, "custom.new-rule": True, "custom.new-file-rule": True}
    text = gomedic("run", str(f))
    assert text.returncode == 0 and "custom.new-rule" in text.stdout
    f.write_text(SHADOW.replace("rollout: shadow", "rollout: enforce"))
    run = gomedic("run", str(f), "--format", "json")
    assert run.returncode == 1
    assert run.report["exit_code"] == 1
    only = gomedic("run", str(f), "--only", "passes", "--format", "json")
    assert only.returncode == 0 and [r["id"] for r in only.report["results"]] == ["custom.passes"]
    bad = gomedic("run", str(f), "--only", "nope")
    assert bad.returncode == 2 and "no such check" in bad.stderr


def test_validate_cli_reports_every_problem(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("checks:\n  - {name: a, kind: tcp}\n  - {name: b, kind: file, path: /x, mode: 644}\n"
                 "  - {name: c, kind: http, url: 'ftp://x'}\n")
    v = gomedic("validate", str(f))
    assert v.returncode == 2
    lines = v.stdout.splitlines()
    assert lines == [
        f"{f}:2:5: a: missing required field 'address'",
        f"{f}:3:43: b: mode: write a mode as a quoted octal string, e.g. \"0640\" (YAML reads 0640 as the number 416)",
        f"{f}:4:32: c: url 'ftp://x' is not an http:// or https:// URL",
        "3 problems in 1 file",
    ]
    j = gomedic("validate", str(f), "--format", "json")
    assert j.returncode == 2
    doc = json.loads(j.stdout)
    assert doc["valid"] is False and [(p["line"], p["column"]) for p in doc["problems"]] == [(2, 5), (3, 43), (4, 32)]
    run = gomedic("run", str(f))
    assert run.returncode == 2 and f"{f}:4:32: c: url" in run.stderr
    f.write_text("checks:\n  - {name: a, kind: tcp, address: '127.0.0.1:1'}\n")
    ok = gomedic("validate", str(f))
    assert (ok.returncode, ok.stdout) == (0, "1 check valid in 1 file\n")


def test_run_retries_until_a_listener_appears(tmp_path: Path) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    f = tmp_path / "c.yaml"
    f.write_text(f"checks:\n  - {{name: late, kind: tcp, address: '127.0.0.1:{port}', retries: 40, interval: 250ms,"
                 " timeout: 1s}\n")

    def listen_later() -> None:
        time.sleep(1.0)
        s.listen(4)

    t = threading.Thread(target=listen_later)
    t.start()
    try:
        once = run_inprocess([f])
        assert once.results[0].status is Status.FAIL  # without retries: one look, refused
        report = run_inprocess([f], retry=True)
    finally:
        t.join()
        s.close()
    r = report.results[0]
    assert r.status is Status.OK, r.summary
    attempts = int(r.evidence["attempts"].split(" of ")[0])
    assert 1 < attempts < 40


def test_init_binary_then_run(tmp_path: Path) -> None:
    app = go_binary("1.27.3")
    out = tmp_path / "checks.yaml"
    init = gomedic("init", "--binary", str(app), "-o", str(out))
    assert init.returncode == 0, init.stderr
    text = out.read_text()
    assert "go: '>=1.27'" in text and "cgo: false" in text and "goamd64_max: v1" in text
    again = gomedic("init", "--binary", str(app), "-o", str(out))
    assert again.returncode == 2 and "exists" in again.stderr
    run = gomedic("run", str(out), "--format", "json")
    assert run.returncode == 0, run.stdout
    assert [r["status"] for r in run.report["results"]] == ["ok"]
    notgo = gomedic("init", "--binary", "/bin/sh")
    assert notgo.returncode == 2 and "not a Go binary" in notgo.stderr


def test_init_unit_writes_a_starter_that_validates(tmp_path: Path) -> None:
    from tests.userchecks.test_binary_service import _unit

    app = go_binary("1.27.3")
    unit = _unit(tmp_path, app)
    init = gomedic("init", "--unit", str(unit))
    assert init.returncode == 0, init.stderr
    (tmp_path / "starter.yaml").write_text(init.stdout)
    kinds = [line.split(":", 1)[1].strip() for line in init.stdout.splitlines() if line.strip().startswith("kind:")]
    assert kinds == ["service", "file", "file", "process", "binary", "tcp"]
    assert "rollout: shadow" in init.stdout and "127.0.0.1:18443" in init.stdout
    run = gomedic("run", str(tmp_path / "starter.yaml"), "--format", "json")
    got = {r["id"]: (r["status"], r.get("shadow", False)) for r in run.report["results"]}
    assert got["custom.api-unit"] == ("ok", False)
    assert got["custom.api-envfile"] == ("ok", False)
    assert got["custom.api-workdir"] == ("ok", False)
    assert got["custom.api-build"] == ("ok", False)
    assert got["custom.api-running"] == ("fail", False)  # nothing runs it here: a real finding
    assert got["custom.api-port-18443"] == ("fail", True)  # guessed: shadow, does not count
    assert run.returncode == 1


def test_init_unit_pins_the_envfile_mode_it_has(tmp_path: Path) -> None:
    """The starter pins the EnvironmentFile's permissions as they are (0644 here), not a guessed 0640 that
    the file it was made from already fails."""
    from tests.userchecks.test_binary_service import _unit

    unit = _unit(tmp_path, go_binary("1.27.3"))
    (tmp_path / "api.env").chmod(0o644)
    init = gomedic("init", "--unit", str(unit))
    assert init.returncode == 0, init.stderr
    assert "mode_max: '0644'" in init.stdout and "0640" not in init.stdout
    (tmp_path / "starter.yaml").write_text(init.stdout)
    run = gomedic("run", str(tmp_path / "starter.yaml"), "--only", "api-envfile", "--format", "json")
    assert [(r["id"], r["status"]) for r in run.report["results"]] == [("custom.api-envfile", "ok")]
    (tmp_path / "api.env").unlink()  # gone: the starter still checks that it exists, with no mode to pin
    init = gomedic("init", "--unit", str(unit))
    assert init.returncode == 0 and "mode_max" not in init.stdout and "api-envfile" in init.stdout


def test_examples_validate() -> None:
    root = Path(__file__).resolve().parents[2] / "examples"
    for name in ("web-service.yaml", "worker.yaml", "ci-build-box.yaml"):
        v = gomedic("validate", str(root / name), "--vars", str(root / "vars" / "prod.yaml"))
        assert v.returncode == 0, (name, v.stdout)
