"""Exit codes, gate codes and the score are computed in the model, once."""

from __future__ import annotations

import pytest

from gomedic.errors import GomedicError
from gomedic.model import Category, FailOn, Report, Result, Severity, Status, health_score
from gomedic.registry import CheckSpec, Registry


def _r(status: Status, category: Category = Category.TOOLCHAIN, severity: Severity = Severity.HIGH,
       shadow: bool = False) -> Result:
    return Result(id="x.y", area="x", category=category, status=status, severity=severity, title="t",
                  summary="s", shadow=shadow)


def _report(*results: Result, command: str = "check", fail_on: FailOn = FailOn.FAIL) -> Report:
    return Report(command, tuple(results), "2026-11-21T00:00:00Z", 0.1, {}, fail_on)


def test_exit_codes() -> None:
    assert _report(_r(Status.OK), _r(Status.WARN)).exit == 0
    assert _report(_r(Status.OK), _r(Status.WARN), fail_on=FailOn.WARN).exit == 1
    assert _report(_r(Status.OK), _r(Status.FAIL)).exit == 1
    assert _report(_r(Status.OK), _r(Status.FAIL), fail_on=FailOn.NEVER).exit == 0
    assert _report(_r(Status.OK), _r(Status.ERROR)).exit == 1
    assert _report(_r(Status.SKIP), _r(Status.OK)).exit == 0  # skipped results never fail a run
    assert _report(_r(Status.SKIP), _r(Status.ERROR)).exit == 3  # nothing could be evaluated
    assert _report().exit == 0


def test_gate_codes_smallest_failing_category() -> None:
    rs = [_r(Status.FAIL, Category.SERVICE), _r(Status.FAIL, Category.TLS), _r(Status.WARN, Category.NETWORK)]
    assert _report(*rs, command="gate").exit == 20
    assert _report(_r(Status.OK), command="gate").exit == 0
    assert [c.gate_code for c in Category] == [10, 20, 30, 40, 50, 60, 70, 80, 90]


def test_shadow_results_never_count() -> None:
    rs = [_r(Status.OK), _r(Status.FAIL, Category.CUSTOM, shadow=True)]
    assert _report(*rs).exit == 0
    assert _report(*rs, command="gate").exit == 0
    assert health_score(rs) == 100


def test_score() -> None:
    assert health_score([]) == 100
    assert health_score([_r(Status.OK), _r(Status.FAIL)]) == 50
    assert health_score([_r(Status.OK), _r(Status.WARN)]) == 75
    assert health_score([_r(Status.OK), _r(Status.SKIP)]) == 100
    assert health_score([_r(Status.FAIL, severity=Severity.INFO), _r(Status.OK)]) == 100
    assert health_score([_r(Status.FAIL, severity=Severity.CRITICAL), _r(Status.OK, severity=Severity.LOW)]) == 11


def test_registry_rejects_duplicates_and_bad_ids() -> None:
    reg = Registry()
    spec = CheckSpec("a.b", "a", Category.CUSTOM, Severity.LOW, "t", lambda f: [])
    reg.add(spec)
    with pytest.raises(GomedicError, match="registered twice"):
        reg.add(spec)
    with pytest.raises(GomedicError, match="not of the form"):
        reg.add(CheckSpec("Bad_Id", "a", Category.CUSTOM, Severity.LOW, "t", lambda f: []))
