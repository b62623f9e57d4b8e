"""Nagios plugin output: one status line with perfdata; its own 0/1/2/3 protocol."""

from __future__ import annotations

import re

from gomedic.model import Status
from gomedic.render import RenderOptions, render
from gomedic.render.nagios import NagiosState, exit_code, state
from tests.support.outputs import mixed_report, report, result

PERF = re.compile(r"^[a-z]+=\d+(\.\d+)?s?;;;0;(100)?$")


def test_states() -> None:
    assert state(report(result(status=Status.OK))) is NagiosState.OK
    assert state(report(result(status=Status.OK), result("goenv.file", Status.WARN))) is NagiosState.WARNING
    assert state(report(result(status=Status.OK), result("host.nofile", Status.ERROR))) is NagiosState.UNKNOWN
    assert state(report(result(status=Status.FAIL), result("host.nofile", Status.ERROR))) is NagiosState.CRITICAL
    assert state(report(result(status=Status.SKIP))) is NagiosState.UNKNOWN  # nothing could be evaluated
    assert state(report(result(status=Status.OK), result(status=Status.FAIL, shadow=True))) is NagiosState.OK
    assert exit_code(mixed_report()) == 2


def test_one_line_with_perfdata() -> None:
    text = render(mixed_report(), "nagios", RenderOptions())
    assert text.count("\n") == 1
    status, perf = text.rstrip("\n").split(" | ")
    assert status.startswith(
        "GOMEDIC CRITICAL - check: 4 fail, 1 warn, 2 ok, 1 skip, 1 error; toolchain.goroot-matches: "
    )
    fields = perf.split()
    assert [f.split("=")[0] for f in fields] == ["ok", "warn", "fail", "skip", "error", "score", "duration"]
    assert all(PERF.match(f) for f in fields), fields


def test_verbose_adds_long_output_and_status_line_stays_clean() -> None:
    rep = report(result(status=Status.FAIL, summary="a | b\nc", fix="do x"))
    lines = render(rep, "nagios", RenderOptions(verbose=True)).splitlines()
    assert len(lines) == 2 and lines[0].count("|") == 1  # the only pipe separates perfdata
    assert lines[1] == "FAIL toolchain.goroot-matches: a / b c (fix: do x)"


def test_long_summary_is_cut() -> None:
    text = render(report(result(status=Status.FAIL, summary="x" * 10_000)), "nagios", RenderOptions())
    assert len(text.split(" | ")[0]) <= 1000
