"""The command line: list, explain, --version, options, output files, colour, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gomedic import __version__
from gomedic.registry import ID_RE, load_all
from tests.support.cli import gomedic_env, run_gomedic
from tests.support.goenv import GoEnv

CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "design" / "CATALOGUE.md"


def gomedic(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run_gomedic(*args, env={**os.environ, **(env or {})}, timeout=60)


def test_version() -> None:
    p = gomedic("--version")
    assert p.returncode == 0 and p.stdout.strip() == f"gomedic {__version__}"


def test_list_covers_the_catalogue() -> None:
    p = gomedic("list", "--format", "json")
    assert p.returncode == 0
    rows = json.loads(p.stdout)
    ids = {r["id"] for r in rows}
    assert all(ID_RE.match(i) for i in ids)
    text = gomedic("list").stdout
    assert "toolchain.goroot-matches" in text and "critical" in text
    if CATALOGUE.exists():
        wanted = set(re.findall(r"^- `([a-z]+\.[a-z0-9-]+)`", CATALOGUE.read_text(), re.M))
        assert wanted <= ids, f"catalogue ids not implemented: {sorted(wanted - ids)}"


@pytest.mark.parametrize("spec", list(load_all()), ids=lambda s: s.id)
def test_every_check_explains_itself(spec) -> None:  # type: ignore[no-untyped-def]
    assert spec.doc, f"{spec.id} has no docstring"
    assert re.search(r"\bfix\b", spec.doc, re.I), f"{spec.id}: the docstring must say how to fix it"


def test_explain() -> None:
    p = gomedic("explain", "toolchain.goroot-matches")
    assert p.returncode == 0
    assert 'compile: version "go1.22.10" does not match go tool version "go1.27.3"' in p.stdout
    assert "severity high" in p.stdout and "gate code 50" in p.stdout


@pytest.mark.parametrize(
    "args",
    [("explain", "toolchain.nope"), ("nosuchcommand",), ("check", "--area", "nope"), ("check", "--skip", "x.y"),
     ("check", "--format", "yaml"), ("check", "--set", "toolchain.go-on-path.max=3")],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    p = gomedic(*args)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "Traceback" not in p.stderr and p.stderr.strip()


def test_a_usage_error_leaves_no_go_running(tmp_path: Path) -> None:
    """`check` starts go env before its command line is parsed (commands/_prewarm.py): a bad command line
    still ends with nothing it started alive. The go here is a stand-in that never answers."""
    (tmp_path / "bin").mkdir()
    go = tmp_path / "bin" / "go"
    go.write_text('#!/bin/sh\necho $$ >> "$GOMEDIC_TEST_PIDS"\nexec /bin/sleep 60\n')
    go.chmod(0o755)
    pids = tmp_path / "pids"
    for _ in range(5):
        p = run_gomedic("check", "--area", "nope", env={"HOME": str(tmp_path), "PATH": str(go.parent),
                                                        "GOMEDIC_TEST_PIDS": str(pids)}, timeout=60)
        assert p.returncode == 2, p.stdout + p.stderr
    started = [int(x) for x in pids.read_text().split()] if pids.exists() else []
    alive = [
        pid for pid in started if os.path.exists(f"/proc/{pid}") and "sleep" in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    assert not alive


def test_output_file_and_fail_on(goenv: GoEnv) -> None:
    goenv.env["GOOS"] = "windows"  # a warning, not a failure
    out = goenv.root / "report.json"
    run = goenv.gomedic("check", "--area", "toolchain", "--format", "json", "-o", str(out))
    assert run.returncode == 0 and run.stdout == ""
    doc = json.loads(out.read_text())
    assert doc["summary"]["warn"] == 1 and doc["exit_code"] == 0
    assert [p.name for p in goenv.root.iterdir() if p.name.startswith(".report")] == []  # no temp files left
    strict = goenv.gomedic("check", "--area", "toolchain", "--format", "json", "--fail-on", "warn")
    assert strict.returncode == 1 and json.loads(strict.stdout)["exit_code"] == 1
    lax = goenv.gomedic("check", "--area", "toolchain", "--fail-on", "never")
    assert lax.returncode == 0


def test_default_command_is_check(goenv: GoEnv) -> None:
    run = goenv.gomedic("--format", "json", "--area", "toolchain")
    assert run.returncode == 0 and run.report["command"] == "check"


def test_text_report_plain_when_piped_and_evidence_with_v(goenv: GoEnv) -> None:
    goenv.env["GOOS"] = "plan9"
    run = goenv.gomedic("check", "--area", "toolchain")
    assert "\x1b[" not in run.stdout
    assert "WARN   toolchain.host-target" in run.stdout and "fix: unset GOOS" in run.stdout
    assert "GOROOT/VERSION" not in run.stdout  # ok results show no evidence...
    assert "GOROOT/VERSION: go1.27.3" in goenv.gomedic("check", "--area", "toolchain", "-v").stdout  # ...unless -v


def _in_pty(goenv: GoEnv, extra: dict[str, str]) -> str:
    env = {**goenv.env, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src"), "TERM": "xterm", **extra}
    cmd = f"{sys.executable} -m gomedic check --area toolchain"
    p = subprocess.run(["script", "-qec", cmd, "/dev/null"], env=env, capture_output=True, text=True, timeout=60,
                       cwd=goenv.root)
    return p.stdout


def test_colour_on_a_terminal_unless_no_color(goenv: GoEnv) -> None:
    assert "\x1b[" in _in_pty(goenv, {})
    assert "\x1b[" not in _in_pty(goenv, {"NO_COLOR": "1"})


def test_internal_errors_never_show_a_traceback(goenv: GoEnv, tmp_path: Path) -> None:
    out_dir = tmp_path / "ro"
    out_dir.mkdir()
    run = goenv.gomedic("check", "--area", "toolchain", "-o", str(out_dir / "missing" / "r.json"))
    assert run.returncode == 2 and "cannot write" in run.stderr and "Traceback" not in run.stderr
    gone = tmp_path / "gone"  # no working directory: met first where go env is started early (_prewarm)
    gone.mkdir()
    p = subprocess.Popen([sys.executable, "-c", "import os, sys; os.rmdir(os.getcwd()); "
                          "from gomedic.cli import main; sys.exit(main())"], cwd=gone, env=gomedic_env(goenv.env),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, err = p.communicate(timeout=60)
    assert p.returncode != 0 and "Traceback" not in err and err.startswith("gomedic: ")


def test_non_utf8_names_do_not_break_output(goenv: GoEnv) -> None:
    env = {**goenv.env, "PATH": goenv.env["PATH"] + ":/tmp/\udcff-not-utf8",
           "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    for fmt in ("text", "json"):
        p = subprocess.run([sys.executable, "-m", "gomedic", "check", "--area", "paths", "--format", fmt, "-v"],
                           env={k: v.encode("utf-8", "surrogateescape") for k, v in env.items()},  # type: ignore[misc]
                           capture_output=True, timeout=60, cwd=goenv.root)
        assert p.returncode == 0, p.stderr
        assert b"\\udcff-not-utf8" in p.stdout and b"Traceback" not in p.stderr
