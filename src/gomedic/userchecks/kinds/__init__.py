"""The kinds of declared check, one module each: the schema (a msgspec Struct tagged by `kind`) and evaluate().

KINDS is the explicit list; adding a kind is one module plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import reduce
from operator import or_
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from gomedic.facts import Facts
from gomedic.finding import Finding
from gomedic.userchecks.common import Common, kind_name
from gomedic.userchecks.kinds import (
    binary,
    command,
    dns,
    env,
    file,
    http,
    metric,
    process,
    service,
    sysctl,
    tcp,
)

S = TypeVar("S", bound=Common)


class Kind(Protocol[S]):
    """What a module of userchecks/kinds/ provides. KINDS lists the modules; mypy checks each against this
    (and that its evaluate() takes its own schema)."""

    @property
    def SCHEMA(self) -> type[S]:
        """The kind's msgspec Struct: a frozen subclass of Common tagged by `kind` (`class EnvCheck(Common,
        tag="env", frozen=True)`), the tag being the kind's name. Its fields are the YAML schema (`gomedic
        validate` reports type errors at file:line:column); it may override Common's default_title(),
        kind_problems() and DEFAULT_CATEGORY."""
        ...

    def evaluate(self, check: S, facts: Facts, /) -> Finding | Iterable[Finding]:
        """Judge one declared check (values from `vars:` already substituted): one Finding, or one per subject
        (pass `subject=`). A missing fact raises FactUnavailable (a skip); a program runs only through
        execx, as written literally in the check file. Summaries name what was read and what was expected;
        a declared `fix:` replaces the default one."""
        ...


def _entry(kind: Kind[S]) -> tuple[str, Kind[Any]]:
    return kind_name(kind.SCHEMA), kind


KINDS: Mapping[str, Kind[Any]] = MappingProxyType(dict((
    _entry(command),
    _entry(file),
    _entry(http),
    _entry(tcp),
    _entry(dns),
    _entry(sysctl),
    _entry(env),
    _entry(process),
    _entry(binary),
    _entry(metric),
    _entry(service),
)))

# The tagged union msgspec converts an entry of `checks:` to (loader.py).
AnyCheck: Any = reduce(or_, (k.SCHEMA for k in KINDS.values()))


def evaluator(check: Common) -> Callable[[Any, Facts], Finding | Iterable[Finding]]:
    return KINDS[check.KIND].evaluate
