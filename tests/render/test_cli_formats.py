"""Every format from real `gomedic check` runs in a real Go environment, judged by real consumers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from junitparser import JUnitXml

from gomedic.cli import build_parser
from gomedic.render import RENDERERS
from tests.support.cli import validate_report
from tests.support.goenv import GoEnv
from tests.support.outputs import promtool_check, prove, validate_sarif

# Commands that produce a Report (through commands/_common.add_output_options); others print catalogues,
# validation results or fleet views.
REPORT_COMMANDS = ("check", "host", "binary", "service", "probe", "run", "gate")
FORMATS = ("junit", "sarif", "tap", "nagios", "markdown", "prom")


@pytest.fixture
def broken(goenv: GoEnv, tmp_path: Path) -> tuple[GoEnv, Path]:
    """A module whose go.mod needs a Go newer than the local one, with GOTOOLCHAIN=local: a real failure
    tied to a file (toolchain.gotoolchain)."""
    mod = tmp_path / "app"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/app\n\ngo 1.99.0\n")
    goenv.env["GOTOOLCHAIN"] = "local"
    goenv.env["GOFLAGS"] = "-mod=mod"
    goenv.env["GOPROXY"] = "off"
    return goenv, mod


def test_every_report_command_accepts_every_format() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    present = [c for c in REPORT_COMMANDS if c in sub.choices]  # type: ignore[operator]
    assert "check" in present
    for name in present:
        p = sub.choices[name]  # type: ignore[index]
        fmt = next(a for a in p._actions if a.dest == "format")
        assert set(fmt.choices) >= set(RENDERERS), name
        assert any(a.dest == "textfile_dir" for a in p._actions), name


def test_formats_on_a_real_failing_module(broken: tuple[GoEnv, Path], tmp_path: Path) -> None:
    env, mod = broken
    base = ["check", "--area", "toolchain"]
    js = env.gomedic(*base, "--format", "json", cwd=mod)
    doc = validate_report(json.loads(js.stdout))
    gotc = next(r for r in doc["results"] if r["id"] == "toolchain.gotoolchain")
    assert gotc["status"] == "fail", gotc
    assert js.returncode == 1

    sarif = env.gomedic(*base, "--format", "sarif", cwd=mod)
    assert sarif.returncode == 1, sarif.stderr
    sdoc = json.loads(sarif.stdout)
    validate_sarif(sdoc)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sdoc["runs"][0]["results"]]
    assert f"file://{mod}/go.mod" in uris

    junit = env.gomedic(*base, "--format", "junit", "-o", str(tmp_path / "j.xml"), cwd=mod)
    assert junit.returncode == 1 and junit.stdout == ""
    cases = {c.name: c for s in JUnitXml.fromfile(str(tmp_path / "j.xml")) for c in s}
    assert not cases["toolchain.gotoolchain"].is_passed and cases["toolchain.go-on-path"].is_passed

    prom = env.gomedic(*base, "--format", "prom", cwd=mod)
    assert promtool_check(prom.stdout).returncode == 0
    assert 'gomedic_check_status{id="toolchain.gotoolchain",' in prom.stdout

    tap = env.gomedic(*base, "--format", "tap", cwd=mod)
    assert prove(tap.stdout).returncode == 1 and "not ok" in tap.stdout

    nagios = env.gomedic(*base, "--format", "nagios", cwd=mod)
    assert nagios.returncode == 2 and nagios.stdout.startswith("GOMEDIC CRITICAL - check: ")

    md = env.gomedic(*base, "--format", "markdown", cwd=mod)
    assert md.returncode == 1 and "`toolchain.gotoolchain`" in md.stdout


def test_healthy_env_nagios_ok_and_textfile(goenv: GoEnv, tmp_path: Path) -> None:
    out = tmp_path / "textfile"
    out.mkdir()
    run = goenv.gomedic("check", "--area", "toolchain", "--format", "nagios", "--textfile-dir", str(out))
    assert run.returncode in (0, 1), run.stderr  # OK or WARNING (e.g. an old toolchain); never CRITICAL
    assert run.stdout.startswith(("GOMEDIC OK - check:", "GOMEDIC WARNING - check:"))
    prom = (out / "gomedic_check.prom").read_text()
    assert promtool_check(prom).returncode == 0
    assert 'gomedic_health_score{job="check"}' in prom
    assert [p.name for p in out.iterdir()] == ["gomedic_check.prom"]


def test_textfile_dir_must_exist(goenv: GoEnv, tmp_path: Path) -> None:
    run = goenv.gomedic("check", "--area", "toolchain", "--format", "json", "--textfile-dir", str(tmp_path / "nope"))
    assert run.returncode == 2 and f"--textfile-dir: {tmp_path / 'nope'}: no such directory" in run.stderr
    assert run.stdout == ""  # rejected when the command line is read: no check ran, no report
    (tmp_path / "file").write_text("")
    run = goenv.gomedic("host", "--textfile-dir", str(tmp_path / "file"))
    assert run.returncode == 2 and "not a directory" in run.stderr and run.stdout == ""


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_listed(fmt: str) -> None:
    assert fmt in RENDERERS
