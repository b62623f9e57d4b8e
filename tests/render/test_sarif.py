"""SARIF 2.1.0: valid against the OASIS schema (tests/render/data), results only where a file is named."""

from __future__ import annotations

import json

from gomedic.finding import fail, warn
from gomedic.model import Status
from gomedic.render import RenderOptions, render
from gomedic.render.sarif import location_of, to_sarif
from tests.support.outputs import mixed_report, report, result, validate_sarif


def sarif(rep: object) -> dict:
    doc = json.loads(render(rep, "sarif", RenderOptions()))  # type: ignore[arg-type]
    validate_sarif(doc)
    return doc


def test_valid_and_only_located_problems() -> None:
    doc = sarif(mixed_report())
    (run,) = doc["runs"]
    assert doc["version"] == "2.1.0" and run["tool"]["driver"]["name"] == "gomedic"
    got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
           for r in run["results"]]
    assert got == [
        ("toolchain.gotoolchain", "error", "file:///src/app/go.mod"),
        ("goenv.file", "warning", "file:///home/u/.config/go/env"),             # with a line
        ("binary.glibc", "error", "file:///srv/app/bin/server"),
    ]  # goroot-matches names no file; ok/skip are not findings; the shadow failure names no file
    goenv = run["results"][1]
    assert goenv["locations"][0]["physicalLocation"]["region"] == {"startLine": 3}
    assert "hunter2" not in json.dumps(doc)


def test_rules_carry_explain_text_and_indexes_match() -> None:
    (run,) = sarif(mixed_report())["runs"]
    rules = run["tool"]["driver"]["rules"]
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    gotc = next(r for r in rules if r["id"] == "toolchain.gotoolchain")
    # the docstring of the real check, i.e. what `gomedic explain toolchain.gotoolchain` prints
    assert "GOTOOLCHAIN" in gotc["help"]["text"] and "two-part" in gotc["help"]["text"]
    assert len(gotc["fullDescription"]["text"]) <= 1024
    unknown = next(r for r in rules if r["id"] == "goenv.file" or r["id"] == "binary.glibc")
    assert unknown["help"]["text"]


def test_fingerprints_stable_across_runs_and_summary_changes() -> None:
    a = to_sarif(report(result("goenv.file", Status.FAIL, summary="GOFLAGS=-x is bad", file="/e", line=2)))
    b = to_sarif(report(result("goenv.file", Status.WARN, summary="GOFLAGS=-y is bad", file="/e", line=2)))
    c = to_sarif(report(result("goenv.file", Status.FAIL, summary="GOFLAGS=-x is bad", file="/e", line=3)))
    fp = [d["runs"][0]["results"][0]["partialFingerprints"] for d in (a, b, c)]
    assert fp[0] == fp[1] != fp[2]


def test_location_is_the_results_own() -> None:
    assert location_of(result(file="deploy/app.service", line=12)) == ("deploy/app.service", 12)
    assert location_of(result("goenv.file", file="/root/.config/go/env")) == ("/root/.config/go/env", None)
    # evidence is never read for a location: only what the check set
    assert location_of(result("service.unit", evidence={"fragment": "/etc/systemd/system/app.service"})) is None
    assert location_of(result("binary.glibc", subject="/srv/app/bin/server")) is None
    assert location_of(result("host.nofile", evidence={"limit": "1024"})) is None
    doc = sarif(report(result(status=Status.FAIL, file="deploy/my app.service")))
    assert doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "deploy/my%20app.service"


def test_empty_is_valid() -> None:
    doc = sarif(report())
    assert doc["runs"][0]["results"] == [] and doc["runs"][0]["tool"]["driver"]["rules"] == []


def test_checks_name_the_file_through_the_helpers() -> None:
    """`file=`/`line=` of a finding helper are its location and stay in the evidence; a placeholder is no file."""
    f = fail("GOFLAGS=-x in the GOENV file is not a flag", fix="go env -u GOFLAGS", file="/h/.config/go/env", line=3)
    assert (f.file, f.line) == ("/h/.config/go/env", 3) and f.evidence["file"] == "/h/.config/go/env"
    assert f.evidence["line"] == "3"
    assert (warn("x", file="(none)").file, warn("x", file="a/go.mod", line="").line) == (None, None)
    assert warn("x", file="a/go.mod", line="12").line == 12 and warn("x", file="a/go.mod", line=0).line is None
