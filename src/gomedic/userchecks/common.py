"""The fields every declared check has, whatever its kind, and the units they are written in."""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, ClassVar

import msgspec

from gomedic.model import Category, Severity
from gomedic.userchecks.matchers import Expect, problems

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$"
Name = Annotated[str, msgspec.Meta(pattern=NAME_PATTERN, max_length=120)]
Duration = float | str  # seconds, or "500ms" / "5s" / "2m"
Problem = tuple[tuple[str | int, ...], str]

_DURATION = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?)\s*(ms|s|m|h)?\s*$")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}
MAX_TIMEOUT_S = 3600.0


class Rollout(str, Enum):
    """`enforce`: results count. `shadow`: reported, but never change exit codes, gate codes, score or alerts."""

    ENFORCE = "enforce"
    SHADOW = "shadow"


def seconds(v: Duration) -> float:
    """A duration in seconds; raises ValueError for anything that is not a non-negative duration."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a duration")
    if isinstance(v, (int, float)):
        if v < 0 or v != v:
            raise ValueError(f"{v!r} is not a non-negative duration")
        return float(v)
    m = _DURATION.match(v)
    if not m:
        raise ValueError(f"{v!r} is not a duration (write 500ms, 5s, 2m or a number of seconds)")
    return float(m.group(1)) * _UNIT_S[m.group(2)]


class Common(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, tag_field="kind", frozen=True):
    name: Name
    title: str = ""
    description: str = ""
    category: Category | None = None
    severity: Severity = Severity.MEDIUM
    timeout: Duration = 5.0
    retries: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0
    interval: Duration = 1.0
    tags: list[str] = msgspec.field(default_factory=list)
    rollout: Rollout = Rollout.ENFORCE
    fix: str = ""

    DEFAULT_CATEGORY: ClassVar[Category] = Category.CUSTOM

    @property
    def KIND(self) -> str:
        """The kind's name: the msgspec tag of its class (`tag="env"`), written once."""
        return kind_name(type(self))

    @property
    def check_id(self) -> str:
        return f"custom.{self.name}"

    @property
    def timeout_s(self) -> float:
        return seconds(self.timeout)

    @property
    def interval_s(self) -> float:
        return seconds(self.interval)

    def default_title(self) -> str:
        """The title when the file declares none: what is checked, in a few words."""
        return f"{self.KIND} check {self.name}"

    def problems(self) -> list[Problem]:
        """Semantic errors (beyond types) with the field path each is about."""
        out: list[Problem] = []
        for fld in ("timeout", "interval"):
            try:
                s = seconds(getattr(self, fld))
            except ValueError as e:
                out.append(((fld,), str(e)))
                continue
            if fld == "timeout" and not 0 < s <= MAX_TIMEOUT_S:
                out.append(((fld,), f"timeout must be above 0 and at most {MAX_TIMEOUT_S:g}s"))
        return out + self.kind_problems()

    def kind_problems(self) -> list[Problem]:
        """The kind's own semantic errors (a bad regex, an impossible range), each with its field path."""
        return []


def kind_name(cls: type[Common]) -> str:
    """The `kind:` value of a Common subclass: its msgspec tag."""
    tag = cls.__struct_config__.tag
    return tag if isinstance(tag, str) else ""


def matcher_problems(field: str, m: Expect | None) -> list[Problem]:
    if m is None:
        return []
    return [((field, *sub), msg) for sub, msg in problems(m)]
