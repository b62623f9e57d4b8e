"""Threshold names: one style (snake_case, a unit last), and the spellings of earlier releases still work."""

from __future__ import annotations

import json
import os
import re

from gomedic.checks import BUILTIN
from gomedic.commands._common import parse_overrides
from gomedic.facts import Facts, Options
from gomedic.registry import REGISTRY, THRESHOLD_ALIASES, load
from tests.support.cli import run_gomedic, validate_report

NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _all() -> None:
    for modules in BUILTIN.values():
        load(modules)


def test_every_threshold_name_is_snake_case() -> None:
    _all()
    names = [f"{s.id}.{n}" for s in REGISTRY for n in s.thresholds]
    assert names and [k for k in names if not NAME.match(k.rpartition(".")[2])] == []


def test_old_spellings_name_the_same_threshold() -> None:
    _all()
    for old, new in THRESHOLD_ALIASES.items():
        assert REGISTRY.threshold(old) == REGISTRY.threshold(new), old
        facts = Facts(Options(overrides=parse_overrides([f"{old}=7"])))
        assert facts.threshold(new) == facts.threshold(old) == 7, old


def _nofile(key: str) -> tuple[int, str]:
    run = run_gomedic("host", "--area", "host", "--set", f"{key}=1", "--format", "json", env=dict(os.environ))
    assert run.returncode in (0, 1), run.stderr
    doc = validate_report(json.loads(run.stdout))
    return run.returncode, next(r["status"] for r in doc["results"] if r["id"] == "host.nofile")


def test_set_accepts_an_old_spelling() -> None:
    assert _nofile("host.nofile.usage-pct") == _nofile("host.nofile.usage_pct")
