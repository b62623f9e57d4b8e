"""Matchers: each operator, shorthand equality, and property: no (matcher, value) pair raises."""

from __future__ import annotations

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gomedic.userchecks.common import seconds
from gomedic.userchecks.matchers import Expect, Matcher, check, describe, problems


def m(**kw: object) -> Matcher:
    return msgspec.convert(kw, Matcher)


@pytest.mark.parametrize(("expect", "actual", "want"), [
    (200, 200, True), (200, "200", True), (200, 404, False), ("ok", "ok", True), ("ok", "OK", False),
    (True, "1", True), (True, "yes", True), (False, "0", True), (True, "0", False),
    (m(ne=0), 3, True), (m(ne="x"), "x", False),
    (m(gt=1), "2", True), (m(ge=2), 2, True), (m(lt=2), 2, False), (m(le=2), 2.0, True),
    (m(ge=262144), "65530", False), (m(ge=1), "not a number", False), (m(ge=1), "0x10", True),
    (m(between=[200, 299]), 204, True), (m(between=[200, 299]), 300, False),
    (m(matches="^go1\\.2[4-9]"), "go1.27.3", True), (m(matches="^a$"), "x\na", True),
    (m(contains="json"), "application/json", True), (m(contains="10.0.0.5"), ["10.0.0.5", "::1"], True),
    (m(contains="x"), ["y"], False),
    (m(exists=True), None, False), (m(exists=False), None, True), (m(exists=True), "", True),
    (m(ge=1, lt=10), 5, True), (m(ge=1, lt=10), 10, False), (m(eq=3), None, False), (200, None, False),
])
def test_operators(expect: Expect, actual: object, want: bool) -> None:
    assert check(expect, actual) is want  # type: ignore[arg-type]


def test_describe_and_problems() -> None:
    assert describe(m(ge=1, lt=10)) == "ge 1 and lt 10"
    assert describe(m(between=[200, 299])) == "between 200 and 299"
    assert describe(m(exists=False)) == "absent"
    assert describe(200) == "eq 200"
    assert problems(m()) == [((), "a matcher needs at least one of: eq, ne, gt, ge, lt, le, between, matches, "
                                   "contains, exists")]
    assert problems(m(matches="(")) [0][0] == ("matches",)
    assert problems(m(between=[2, 1]))[0][0] == ("between",)


def test_durations() -> None:
    assert [seconds(x) for x in (5, 1.5, "500ms", "5s", "2m", "1h", "3")] == [5, 1.5, 0.5, 5, 120, 3600, 3]
    for bad in ("5 minutes", "-1s", "", True, -1):
        with pytest.raises(ValueError):
            seconds(bad)  # type: ignore[arg-type]


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
actuals = scalars | st.lists(st.text(max_size=10), max_size=5)
matchers = st.builds(
    Matcher,
    eq=st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    ne=st.none() | st.text(max_size=10) | st.integers(),
    gt=st.none() | st.floats(), ge=st.none() | st.floats(), lt=st.none() | st.floats(), le=st.none() | st.floats(),
    between=st.none() | st.tuples(st.floats(), st.floats()),
    matches=st.none() | st.sampled_from(["a", "^x$", "[0-9]+", "(?i)ok"]),
    contains=st.none() | st.text(max_size=5) | st.integers(),
    exists=st.none() | st.booleans(),
)


@given(expect=matchers | scalars.filter(lambda v: v is not None), actual=actuals)
def test_matching_never_raises(expect: Expect, actual: object) -> None:
    assert check(expect, actual) in (True, False)  # type: ignore[arg-type]
    assert isinstance(describe(expect), str)
