"""A job's JSON output back into a Report: exact round trip, and hostile input only ever raises FormatError."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.errors import FormatError
from gomedic.render import RenderOptions, render
from gomedic.reportio import report_from_json
from tests.support.outputs import mixed_report

GOOD = render(mixed_report(), "json", RenderOptions())


def test_round_trip() -> None:
    rep, code = report_from_json(GOOD)
    assert code == 1
    assert render(rep, "json", RenderOptions()) == GOOD


def test_rejects_non_reports() -> None:
    for bad in ("", "null", "[]", '{"schema": "other"}', GOOD[: len(GOOD) // 2], "[" * 100_000):
        try:
            report_from_json(bad)
        except FormatError:
            continue
        raise AssertionError(f"accepted {bad[:40]!r}")


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_mutations_never_crash(data: st.DataObject) -> None:
    doc = json.loads(GOOD)
    path = data.draw(st.sampled_from([
        ("summary",), ("exit_code",), ("results", 0, "status"), ("results", 1, "evidence"), ("results", 2, "subject"),
        ("results", 3, "duration_s"), ("results",), ("context",), ("command",), ("results", 4),
        ("results", 3, "file"), ("results", 3, "line"),
    ]))
    value = data.draw(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats()
        | st.text(max_size=20)
        | st.lists(st.integers(), max_size=3)
        | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    )
    target = doc
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = value
    text = json.dumps(doc)
    cut = data.draw(st.integers(0, len(text)))
    for candidate in (text, text[:cut]):
        try:
            rep, code = report_from_json(candidate)
        except FormatError:
            continue
        assert 0 <= code <= 255 and all(r.summary is not None for r in rep.results)
