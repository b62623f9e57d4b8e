"""Small outputs that must be right (issue 13, item 9): report headers in words, one-line usage errors that
name what is wrong and exit 2 before anything runs, and messages that name the file they mean."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_gomedic
from tests.support.systools import system_path

REPO = Path(__file__).resolve().parents[1]


def gomedic(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": system_path(), "HOME": "/nonexistent", "LANG": "C.UTF-8"}
    return run_gomedic(*args, env=env, cwd=cwd, timeout=60)


def one_error_line(p: subprocess.CompletedProcess[str]) -> str:
    """The one line a usage error prints (and nothing on stdout: no report)."""
    assert p.returncode == 2, (p.returncode, p.stdout[-1000:], p.stderr)
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    return lines[0]


def test_host_header_names_the_target_in_words() -> None:
    plain = gomedic("host", "--area", "net")
    head = plain.stdout.splitlines()[0]
    assert head.startswith("gomedic host · ") and "{" not in head and "target" not in head, head
    pid = os.getpid()
    text = gomedic("host", "--area", "net", "--pid", str(pid)).stdout.splitlines()[0]
    assert f" · target pid {pid} · " in text, text
    md = gomedic("host", "--area", "net", "--pid", str(pid), "--format", "markdown").stdout
    assert f"- Target: `pid {pid}`" in md


def test_service_header_names_the_unit(tmp_path: Path) -> None:
    unit = tmp_path / "app.service"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    head = gomedic("service", str(unit)).stdout.splitlines()[0]
    assert "{" not in head and f" · target unit {unit}, binary /bin/true · " in head, head


def test_binary_that_does_not_exist_is_one_line() -> None:
    line = one_error_line(gomedic("binary", "/nonexistent/gm-app"))
    assert line == "gomedic: error: /nonexistent/gm-app: no such file or directory"


def test_binary_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    line = one_error_line(gomedic("binary", str(fifo)))  # the 60 s timeout is the hang guard
    assert line == f"gomedic: error: {fifo}: a FIFO (named pipe), not a binary file"
    bi = gomedic("binary", "--buildinfo", str(fifo))
    assert bi.returncode == 1 and bi.stdout == "" and bi.stderr == f"{fifo}: a FIFO (named pipe), not a binary file\n"
    line = one_error_line(gomedic("binary", "/dev/null"))
    assert line == "gomedic: error: /dev/null: a character device, not a binary file"


def test_list_unknown_area_exits_2_with_the_known_ones() -> None:
    line = one_error_line(gomedic("list", "--area", "nope"))
    assert line.startswith("gomedic: error: unknown area 'nope' (areas: binary, build, cgo, ")
    assert "toolchain" in line and "runtime" in line
    ok = gomedic("list", "--area", "runtime")
    assert ok.returncode == 0 and all(r.startswith("runtime.") for r in ok.stdout.splitlines())


@pytest.mark.parametrize("cmd", ["check", "host", "gate", "service", "probe", "binary"])
def test_set_help_example_is_accepted_by_that_command(cmd: str, tmp_path: Path) -> None:
    """The `e.g.` of each command's --set help is a threshold that command has (`check --set
    host.nofile.min=...` was the example, and check rejects it)."""
    import re

    help_text = " ".join(gomedic(cmd, "--help").stdout.split())
    m = re.search(r"--set CHECK.NAME=VALUE override a check's threshold(?:, e\.g\. (\S+=\S+))? ", help_text)
    assert m, help_text
    if cmd == "binary":
        assert m.group(1) is None  # the binary checks declare no thresholds: no example to give
        return
    unit = tmp_path / "app.service"
    unit.write_text("[Service]\nExecStart=/bin/true\n")
    target = {"service": [str(unit)], "probe": ["--pid", str(os.getpid()), "--window", "0"]}.get(cmd, [])
    p = gomedic(cmd, *target, "--set", m.group(1), "--format", "json")
    assert p.returncode in (0, 1) if cmd != "gate" else p.returncode % 10 == 0, (p.returncode, p.stderr)


def test_set_unknown_threshold_names_the_option() -> None:
    line = one_error_line(gomedic("check", "--set", "host.nofile.min=65536"))
    assert line == "gomedic: error: --set host.nofile.min: unknown check id 'host.nofile' (see `gomedic list`)"
    line = one_error_line(gomedic("host", "--set", "host.nofile.minimum=1"))
    assert line.startswith("gomedic: error: --set host.nofile.minimum: check host.nofile has no threshold 'minimum'")
    line = one_error_line(gomedic("host", "--set", "host.nofile.min=lots"))
    assert line == "gomedic: error: --set host.nofile.min=lots: expected an integer (the default is 4096)"


def test_textfile_dir_is_checked_before_anything_runs(tmp_path: Path) -> None:
    p = gomedic("host", "--textfile-dir", str(tmp_path / "nope"))
    assert p.returncode == 2 and p.stdout == ""  # rejected while the command line is read: nothing ran
    last = p.stderr.strip().splitlines()[-1]  # after argparse's usage lines
    assert last == f"gomedic host: error: argument --textfile-dir: {tmp_path / 'nope'}: no such directory"


def test_validate_examples_glob_and_a_vars_file_given_as_checks() -> None:
    ex = REPO / "examples"
    files = sorted(str(p.relative_to(REPO)) for p in ex.glob("*.yaml"))
    ok = gomedic("validate", *files, cwd=REPO)
    assert ok.returncode == 0, ok.stdout
    assert ok.stdout.strip().endswith(f"valid in {len(files)} files")
    bad = gomedic("validate", "examples/vars/prod.yaml", cwd=REPO)
    assert bad.returncode == 2
    assert bad.stdout.splitlines()[0].endswith(
        "this is a vars file (only NAME: value pairs, no checks:), not a check file: "
        "pass it with --vars examples/vars/prod.yaml")


def test_missing_ca_file_is_named(tmp_path: Path) -> None:
    checks = tmp_path / "c.yaml"
    ca = tmp_path / "missing-ca.pem"
    checks.write_text(
        f"checks:\n  - {{name: api, kind: http, url: 'https://127.0.0.1:9/', ca_file: '{ca}'}}\n"
        f"  - {{name: m, kind: metric, url: 'https://127.0.0.1:9/metrics', metric: up, ca_file: '{ca}'}}\n"
    )
    p = gomedic("run", str(checks), "--format", "json")
    assert p.returncode == 1, p.stderr
    import json

    for r in json.loads(p.stdout)["results"]:
        assert r["status"] == "fail"
        assert f"ca_file {ca}: No such file or directory" in r["summary"], r["summary"]
        assert str(ca) in r["fix"] and "did not answer" not in r["summary"]
