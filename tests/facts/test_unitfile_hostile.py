"""Hostile unit files (issue 12 item 10): continuation lines join in linear time with a cap on the joined
line; any text parses into bounded entries and diagnostics, never an exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.facts.unitfile import LONG_LINE_MAX, parse_unit


def test_400k_continuation_lines_join() -> None:
    n = 400_000
    text = "[Service]\nExecStart=/bin/app \\\n" + "a\\\n" * n + "end\nUser=app\n"
    u = parse_unit(text, "big.service")
    assert not u.diagnostics
    exec_start = next(e for e in u.entries if e.key == "ExecStart")
    assert exec_start.line == 2 and exec_start.value == "/bin/app  " + "a " * n + "end"
    assert [e.key for e in u.entries] == ["ExecStart", "User"]


def test_joined_line_over_the_cap_is_a_diagnostic() -> None:
    piece = "b" * 1000 + " \\\n"
    n = LONG_LINE_MAX // 1000 + 10
    text = "[Service]\nEnvironment=A=1\nExecStart=/bin/app \\\n" + piece * n + "end\nUser=app\n"
    u = parse_unit(text.encode(), "long.service")
    assert [(d.line, d.severity) for d in u.diagnostics] == [(3, "error")]
    assert "continued line is longer than 1048576 bytes" in u.diagnostics[0].message
    assert str(u.diagnostics[0]).startswith("long.service:3: ")
    assert [e.key for e in u.entries] == ["Environment", "User"]  # the overlong line is dropped, not the rest


def test_continuation_at_end_of_file_and_comments_inside() -> None:
    u = parse_unit("[Service]\nA=1 \\\n# comment\n; other\n 2 \\\n", "e.service")
    assert [(e.key, e.value, e.line) for e in u.entries] == [("A", "1  2", 2)]


_LINE = st.one_of(
    st.text(alphabet="ab=[] #;\\\t", max_size=40),
    st.sampled_from(["[Service]", "ExecStart=/bin/x \\", "\\", "\\\\", "A=\\", "# c \\", ""]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, max_size=60), st.integers(min_value=0, max_value=3))
def test_any_text_parses_bounded(lines: list[str], repeat: int) -> None:
    text = "\n".join(lines * (1 + repeat))
    u = parse_unit(text, "p.service")
    n_lines = text.count("\n") + 1
    for e in u.entries:
        assert len(e.value) <= LONG_LINE_MAX and 1 <= e.line <= n_lines and e.key == e.key.strip()
    for d in u.diagnostics:
        assert 0 <= d.line <= n_lines and d.path == "p.service"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=4000))
def test_any_bytes_parse(data: bytes) -> None:
    u = parse_unit(data, "b.service")
    assert all(len(e.value) <= LONG_LINE_MAX for e in u.entries)
