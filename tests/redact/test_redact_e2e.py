"""Real runs in every output format: secrets of a unit file, a running process and GOFLAGS never show;
evidence that is not a secret (a GOENV key, a sysctl name, the GODEBUG warning) is never masked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gomedic.render import RENDERERS
from tests.support.cli import validate_report
from tests.support.goenv import GoEnv
from tests.support.hostfixtures import child, gomedic, write_unit
from tests.support.hostpytest import hello_amd64, wd  # noqa: F401
from tests.support.userchecks import gomedic as gomedic_src

FORMATS = sorted(RENDERERS)
SUMMARY_FORMATS = [f for f in FORMATS if f != "prom"]  # prom carries metrics, not summaries
EVIDENCE_FORMATS = [f for f in FORMATS if f not in ("prom", "nagios")]
UNIT_SECRETS = {
    "GOFLAGS -X": "xSymb0l-Planted-ApiKey",
    "Environment DB_PASS": "dbPass-Planted-7731",
    "--password": "argvPassw0rd-Planted",
    "--db-password": "argvDbPass-Planted-2",
    "--token=": "argvToken-Planted-99",
}


def _clean(out: str, secrets: dict[str, str], what: str) -> None:
    for name, secret in secrets.items():
        assert secret not in out, f"{name} secret leaked in {what}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_unit_secrets_hidden_godebug_warning_shown(wd: Path, hello_amd64: Path, fmt: str) -> None:  # noqa: F811
    s = UNIT_SECRETS
    unit = write_unit(
        wd,
        "leaky.service",
        f"""
Environment=GODEBUG=http2client GOFLAGS=-ldflags=-X=main.apiKey={s["GOFLAGS -X"]} DB_PASS={s["Environment DB_PASS"]}
ExecStart={hello_amd64} --password {s["--password"]} --db-password {s["--db-password"]} --token={s["--token="]} ${{DB_PASS}} -p 8080
""",  # noqa: E501 (one ExecStart line, as written in a unit)
    )
    run = gomedic("service", str(unit), "--format", fmt, "-v")
    assert run.returncode in ((0, 1, 2) if fmt == "nagios" else (0, 1)), run.stderr
    _clean(run.stdout + run.stderr, UNIT_SECRETS, f"service --format {fmt}")
    if fmt not in ("prom", "nagios", "sarif"):  # sarif: only results located in a file; nagios: one line
        assert "GODEBUG entry 'http2client' is not key=value" in run.stdout
    if fmt == "json":
        doc = validate_report(json.loads(run.stdout))
        unit_ev = next(r["evidence"] for r in doc["results"] if r["id"] == "service.unit")
        assert unit_ev["ExecStart"] == f"{hello_amd64} --password *** --db-password *** --token=*** *** -p 8080"


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_host_pid_process_secrets_hidden(fmt: str) -> None:
    secrets = {"env DB_PASSWORD": "procEnvPass-Planted", "env GOFLAGS -X": "procXSym-Planted-1",
               "argv": "procArgvTok-Planted"}
    env = {"PATH": "/usr/bin:/bin", "DB_PASSWORD": secrets["env DB_PASSWORD"], "GOMAXPROCS": "2",
           "GOFLAGS": f"-ldflags=-X=main.apiKey={secrets['env GOFLAGS -X']}"}
    with child(["python3", "-c", "import time; time.sleep(300)", "--token", secrets["argv"]], env=env) as proc:
        run = gomedic("host", "--pid", str(proc.pid), "--format", fmt, "-v")
    assert run.returncode in (0, 1), run.stderr
    _clean(run.stdout + run.stderr, secrets, f"host --pid --format {fmt}")
    if fmt == "json":
        assert validate_report(json.loads(run.stdout))["context"]["target"]["pid"] == proc.pid


@pytest.mark.parametrize("fmt", FORMATS)
def test_goenv_key_is_evidence_in_every_format(goenv: GoEnv, fmt: str) -> None:
    """`key` is the GOENV key of the failing entry: shown, so `fix goenv.file` can find the entry."""
    goenv.write_goenv("GOFOOBAR=1\n")
    run = goenv.gomedic("check", "--area", "goenv", "--format", fmt, "-v")
    assert run.returncode in ((0, 1, 2) if fmt == "nagios" else (0, 1)), run.stderr
    out = run.stdout
    assert "key: ***" not in out and '"key": "***"' not in out and "key=***" not in out
    if fmt in SUMMARY_FORMATS:
        assert "GOFOOBAR" in out
    if fmt == "json":
        r = next(r for r in validate_report(json.loads(out))["results"]
                 if r["id"] == "goenv.file" and r["status"] == "fail")
        assert r["evidence"]["key"] == "GOFOOBAR" and r["evidence"]["line"] == "1"
    if fmt in EVIDENCE_FORMATS and fmt not in ("junit",):
        assert "GOFOOBAR" in out


@pytest.mark.parametrize("fmt", FORMATS)
def test_sysctl_name_is_evidence_in_every_format(tmp_path: Path, fmt: str) -> None:
    f = tmp_path / "checks.yaml"
    f.write_text("version: 1\nchecks:\n  - name: ostype\n    kind: sysctl\n    key: kernel.ostype\n"
                 "    value: {eq: NotLinux}\n")
    run = gomedic_src("run", str(f), "--format", fmt, "-v")
    assert run.returncode in ((0, 1, 2) if fmt == "nagios" else (0, 1)), run.stderr
    assert "***" not in run.stdout
    if fmt in SUMMARY_FORMATS and fmt != "sarif":  # sarif holds only results located in a file
        assert "kernel.ostype = Linux, expected eq NotLinux" in run.stdout
    if fmt == "json":
        r = validate_report(json.loads(run.stdout))["results"][0]
        assert r["evidence"] == {"key": "kernel.ostype", "value": "Linux"}
