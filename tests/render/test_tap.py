"""TAP read by Perl's `prove` (TAP::Harness), a real consumer: plan, outcomes, directives, YAML blocks."""

from __future__ import annotations

import yaml

from gomedic.model import Status
from gomedic.render import RenderOptions, render
from tests.support.outputs import mixed_report, prove, report, result


def test_prove_parses_and_counts_failures() -> None:
    tap = render(mixed_report(), "tap", RenderOptions())
    res = prove(tap)
    out = res.stdout + res.stderr
    assert res.returncode == 1, out
    assert "Parse errors" not in out
    # goroot-matches, gotoolchain, binary.glibc (server), host.nofile fail; the shadow failure is a TODO.
    assert "Failed tests:  2-3, 6, 8" in out, out
    assert "Tests: 9 Failed: 4" in out, out


def test_all_passing_report_passes_prove() -> None:
    tap = render(
        report(result(status=Status.OK), result("goenv.file", Status.WARN), result("modules.proxy", Status.SKIP)),
        "tap",
        RenderOptions(),
    )
    res = prove(tap)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Result: PASS" in res.stdout


def test_yaml_diagnostics_parse_and_keep_hostile_text() -> None:
    nasty = 'line one\nline "two" # not a directive: value\n---\n...'
    tap = render(report(result(status=Status.FAIL, summary=nasty, evidence={"key: x": nasty}, fix="a # b")),
                 "tap", RenderOptions())
    lines = tap.splitlines()
    assert lines[0] == "TAP version 13" and lines[1] == "1..1"
    assert lines[2].startswith("not ok 1 - ") and "\\#" in lines[2]
    start, end = lines.index("  ---"), lines.index("  ...")
    diag = yaml.safe_load("\n".join(x[2:] for x in lines[start + 1:end]))
    assert diag["message"] == nasty and diag["evidence"] == {"key: x": nasty} and diag["fix"] == "a # b"
    assert prove(tap).returncode == 1
