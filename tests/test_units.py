"""units: the one parser of durations and sizes, the one printer of memory amounts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gomedic.units import gomemlimit_value, mib, parse_duration, parse_size


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30.0), ("500ms", 0.5), ("2m", 120.0), ("1h", 3600.0),
                                               ("1d", 86400.0), ("90", 90.0), (" 1.5 m ", 90.0)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "s", "1w", "-1s", "1e3s", "1 2s", "30 sec"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration such as 30s"):
        parse_duration(text)


@pytest.mark.parametrize(("text", "size"), [("16MiB", 16 << 20), ("512k", 512 << 10), ("1G", 1 << 30),
                                            ("2048", 2048), ("3 kb", 3072)])
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


def test_memory_for_people_and_for_gomemlimit() -> None:
    assert mib(64 << 20) == "64.0 MiB" and mib(1.5 * (1 << 20)) == "1.5 MiB"
    assert gomemlimit_value((460 << 20) + 12345) == "460MiB"


@given(st.text(max_size=40))
def test_parsers_raise_only_value_error(text: str) -> None:
    for parse in (parse_duration, parse_size):
        try:
            parse(text)
        except ValueError:
            pass
