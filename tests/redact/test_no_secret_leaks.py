"""Planted secrets (a token in GOPROXY, GOAUTH, an env var, a .netrc password, credentials in GONOSUMDB and
in the GOENV file) never appear in any output format of any command that reports."""

from __future__ import annotations

import json

import pytest

from gomedic.render import RENDERERS
from tests.support.cli import validate_report
from tests.support.goenv import GoEnv

SECRETS = {
    "GOPROXY": "pr0xyPassw0rd-planted",
    "GOAUTH": "ghp_PlantedGoauthToken0123456789",
    "FOO_TOKEN": "plantedFooToken-9f8e7d6c",
    "netrc": "n3trc-Planted-Passw0rd",
    "GONOSUMDB": "sumdbT0ken-planted",
    "GOENV file": "envFilePassw0rd-planted",
}


@pytest.fixture
def planted(goenv: GoEnv) -> GoEnv:
    goenv.go("telemetry", "off")
    goenv.env.update(
        GOPROXY=f"https://gopher:{SECRETS['GOPROXY']}@proxy.corp.example/mod,direct",
        GOAUTH=f"token-helper --token {SECRETS['GOAUTH']}",
        FOO_TOKEN=SECRETS["FOO_TOKEN"],
        GONOSUMDB=f"corp.example/*,ci:{SECRETS['GONOSUMDB']}@git.corp.example",
        GOFLAGS="-mod=mod",
    )
    (goenv.home / ".netrc").write_text(
        f"machine git.corp.example\n  login gopher\n  password {SECRETS['netrc']}\n")
    # a GOENV file with credentials, a bad entry (so there are failing results with evidence) and a
    # value the environment shadows
    goenv.write_goenv(f"GOINSECURE=ci:{SECRETS['GOENV file']}@insecure.corp.example\nGOFOO=1\n"
                      f"GOPROXY=https://x:{SECRETS['GOENV file']}@other.example\n")
    return goenv


def _assert_clean(out: str, what: str) -> None:
    for name, secret in SECRETS.items():
        assert secret not in out, f"{name} secret leaked in {what}"


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_check_every_format(planted: GoEnv, fmt: str) -> None:
    run = planted.gomedic("check", "--format", fmt, "-v", "--area", "toolchain", "--area", "paths",
                          "--area", "goenv", "--area", "modules")
    assert run.returncode in ((0, 1, 2) if fmt == "nagios" else (0, 1)), run.stderr
    _assert_clean(run.stdout + run.stderr, f"check --format {fmt}")
    if fmt == "json":
        doc = validate_report(json.loads(run.stdout))
        assert any(r["status"] == "fail" for r in doc["results"])


@pytest.mark.parametrize("fmt", sorted({"markdown", *RENDERERS}))
def test_report(planted: GoEnv, fmt: str) -> None:
    run = planted.gomedic("report", "--format", fmt, "--area", "toolchain", "--area", "goenv", "--area", "modules")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip()
    _assert_clean(run.stdout + run.stderr, f"report --format {fmt}")
    if fmt == "markdown":
        assert "GOAUTH=***" in run.stdout
        assert "gopher:***@proxy.corp.example" in run.stdout
        assert "machines: git.corp.example; contents not shown" in run.stdout
    if fmt == "json":
        doc = validate_report(json.loads(run.stdout))
        assert doc["context"]["go_env"]["GOAUTH"] == "***"
        assert doc["context"]["netrc"]["machines"] == ["git.corp.example"]


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_fix_and_shellenv(planted: GoEnv, fmt: str) -> None:
    run = planted.gomedic("fix", "--format", fmt)
    assert run.returncode in (0, 1), run.stderr
    assert run.stdout.strip()
    _assert_clean(run.stdout + run.stderr, f"fix --format {fmt}")
    if fmt == "json":
        validate_report(json.loads(run.stdout))
    shell = planted.gomedic("shellenv", "--shell", "bash")
    _assert_clean(shell.stdout + shell.stderr, "shellenv")
