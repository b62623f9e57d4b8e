"""The runner isolates checks: a raising or hanging check becomes `error`, the run completes."""

from __future__ import annotations

import threading
import time

from gomedic import runner
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.finding import Finding, ok, warn
from gomedic.model import Category, Severity, Status
from gomedic.registry import CheckSpec, Registry
from gomedic.runner import Selection, run_checks, select


def _spec(id: str, fn, timeout_s: float = 5.0, **kw) -> CheckSpec:  # type: ignore[no-untyped-def]
    return CheckSpec(id=id, area=id.split(".")[0], category=Category.CUSTOM, severity=Severity.HIGH,
                     title=id, fn=fn, timeout_s=timeout_s, **kw)


def test_raising_and_hanging_checks_become_errors() -> None:
    release = threading.Event()

    def boom(f: Facts) -> Finding:
        raise RuntimeError("kaput")

    def hang(f: Facts) -> Finding:
        release.wait(30)
        return ok("late")

    def fine(f: Facts) -> Finding:
        return ok("fine")

    specs = [_spec("t.boom", boom), _spec("t.hang", hang, timeout_s=0.3), _spec("t.fine", fine)]
    t0 = time.monotonic()
    results = run_checks(specs, Facts())
    took = time.monotonic() - t0
    release.set()
    by_id = {r.id: r for r in results}
    assert [r.id for r in results] == ["t.boom", "t.hang", "t.fine"]
    assert by_id["t.boom"].status is Status.ERROR and "RuntimeError: kaput" in by_id["t.boom"].summary
    assert by_id["t.hang"].status is Status.ERROR and "timed out after 0.3s" in by_id["t.hang"].summary
    assert by_id["t.fine"].status is Status.OK
    assert took < 10  # the run completed instead of waiting for the hung check


def test_hung_checks_do_not_starve_the_pool() -> None:
    release = threading.Event()

    def hang(f: Facts) -> Finding:
        release.wait(30)
        return ok("late")

    specs = [_spec(f"t.hang{i}", hang, timeout_s=0.2) for i in range(3)]
    specs.append(_spec("t.after", lambda f: ok("ran")))
    results = run_checks(specs, Facts(), workers=2)
    release.set()
    assert results[-1].status is Status.OK and results[-1].summary == "ran"


def test_quick_checks_do_not_start_more_workers(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Checks that never wait run on FIRST_WORKERS threads: more would only take turns on the GIL."""
    monkeypatch.setattr(runner, "RAMP_S", 60.0)  # no check is held up that long: no worker is added
    seen: set[int] = set()

    def quick(f: Facts) -> Finding:
        seen.add(threading.get_ident())
        return ok("quick")

    results = run_checks([_spec(f"t.q{i}", quick) for i in range(30)], Facts(), workers=8)
    assert [r.summary for r in results] == ["quick"] * 30
    assert 1 <= len(seen) <= runner.FIRST_WORKERS


def test_checks_that_wait_get_company() -> None:
    """Checks held up (a go command, the network) make the pool grow up to `workers`: here four checks
    can only finish together."""
    together = threading.Barrier(4)

    def wait(f: Facts) -> Finding:
        together.wait(10)
        return ok("together")

    specs = [_spec(f"t.w{i}", wait, timeout_s=20) for i in range(4)] + [_spec("t.after", lambda f: ok("ran"))]
    results = run_checks(specs, Facts(), workers=4)
    assert [r.summary for r in results] == ["together"] * 4 + ["ran"]


def test_run_budget() -> None:
    release = threading.Event()

    def slow(f: Facts) -> Finding:
        release.wait(30)
        return ok("late")

    specs = [_spec(f"t.slow{i}", slow, timeout_s=60) for i in range(4)]
    results = run_checks(specs, Facts(), workers=1, budget_s=0.3)
    release.set()
    assert all(r.status is Status.ERROR for r in results)
    assert "budget" in results[0].summary and "budget" in results[-1].summary


def test_fact_unavailable_is_skip_and_facts_are_memoized() -> None:
    calls = []

    @fact("test.counter")
    def counter(f: Facts) -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    @fact("test.missing")
    def missing(f: Facts) -> int:
        calls.append(2)
        raise FactUnavailable("no such thing here")

    specs = [_spec(f"t.c{i}", lambda f: ok(str(f.get(counter)))) for i in range(6)]
    specs += [_spec(f"t.m{i}", lambda f: ok(str(f.get(missing)))) for i in range(3)]
    results = run_checks(specs, Facts())
    assert calls.count(1) == 1 and calls.count(2) == 1  # gathered once each, failures memoized too
    assert all(r.summary == "42" for r in results[:6])
    assert all(r.status is Status.SKIP and "no such thing here" in r.summary for r in results[6:])


def test_several_findings_and_empty_output() -> None:
    specs = [_spec("t.multi", lambda f: [ok("a", subject="x"), warn("b", subject="y")]),
             _spec("t.empty", lambda f: [])]
    results = run_checks(specs, Facts())
    assert [(r.id, r.subject, r.status) for r in results[:2]] == [("t.multi", "x", Status.OK),
                                                                  ("t.multi", "y", Status.WARN)]
    assert results[2].status is Status.ERROR and "no result" in results[2].summary


def test_selection() -> None:
    reg = Registry()
    reg.add(_spec("a.one", lambda f: ok("")))
    reg.add(_spec("a.deep", lambda f: ok(""), deep=True))
    reg.add(_spec("b.net", lambda f: ok(""), online=True))
    ids = lambda sel: [s.id for s in select(reg, sel)]  # noqa: E731
    assert ids(Selection()) == ["a.one"]
    assert ids(Selection(deep=True, online=True)) == ["a.one", "a.deep", "b.net"]
    assert ids(Selection(areas=frozenset({"b"}), online=True)) == ["b.net"]
    assert ids(Selection(skip=frozenset({"a.one"}))) == []
