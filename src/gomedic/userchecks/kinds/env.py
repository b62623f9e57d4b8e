"""kind: env — an environment variable of gomedic's own environment (the one the gate runs in), matched.

    - name: gomemlimit-set
      kind: env
      var: GOMEMLIMIT
      value: {matches: '^[0-9]+(MiB|GiB)$'}    # or {exists: false} to assert it is unset

Values are shown redacted in reports when the name is secret (TOKEN, PASSWORD, SECRET, _KEY, _PASS...:
gomedic.secretnames).
"""

from __future__ import annotations

from typing import ClassVar

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.matchers import Expect, Matcher, check, describe, show


class EnvCheck(Common, tag="env", frozen=True):
    var: str
    value: Expect = Matcher(exists=True)

    DEFAULT_CATEGORY: ClassVar[Category] = Category.CUSTOM

    def default_title(self) -> str:
        return f"${self.var} is {describe(self.value)}"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not self.var or "=" in self.var or "\0" in self.var:
            out.append((("var",), f"{self.var!r} is not an environment variable name"))
        return out + matcher_problems("value", self.value)


SCHEMA = EnvCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: EnvCheck, facts: Facts) -> Finding:
    got = facts.env.get(c.var)
    ev = {c.var: got} if got is not None else {"variable": c.var}
    if check(c.value, got):
        return ok(f"{c.var}={show(got)}" if got is not None else f"{c.var} is unset, as declared", **ev)
    if got is None:
        return fail(f"{c.var} is not set, expected {describe(c.value)}", fix=c.fix or f"export {c.var}=...", **ev)
    return fail(f"{c.var}={show(got)}, expected {describe(c.value)}", fix=c.fix or f"export {c.var}=<value>", **ev)
