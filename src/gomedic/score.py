"""Health scores beyond model.health_score: the per-category breakdown and the exporter's time-weighted score.

The one-shot score (model.health_score) weighs each counted, non-skipped result by its severity; a warn
costs half a fail. The exporter knows how long each result has been failing, and a result that keeps
failing weighs more the longer it fails, logarithmically:

    weight = severity.weight * (1 + ln(1 + failing_s / tau_s))

so a check failing for one `tau` counts ~1.7x, for 10 tau ~3.4x, for 100 tau ~5.6x: a long outage drags
the score down further without one old failure swamping everything else. `tau_s` and the cap are data
(ScoreWeights), validated when built.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from gomedic.errors import ConfigError
from gomedic.model import Category, Result, Status, health_score
from gomedic.values import frozen

_FAILING = frozenset({Status.FAIL, Status.ERROR})

ResultKey = tuple[str, str]  # (check id, subject or "")


def result_key(r: Result) -> ResultKey:
    return (r.id, r.subject or "")


@frozen
class ScoreWeights:
    """How failing time raises a result's weight: factor = 1 + ln(1 + failing_s / tau_s), at most max_factor."""

    tau_s: float = 300.0
    max_factor: float = 8.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.tau_s) and self.tau_s > 0):
            raise ConfigError(f"score tau_s must be a positive number of seconds, got {self.tau_s!r}")
        if not (math.isfinite(self.max_factor) and self.max_factor >= 1):
            raise ConfigError(f"score max_factor must be >= 1, got {self.max_factor!r}")

    def factor(self, failing_s: float) -> float:
        if failing_s <= 0 or not math.isfinite(failing_s):
            return 1.0
        return min(self.max_factor, 1.0 + math.log1p(failing_s / self.tau_s))


def weighted_score(
    results: Iterable[Result],
    failing_s: Mapping[ResultKey, float],
    weights: ScoreWeights = ScoreWeights(),
) -> int:
    """0-100 like model.health_score, with failing results weighted up by how long they have failed."""
    total = lost = 0.0
    for r in results:
        if not r.counted or r.status is Status.SKIP:
            continue
        w = float(r.severity.weight)
        if r.status in _FAILING:
            w *= weights.factor(failing_s.get(result_key(r), 0.0))
            lost += w
        elif r.status is Status.WARN:
            lost += w / 2
        total += w
    if total == 0:
        return 100
    return round(100 * (1 - lost / total))


def category_scores(results: Iterable[Result]) -> dict[Category, int]:
    """The score of each category that has at least one counted, evaluated result (skips/shadow left out)."""
    by_cat: dict[Category, list[Result]] = {}
    for r in results:
        if r.counted and r.status is not Status.SKIP:
            by_cat.setdefault(r.category, []).append(r)
    return {c: health_score(rs) for c, rs in sorted(by_cat.items(), key=lambda kv: kv[0].gate_code)}


def weighted_category_scores(
    results: Iterable[Result],
    failing_s: Mapping[ResultKey, float],
    weights: ScoreWeights = ScoreWeights(),
) -> dict[Category, int]:
    by_cat: dict[Category, list[Result]] = {}
    for r in results:
        if r.counted and r.status is not Status.SKIP:
            by_cat.setdefault(r.category, []).append(r)
    return {
        c: weighted_score(rs, failing_s, weights)
        for c, rs in sorted(by_cat.items(), key=lambda kv: kv[0].gate_code)
    }
