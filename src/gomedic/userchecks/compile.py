"""Declared checks become registry.CheckSpecs: id custom.<name>, category and severity from the file.

The spec's function evaluates the kind; with `retries` (the gate and `run --retries` honour them) a check
that does not pass is tried again after `interval`, up to `retries` more times, and the last outcome counts.
`rollout: shadow` sets CheckSpec.shadow: the result is reported but never counts (model.Result.counted).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from types import MappingProxyType

from gomedic.facts import Facts
from gomedic.finding import Finding, with_evidence
from gomedic.model import Status
from gomedic.registry import CheckOutput, CheckSpec, Registry
from gomedic.userchecks.common import Common, Rollout
from gomedic.userchecks.kinds import evaluator
from gomedic.userchecks.loader import Declared
from gomedic.values import frozen

AREA = "custom"
SLACK_S = 2.0


def doc_of(d: Declared) -> str:
    c: Common = d.check
    lines = [c.description or c.title or c.default_title(), "",
             f"Declared in {d.file}:{d.line} (kind: {c.KIND}, rollout: {c.rollout.value}).",
             "It fails with a summary naming what was read and what was expected."]
    if c.fix:
        lines += ["", f"Fix: {c.fix}"]
    return "\n".join(lines)


def _passed(findings: list[Finding]) -> bool:
    return all(f.status in (Status.OK, Status.SKIP) for f in findings)


@frozen
class DeclaredFn:
    """The CheckFn of a declared check: evaluates its kind, `attempts` times at most until it passes."""

    check: Common
    attempts: int = 1

    @property
    def retries(self) -> int:
        return self.check.retries

    @property
    def interval_s(self) -> float:
        return self.check.interval_s

    def __call__(self, facts: Facts) -> CheckOutput:
        evaluate = evaluator(self.check)
        findings: list[Finding] = []
        n = 0
        for n in range(1, self.attempts + 1):
            out = evaluate(self.check, facts)
            findings = [out] if isinstance(out, Finding) else list(out)
            if _passed(findings) or n == self.attempts:
                break
            time.sleep(self.interval_s)
        if self.attempts > 1:
            findings = [with_evidence(f, {"attempts": f"{n} of {self.attempts}"}) for f in findings]
        return findings


def budget_s(c: Common, *, retry: bool) -> float:
    """The runner's time limit for one check: every attempt's timeout, the waits between, and slack."""
    tries = 1 + (c.retries if retry else 0)
    return tries * c.timeout_s + (tries - 1) * c.interval_s + SLACK_S


def to_spec(d: Declared, *, retry: bool = False) -> CheckSpec:
    from gomedic.redact import redact_text, remembered

    c: Common = d.check
    return CheckSpec(
        id=c.check_id,
        area=AREA,
        category=c.category or c.DEFAULT_CATEGORY,
        severity=c.severity,
        title=c.title or c.default_title(),
        fn=DeclaredFn(c, 1 + (c.retries if retry else 0)),
        doc=redact_text(doc_of(d), remembered()),  # `gomedic explain` prints it: substituted secrets hidden
        timeout_s=budget_s(c, retry=retry),
        thresholds=MappingProxyType({}),
        shadow=c.rollout is Rollout.SHADOW,
        tags=frozenset(c.tags),
    )


def to_specs(declared: Iterable[Declared], *, retry: bool = False) -> list[CheckSpec]:
    return [to_spec(d, retry=retry) for d in declared]


def to_registry(declared: Iterable[Declared], *, retry: bool = False) -> Registry:
    """A registry of its own (never the global one): the same file may be loaded twice in one process."""
    reg = Registry()
    for spec in to_specs(declared, retry=retry):
        reg.add(spec)
    return reg
