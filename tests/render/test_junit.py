"""JUnit XML read back by junitparser (a real consumer library): suites per area, cases per result."""

from __future__ import annotations

from pathlib import Path

from junitparser import Error, Failure, JUnitXml, Skipped

from gomedic.model import Status
from gomedic.render import RenderOptions, render
from tests.support.outputs import mixed_report, report, result


def parse(text: str, tmp_path: Path) -> JUnitXml:
    f = tmp_path / "junit.xml"
    f.write_text(text, encoding="utf-8")
    return JUnitXml.fromfile(str(f))


def test_suites_cases_and_outcomes(tmp_path: Path) -> None:
    xml = parse(render(mixed_report(), "junit", RenderOptions()), tmp_path)
    suites = {s.name: s for s in xml}
    assert list(suites) == ["toolchain", "goenv", "modules", "binary", "host", "custom"]
    assert (suites["toolchain"].tests, suites["toolchain"].failures) == (3, 2)
    assert (suites["host"].errors, suites["modules"].skipped) == (1, 1)
    cases = {(s.name, c.name): c for s in xml for c in s}
    assert len(cases) == len(mixed_report().results)  # names are unique: GitLab keys on classname+name
    fail = cases[("toolchain", "toolchain.goroot-matches")]
    (failure,) = fail.result
    assert isinstance(failure, Failure)
    assert failure.message == "GOROOT=/opt/go1.22 holds go1.22.10 but go is go1.27.3"
    assert "GOROOT: /opt/go1.22" in failure.text and "fix: unset GOROOT" in failure.text
    assert fail.classname == "gomedic.toolchain"
    assert isinstance(cases[("host", "host.nofile")].result[0], Error)
    assert isinstance(cases[("modules", "modules.proxy")].result[0], Skipped)
    assert cases[("binary", "binary.glibc [/srv/app/bin/server]")].result
    assert cases[("binary", "binary.glibc [/srv/app/bin/other]")].is_passed
    warn = cases[("goenv", "goenv.file")]
    assert warn.is_passed and "WARNING" in warn.system_out and "fix: go env -u GOFLAGS" in warn.system_out


def test_secrets_redacted(tmp_path: Path) -> None:
    text = render(mixed_report(), "junit", RenderOptions())
    assert "hunter2" not in text and "s3cr3t-value-123" not in text
    assert "bob:***@proxy.example" in text


def test_control_characters_and_markup_survive(tmp_path: Path) -> None:
    nasty = "bad \x00\x07 byte </failure><![CDATA[ & \"q\" \ud800 end"
    rep = report(result("toolchain.go-on-path", Status.FAIL, summary=nasty, evidence={"k\x01": nasty}, fix=nasty))
    xml = parse(render(rep, "junit", RenderOptions()), tmp_path)
    (case,) = [c for s in xml for c in s]
    msg = case.result[0].message
    assert msg.startswith("bad ") and "</failure><![CDATA[ & \"q\"" in msg and msg.endswith(" end")


def test_empty_report(tmp_path: Path) -> None:
    xml = parse(render(report(), "junit", RenderOptions()), tmp_path)
    assert list(xml) == []
