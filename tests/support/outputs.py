"""Reports for the renderer and exporter tests, and the external consumers that judge their output.

Reports are real model values (renderers are pure functions of a Report); end-to-end tests also render
reports that real `gomedic` runs produced. Consumers are real: promtool (Debian `prometheus`), Perl's
`prove` for TAP, junitparser for JUnit, the OASIS SARIF 2.1.0 schema via jsonschema.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema

from gomedic.model import Category, FailOn, Report, Result, Severity, Status, frozen_map
from tests.support.cli import free_port as free_port  # tests/serve imports it from here
from tests.support.cli import validate_report as validate_report

DATA = Path(__file__).resolve().parents[1] / "render" / "data"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())


def result(
    id: str = "toolchain.goroot-matches",
    status: Status = Status.OK,
    *,
    severity: Severity = Severity.HIGH,
    category: Category = Category.TOOLCHAIN,
    summary: str | None = None,
    subject: str | None = None,
    evidence: Mapping[str, Any] | None = None,
    fix: str | None = None,
    shadow: bool = False,
    title: str = "GOROOT holds the same Go release as the go command",
    file: str | None = None,
    line: int | None = None,
) -> Result:
    return Result(
        id=id, area=id.split(".", 1)[0], category=category, status=status, severity=severity, title=title,
        summary=summary or f"{id} is {status.value}", subject=subject, evidence=frozen_map(evidence),
        fix=fix, duration_s=0.0123, shadow=shadow, file=file, line=line,
    )


def report(*results: Result, command: str = "check", duration_s: float = 0.25) -> Report:
    """A finished report, as runner.build_report makes one: secrets already redacted (renderers are pure)."""
    from gomedic.redact import known_secrets, redact_report

    built = Report(
        command=command, results=tuple(results), started_at="2026-11-21T19:00:00Z", duration_s=duration_s,
        context={"host": {"os": "linux", "arch": "amd64", "kernel": "6.1.0", "libc": "glibc 2.36"},
                 "go": {"version": "go1.27.3", "goroot": "/usr/local/go"}, "target": None},
        fail_on=FailOn.FAIL,
    )
    return redact_report(built, known_secrets())


def mixed_report() -> Report:
    """One of every status, a shadow failure, subjects, file evidence, a secret, and awkward characters."""
    return report(
        result(
            "toolchain.go-on-path", Status.OK, severity=Severity.CRITICAL, summary="go on PATH: /usr/local/go/bin/go"
        ),
        result(
            "toolchain.goroot-matches",
            Status.FAIL,
            summary="GOROOT=/opt/go1.22 holds go1.22.10 but go is go1.27.3",
            evidence={"GOROOT": "/opt/go1.22", "go version": "go1.27.3"},
            fix="unset GOROOT",
        ),
        result(
            "toolchain.gotoolchain",
            Status.FAIL,
            summary="/src/app/go.mod says `go 1.28` (two parts)",
            evidence={"go.mod": "/src/app/go.mod", "go line": "1.28"},
            fix="write `go 1.28.0` in go.mod",
            file="/src/app/go.mod",
        ),
        result(
            "goenv.file",
            Status.WARN,
            severity=Severity.MEDIUM,
            summary='GOENV file has "quotes" | pipes # hash',
            evidence={"file": "/home/u/.config/go/env", "line": "3", "GOPROXY": "https://bob:hunter2@proxy.example"},
            fix="go env -u GOFLAGS",
            file="/home/u/.config/go/env",
            line=3,
        ),
        result("modules.proxy", Status.SKIP, severity=Severity.MEDIUM, summary="not in a module"),
        result(
            "binary.glibc",
            Status.FAIL,
            category=Category.BINARY,
            subject="/srv/app/bin/server",
            summary="needs GLIBC_2.34, target has 2.31",
            evidence={"needs": "GLIBC_2.34"},
            file="/srv/app/bin/server",
        ),
        result(
            "binary.glibc",
            Status.OK,
            category=Category.BINARY,
            subject="/srv/app/bin/other",
            summary="needs GLIBC_2.17, target has 2.31",
            file="/srv/app/bin/other",
        ),
        result(
            "host.nofile", Status.ERROR, category=Category.LIMITS, summary="check crashed: OSError: boom\nsecond line"
        ),
        result(
            "custom.shadowed",
            Status.FAIL,
            category=Category.CUSTOM,
            severity=Severity.LOW,
            shadow=True,
            summary="a shadow rule fails",
            evidence={"API_TOKEN": "s3cr3t-value-123"},
        ),
    )


def promtool_check(text: str) -> subprocess.CompletedProcess[str]:
    """`promtool check metrics` (exit 0 also when it prints lint warnings; the caller asserts on output)."""
    assert shutil.which("promtool"), "promtool missing: apt-get install prometheus (.ci/apt-packages.txt)"
    return subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)


def prove(tap: str) -> subprocess.CompletedProcess[str]:
    """Perl's TAP harness reading `tap` (via `cat`): exit 0 only when the TAP parses and no test failed."""
    with tempfile.NamedTemporaryFile("w", suffix=".tap", delete=False) as fh:
        fh.write(tap)
    try:
        return subprocess.run(["prove", "-v", "--exec", "cat", fh.name], capture_output=True, text=True, timeout=60)
    finally:
        Path(fh.name).unlink()


SARIF_VALIDATOR = jsonschema.Draft4Validator(SARIF_SCHEMA)


def validate_sarif(doc: dict[str, Any]) -> None:
    SARIF_VALIDATOR.validate(doc)


