"""`--debug` (anywhere on the command line) and GOMEDIC_DEBUG=1 log every process started and every fact
gathered to stderr, and change nothing else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.goenv import make_env


@pytest.mark.parametrize("argv", [("--debug", "check"), ("check", "--format", "json", "--debug"),
                                  ("--format", "json", "--debug")])
def test_debug_logs_processes_and_facts(tmp_path: Path, argv: tuple[str, ...]) -> None:
    env = make_env(tmp_path)
    p = env.gomedic(*argv, "--format", "json") if "--format" not in argv else env.gomedic(*argv)
    assert p.returncode in (0, 1), p.stderr
    json.loads(p.stdout)  # stdout is still the report alone
    lines = p.stderr.splitlines()
    ran = [ln for ln in lines if ln.startswith("gomedic: debug: gomedic.execx: ran ")]
    assert any(" env -json " in ln and "exit 0" in ln for ln in ran), p.stderr
    assert any(ln.startswith("gomedic: debug: gomedic.facts: fact go.envprobe gathered in ") for ln in lines)


def test_no_debug_lines_without_it(tmp_path: Path) -> None:
    p = make_env(tmp_path).gomedic("check", "--format", "json")
    assert "debug" not in p.stderr
