"""A serve job's arguments cannot smuggle an output option past the config: every argument is on the job
command's allow-list, written in full. And no parser of the CLI accepts an abbreviated option."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic.cli import build_parser
from gomedic.commands import COMMANDS
from gomedic.errors import ConfigError
from gomedic.serve import config as c
from gomedic.serve.jobargs import ALLOWED
from tests.serve.conftest import SRC

AVAILABLE = list(COMMANDS)


def job(tmp_path: Path, command: str, args: list[str]) -> c.ServeConfig:
    f = tmp_path / "serve.yaml"
    f.write_text(f"jobs: [{{name: smuggler, command: {command}, args: {args!r}, every: 1m}}]\n")
    return c.load(str(f), AVAILABLE)


# Each form argparse would accept as an output option today, or that reaches one another way.
SMUGGLED = [
    ("check", ["-o/tmp/x"]),  # short option with its value attached
    ("check", ["-o", "/tmp/x"]),
    ("check", ["-vo/tmp/x"]),  # grouped short options
    ("check", ["--outp", "/tmp/x"]),  # abbreviation of --output
    ("check", ["--outp=/tmp/x"]),
    ("check", ["--output=/tmp/x"]),
    ("check", ["--textfile", "/tmp/dir"]),  # abbreviation of --textfile-dir
    ("check", ["--textfile-dir=/tmp/dir"]),
    ("check", ["--form", "text"]),  # abbreviation of --format
    ("check", ["--format=text"]),
    ("host", ["--are", "host"]),  # an abbreviation of an allowed option is refused too
    ("check", ["-h"]),
    ("check", ["--", "-o/tmp/x"]),
    ("check", ["stray"]),  # check takes no positionals
    ("binary", ["--buildinfo", "/usr/bin"]),  # prints text, not a report
    ("run", ["checks.yaml", "-o/tmp/x"]),
    ("gate", ["--vars", "-o/tmp/x"]),  # an option's value may not be an option
    ("probe", ["http://127.0.0.1:1/", "--window"]),  # a value option without its value
    ("check", ["--area\x00x", "toolchain"]),
]


@pytest.mark.parametrize(("command", "args"), SMUGGLED, ids=[" ".join(a) for _, a in SMUGGLED])
def test_smuggled_arguments_are_refused_at_load(tmp_path: Path, command: str, args: list[str]) -> None:
    with pytest.raises(ConfigError) as e:
        job(tmp_path, command, args)
    msg = str(e.value)
    assert msg.startswith(f"{tmp_path / 'serve.yaml'}: jobs[0].args: ") and "not allowed for a" in msg, msg
    assert f"`{command}` job" in msg


def test_smuggling_exits_2_before_anything_runs(tmp_path: Path) -> None:
    f = tmp_path / "serve.yaml"
    f.write_text("jobs: [{name: smuggler, command: check, args: [--outp, /tmp/x], every: 1m}]\n")
    r = subprocess.run([sys.executable, "-m", "gomedic", "serve", "--config", str(f), "--check-config"],
                       capture_output=True, text=True, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert "jobs[0].args: '--outp' is not allowed for a `check` job" in r.stderr


@pytest.mark.parametrize(("command", "args"), [
    ("check", ["--area", "toolchain", "--area=env", "--deep", "--set", "x.y=1", "-v", "--fail-on", "warn"]),
    ("host", ["--pid", "1", "--area", "host", "--skip=host.swap"]),
    ("binary", ["-r", "/usr/local/bin", "--target", "linux/amd64"]),
    ("probe", ["http://127.0.0.1:8080/", "--window", "1s", "--max-body=1000"]),
    ("gate", ["--unit", "goapp.service", "-q"]),
])
def test_allowed_arguments_load(tmp_path: Path, command: str, args: list[str]) -> None:
    assert job(tmp_path, command, args).jobs[0].args == tuple(args)


def _subparsers(p: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    return next((dict(a.choices) for a in p._actions if isinstance(a, argparse._SubParsersAction)), {})


def _all_parsers(p: argparse.ArgumentParser, name: str = "gomedic") -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, p
    for sub, sp in _subparsers(p).items():
        yield from _all_parsers(sp, f"{name} {sub}")


def test_allow_list_names_only_real_non_output_options() -> None:
    """The allow-list follows the parsers: each listed option exists in its command, none is an output one."""
    commands = _subparsers(build_parser())
    for command, spec in ALLOWED.items():
        options = {o for a in commands[command]._actions for o in a.option_strings}
        assert spec.flags | spec.values <= options, (command, (spec.flags | spec.values) - options)
        assert not (spec.flags | spec.values) & {"-o", "--output", "--format", "--textfile-dir", "-h", "--help"}
    assert set(ALLOWED) == set(c.JOB_COMMANDS)


def test_no_parser_accepts_abbreviations() -> None:
    parsers = list(_all_parsers(build_parser()))
    assert len(parsers) > len(COMMANDS)  # nested ones (fleet's) are included
    loose = [name for name, p in parsers if p.allow_abbrev]
    assert not loose, loose


@pytest.mark.parametrize("command", ["check", "host", "binary", "probe", "run", "gate", "report", "fleet summarize"])
def test_cli_refuses_abbreviated_output_options(tmp_path: Path, command: str) -> None:
    """The real CLI, as a job would run it: `--outp FILE` is an error, and nothing is written."""
    out = tmp_path / "out.txt"
    r = subprocess.run([sys.executable, "-m", "gomedic", *command.split(), "--outp", str(out)], capture_output=True,
                       text=True, env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
                       cwd=tmp_path, timeout=60)
    assert r.returncode == 2, r.stderr
    assert "--outp" in r.stderr and not out.exists()
