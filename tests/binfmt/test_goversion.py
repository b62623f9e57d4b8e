"""Go version ordering as Go orders versions (go/version, internal/gover)."""

from __future__ import annotations

import pytest

from gomedic.binfmt import goversion

ORDERED = ["go1.19", "go1.20", "go1.20.1", "go1.21", "go1.21rc1", "go1.21rc2", "go1.21.0", "go1.21.1",
           "go1.22beta1", "go1.22rc1", "go1.22.0", "go1.27.3", "go2"]


@pytest.mark.parametrize("i", range(len(ORDERED) - 1))
def test_strictly_increasing(i: int) -> None:
    assert goversion.compare(ORDERED[i], ORDERED[i + 1]) == -1
    assert goversion.compare(ORDERED[i + 1], ORDERED[i]) == 1


@pytest.mark.parametrize(("a", "b"), [("go1.20", "go1.20.0"), ("go1.22.0-bigcorp", "go1.22.0"),
                                      ("go1.21.11 X:nocoverageredesign", "go1.21.11"), ("devel +abc", "bogus")])
def test_equal(a: str, b: str) -> None:
    assert goversion.compare(a, b) == 0


def test_invalid_is_lowest_and_helpers() -> None:
    assert goversion.compare("devel go1.28-abc", "go1.0") == -1
    assert not goversion.is_valid("devel +abc") and goversion.is_valid("go1.21rc1")
    assert goversion.lang("go1.21.3") == "go1.21" and goversion.lang("1.21.3") == "1.21"
    assert goversion.minor("go1.27.3") == 27 and goversion.is_lang("1.21") and not goversion.is_lang("1.21.0")
