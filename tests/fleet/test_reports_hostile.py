"""Reports from other hosts are hostile input: truncated, mutated, oversized or deeply nested documents
become FormatError (an `unreadable` entry), never a crash, and what parses always summarizes and renders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.errors import FormatError
from gomedic.fleet.render import FORMATS, render, to_dict
from gomedic.fleet.reports import MAX_REPORT_BYTES, parse_report, read_report
from gomedic.fleet.summary import summarize
from tests.support.fleet import validate_summary

# A real report's shape (as `gomedic check --format json` writes it), with a result per status.
BASE: dict[str, Any] = {
    "schema": "gomedic/report/v1",
    "tool": {"name": "gomedic", "version": "0.1.0"},
    "command": "check",
    "started_at": "2026-11-21T19:00:00Z",
    "duration_s": 0.1,
    "context": {"host": {"os": "linux"}, "go": None, "target": None},
    "summary": {"ok": 1, "warn": 1, "fail": 1, "skip": 1, "error": 1, "score": 40},
    "exit_code": 1,
    "results": [
        {"id": f"toolchain.c{i}", "area": "toolchain", "category": "toolchain", "status": s, "severity": sev,
         "title": "t", "summary": f"summary {i}", "subject": subj, "evidence": {}, "fix": None, "duration_s": 0.0}
        for i, (s, sev, subj) in enumerate([("ok", "info", None), ("warn", "low", "a"), ("fail", "critical", None),
                                            ("skip", "high", None), ("error", "medium", "b\nc|d")])
    ],
}
TEXT = json.dumps(BASE)


def _summarize_everything(data: str | bytes) -> None:
    try:
        h = parse_report(data, name="h", source="h.json")
    except FormatError as e:
        assert str(e)
        return
    s = summarize([h], generated_at="2026-11-21T00:00:00Z")
    validate_summary(to_dict(s))
    for fmt in FORMATS:
        assert render(s, fmt)


def test_the_base_document_parses() -> None:
    h = parse_report(TEXT, name="h", source="h.json")
    assert [r.status.value for r in h.results] == ["ok", "warn", "fail", "skip", "error"]
    s = summarize([h], generated_at="2026-11-21T00:00:00Z")
    assert s.exit_code == 1 and [r.id for r in s.hosts[0].failing] == ["toolchain.c2", "toolchain.c4"]
    assert "b c|d" not in render(s, "markdown")  # control characters and pipes never break a table
    assert "b c\\|d" in render(s, "markdown") or "toolchain.c4" in render(s, "markdown")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(TEXT)))
def test_truncated(n: int) -> None:
    _summarize_everything(TEXT[:n])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=len(TEXT) - 1), st.binary(min_size=1, max_size=3)),
                min_size=1, max_size=6))
def test_mutated_bytes(edits: list[tuple[int, bytes]]) -> None:
    data = bytearray(TEXT.encode())
    for pos, b in edits:
        data[pos: pos + len(b)] = b
    _summarize_everything(bytes(data))


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["schema", "tool", "command", "started_at", "summary", "exit_code", "results"]), _json)
def test_top_level_fields_of_any_type(key: str, value: Any) -> None:
    doc = json.loads(TEXT)
    doc[key] = value
    _summarize_everything(json.dumps(doc))


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=4),
       st.sampled_from(["id", "title", "area", "category", "status", "severity", "subject", "summary", "shadow"]),
       _json)
def test_result_fields_of_any_type(i: int, key: str, value: Any) -> None:
    doc = json.loads(TEXT)
    doc["results"][i][key] = value
    _summarize_everything(json.dumps(doc))


def test_deeply_nested_and_oversized(tmp_path: Path) -> None:
    with pytest.raises(FormatError):
        parse_report("[" * 200_000 + "]" * 200_000, name="h", source="h")
    with pytest.raises(FormatError, match="not JSON"):
        parse_report(b"\xff\xfe{}", name="h", source="h")
    big = tmp_path / "big.json"
    with open(big, "wb") as fh:
        fh.truncate(MAX_REPORT_BYTES + 10)  # sparse: no disk cost
    with pytest.raises(FormatError, match="more than"):
        read_report(big)
    with pytest.raises(FormatError, match="cannot read"):
        read_report(tmp_path)  # a directory


def test_huge_integer_and_unknown_schema() -> None:
    with pytest.raises(FormatError):  # Python refuses to convert > 4300 digits: still a clean error
        parse_report(TEXT.replace('"exit_code": 1', '"exit_code": ' + "9" * 5000), name="h", source="h")
    doc = json.loads(TEXT)
    doc["schema"] = "gomedic/report/v2"
    with pytest.raises(FormatError, match="v2"):
        parse_report(json.dumps(doc), name="h", source="h")
