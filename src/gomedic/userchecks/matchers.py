"""Matchers: what a declared value must be. A bare value means `eq`; a mapping combines operators (all hold).

    status: 200                        # eq
    value: {ge: 262144}
    status: {between: [200, 299]}
    body: {matches: '"status":\\s*"ok"'}
    labels: {db: main}                 # per-label matchers
    value: {exists: false}             # the thing must be absent

Operators: eq, ne, gt, ge, lt, le, between, matches (regex, searched), contains (substring, or a member of a
list), exists. Numbers compare as numbers when both sides read as numbers, else as text. `matches` uses
RE2 (userchecks.regex): linear time, so a hostile pattern cannot outlast the check's timeout.
"""

from __future__ import annotations

import math

import msgspec

from gomedic.userchecks.regex import PatternError, compile_pattern, search

Scalar = bool | int | float | str
Actual = bool | int | float | str | None | list[str]

OPERATORS = ("eq", "ne", "gt", "ge", "lt", "le", "between", "matches", "contains", "exists")


class Matcher(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, frozen=True):
    eq: Scalar | None = None
    ne: Scalar | None = None
    gt: float | None = None
    ge: float | None = None
    lt: float | None = None
    le: float | None = None
    between: tuple[float, float] | None = None
    matches: str | None = None
    contains: Scalar | None = None
    exists: bool | None = None

    def operators(self) -> list[tuple[str, object]]:
        return [(op, getattr(self, op)) for op in OPERATORS if getattr(self, op) is not None]


Expect = Scalar | Matcher


def problems(m: Expect) -> list[tuple[tuple[str, ...], str]]:
    """Semantic errors of a matcher, each with the sub-path it is about (for file:line:column)."""
    if not isinstance(m, Matcher):
        return []
    out: list[tuple[tuple[str, ...], str]] = []
    if not m.operators():
        out.append(((), f"a matcher needs at least one of: {', '.join(OPERATORS)}"))
    if m.matches is not None:
        try:
            compile_pattern(m.matches)
        except PatternError as e:
            out.append((("matches",), f"invalid regular expression {m.matches!r}: {e}"))
    if m.between is not None and m.between[0] > m.between[1]:
        out.append((("between",), f"between [{m.between[0]:g}, {m.between[1]:g}]: the low end is above the high end"))
    return out


def number(v: object) -> float | None:
    """`v` as a number, when it reads as one (bools are not numbers)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        try:
            return float(int(s, 0)) if s[:2].lower() in ("0x", "0o", "0b") else float(s)
        except (ValueError, IndexError):
            return None
    return None


def text(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer() and not math.isinf(v):
        return str(int(v))
    if isinstance(v, list):
        return "[" + ", ".join(text(x) for x in v) + "]"
    return str(v)


_TRUE = frozenset({"true", "1", "yes", "on", "y"})
_FALSE = frozenset({"false", "0", "no", "off", "n"})


def _equal(actual: Actual, want: object) -> bool:
    if isinstance(actual, list):
        return False
    if isinstance(want, bool):
        return text(actual).strip().lower() in (_TRUE if want else _FALSE)
    a, w = number(actual), number(want)
    if a is not None and w is not None:
        return a == w
    return text(actual) == text(want)


def _one(op: str, arg: object, actual: Actual) -> bool:
    if op == "exists":
        return (actual is not None) is arg
    if actual is None:
        return False
    if op == "eq":
        return _equal(actual, arg)
    if op == "ne":
        return not _equal(actual, arg)
    if op == "matches":
        subject = "\n".join(actual) if isinstance(actual, list) else text(actual)
        return search(str(arg), subject)
    if op == "contains":
        if isinstance(actual, list):
            return any(_equal(x, arg) for x in actual)
        return text(arg) in text(actual)
    a = number(actual)
    if a is None:
        return False
    if op == "between":
        assert isinstance(arg, tuple)
        return bool(arg[0] <= a <= arg[1])
    w = float(arg)  # type: ignore[arg-type]
    return {"gt": a > w, "ge": a >= w, "lt": a < w, "le": a <= w}[op]


def describe(m: Expect) -> str:
    """`ge 262144`, `between 200 and 299`, `eq "ok"`: how the expectation reads in a summary."""
    if not isinstance(m, Matcher):
        return f"eq {text(m)}"
    parts = []
    for op, arg in m.operators():
        if op == "between":
            assert isinstance(arg, tuple)
            parts.append(f"between {text(arg[0])} and {text(arg[1])}")
        elif op == "exists":
            parts.append("present" if arg else "absent")
        elif op == "matches":
            parts.append(f"matches /{arg}/")
        else:
            parts.append(f"{op} {text(arg)}")
    return " and ".join(parts)


def check(m: Expect, actual: Actual) -> bool:
    """Whether `actual` (None when the thing is absent) satisfies every operator of `m`."""
    if not isinstance(m, Matcher):
        return actual is not None and _equal(actual, m)
    return all(_one(op, arg, actual) for op, arg in m.operators())


def show(actual: Actual) -> str:
    if actual is None:
        return "absent"
    s = text(actual)
    return s if len(s) <= 120 else s[:117] + "..."
