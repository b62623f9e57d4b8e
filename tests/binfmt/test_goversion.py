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


def test_go_line_formats_by_release() -> None:
    """Go <= 1.20's x/mod accepts only `1.N` go lines; Go 1.21 adds `1.N.P` and pre-releases (checked
    against the real releases in tests/checks/test_modules.py::test_go_line_format_per_release)."""
    from gomedic.binfmt.goversion import go_line_format_ok, has_gotoolchain, is_two_part, knows_directive

    assert is_two_part("1.19") and is_two_part("1.16") and is_two_part("1.21")
    assert not is_two_part("1.21.0") and not is_two_part("1.21rc1") and not is_two_part("1") and not is_two_part("x")
    for line in ("1.16", "1.19", "1.21", "1.30"):
        assert go_line_format_ok(line, "go1.19.8") and go_line_format_ok(line, "go1.21.13")
    for line in ("1.19.0", "1.21.0", "1.21rc1", "1.27.3"):
        assert not go_line_format_ok(line, "go1.19.8") and not go_line_format_ok(line, "go1.20.14")
        assert go_line_format_ok(line, "go1.21.0") and go_line_format_ok(line, "go1.21rc2")
    assert go_line_format_ok("1.21.0", "devel +abc")  # unknown release: no claim
    assert not knows_directive("go1.20.14", "toolchain") and knows_directive("go1.21.13", "toolchain")
    assert not knows_directive("go1.22.10", "godebug") and knows_directive("go1.23.0", "godebug")
    assert knows_directive("go1.19.8", "require") and not has_gotoolchain("go1.19.8") and has_gotoolchain("go1.21.0")
