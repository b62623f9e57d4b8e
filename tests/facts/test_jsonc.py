"""The JSONC reader (VS Code settings): comments, trailing commas, and hostile input."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.errors import FormatError
from gomedic.facts import jsonc


def test_comments_and_trailing_commas() -> None:
    text = """\ufeff{
  // line comment with "quotes" and a , comma
  "go.goroot": "/usr/local/go", /* block
  comment */ "url": "http://x//y", "s": "a /* not a comment */ b",
  "list": [1, 2, 3,],
  "obj": {"k": "v",   // trailing
  },
}"""
    assert jsonc.loads(text) == {"go.goroot": "/usr/local/go", "url": "http://x//y",
                                 "s": "a /* not a comment */ b", "list": [1, 2, 3], "obj": {"k": "v"}}


def test_escaped_quotes_in_strings() -> None:
    assert jsonc.loads(r'{"a": "x\"//y", "b": "\\",}') == {"a": 'x"//y', "b": "\\"}


def test_empty_file_is_an_empty_object() -> None:
    assert jsonc.loads("  // nothing\n") == {}


@pytest.mark.parametrize("bad", ['{"a": 1 "b": 2}', "/* open", '{"a": [}', "[" * 5000 + "]" * 5000])
def test_errors_are_format_errors(bad: str) -> None:
    with pytest.raises(FormatError):
        jsonc.loads(bad)


def test_error_names_the_line() -> None:
    with pytest.raises(FormatError, match="line 3"):
        jsonc.loads('{\n  "a": 1,\n  "b" 2\n}')


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from([*'{}[],:"/*\\ \n\tab01.', "\u00e9"]), max_size=300))
def test_hostile_text_never_crashes(text: str) -> None:
    try:
        jsonc.loads(text)
    except FormatError:
        pass


@settings(max_examples=60, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
                    max_leaves=20))
def test_plain_json_round_trips(value: object) -> None:
    text = json.dumps(value)
    assert jsonc.loads(text) == (value if text.strip() else {})


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    try:
        jsonc.loads(data.decode("utf-8", "replace"))
    except FormatError:
        pass


SETTINGS = """{
  // Go
  "go.goroot": "/usr/local/go",
  "go.alternateTools": {"go": "~/sdk/go1.27.3/bin/go", /* note */ },
  "go.toolsEnvVars": {"GOOS": "linux", "CGO_ENABLED": "0",},
  "[go]": {"editor.formatOnSave": true},
}
"""


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SETTINGS)), st.integers(0, len(SETTINGS) - 1), st.characters(blacklist_categories=("Cs",)))
def test_truncated_and_mutated_settings_never_crash(cut: int, at: int, c: str) -> None:
    for text in (SETTINGS[:cut], SETTINGS[:at] + c + SETTINGS[at + 1 :]):
        try:
            jsonc.loads(text)
        except FormatError:
            pass


def test_oversized_input_is_refused() -> None:
    with pytest.raises(FormatError, match="larger than"):
        jsonc.loads("{" + " " * (jsonc.MAX_JSONC + 1) + "}")
