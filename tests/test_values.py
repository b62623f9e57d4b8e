"""@frozen value classes behave like the frozen dataclasses they replace."""

from __future__ import annotations

import pytest

from gomedic import values
from gomedic.values import FrozenInstanceError, field, frozen, replace


@frozen
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


@frozen
class Point3(Point):
    z: int = 9


@frozen(order=True)
class Version:
    major: int
    minor: int


def test_init_defaults_and_factories() -> None:
    p = Point(1)
    assert (p.x, p.y, p.tags) == (1, 0, [])
    assert Point(1).tags is not Point(1).tags
    assert Point(x=2, y=3) == Point(2, 3, [])
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, nope=2)  # type: ignore[call-arg]


def test_frozen_eq_hash_repr_replace() -> None:
    p = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del p.x  # type: ignore[misc]
    assert repr(p) == "Point(x=1, y=2, tags=[])"
    assert p != Point(1, 3) and p != (1, 2, [])
    assert hash(Version(1, 2)) == hash(Version(1, 2))
    assert replace(p, y=5) == Point(1, 5)
    with pytest.raises(TypeError):
        replace(p, nope=1)


def test_inheritance_and_order() -> None:
    assert Point3(1) == Point3(1, 0, [], 9)
    assert Point3(1) != Point(1)
    assert sorted([Version(1, 10), Version(1, 2), Version(0, 99)]) == [Version(0, 99), Version(1, 2), Version(1, 10)]
    match Version(1, 2):
        case Version(major, minor):
            assert (major, minor) == (1, 2)


def test_field_order_rule() -> None:
    with pytest.raises(TypeError, match="without a default follows"):

        @frozen
        class Bad:
            a: int = 1
            b: int  # type: ignore[misc]


def test_post_init_validates() -> None:
    @frozen
    class Positive:
        n: int

        def __post_init__(self) -> None:
            if self.n <= 0:
                raise ValueError("n must be positive")

    assert Positive(1).n == 1
    with pytest.raises(ValueError, match="positive"):
        Positive(0)


@pytest.mark.parametrize("compile_after", [0, 1, 100])
def test_field_driven_and_compiled_init_bind_alike(compile_after: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A class's first instances use the field-driven __init__, later ones the compiled one (start-up time):
    both bind positional and keyword arguments, defaults and factories alike, and reject the same calls."""
    monkeypatch.setattr(values, "COMPILE_AFTER", compile_after)

    @frozen
    class P:
        a: int
        b: int = 2
        c: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    for _ in range(3):  # across the switch from one __init__ to the other
        assert (P(1).a, P(1).b, P(1).c) == (1, 2, [])
        assert P(1, 3, [4]) == P(a=1, b=3, c=[4]) == P(1, c=[4], b=3)
        assert P(1).c is not P(1).c
        for bad in ((), (1, 2, [], 4)):
            with pytest.raises(TypeError):
                P(*bad)
        for kwargs in ({"a": 1}, {"d": 1}):
            with pytest.raises(TypeError):
                P(1, **kwargs)
        with pytest.raises(ValueError, match="negative"):
            P(-1)
