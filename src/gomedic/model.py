"""Values every part of gomedic shares: statuses, severities, categories, results, reports.

Exit codes are computed here, once, and never in renderers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import Enum
from types import MappingProxyType

from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


class Severity(str, Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @property
    def weight(self) -> int:
        """Weight in the health score: each step up the scale counts twice as much; info counts not at all."""
        return 0 if self is Severity.INFO else 1 << (self.rank - 1)


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


class Category(str, Enum):
    """What kind of problem a check finds. The gate exits with the code of the smallest failing category."""

    NETWORK = "network"
    TLS = "tls"
    BINARY = "binary"
    LIMITS = "limits"
    TOOLCHAIN = "toolchain"
    FILESYSTEM = "filesystem"
    SERVICE = "service"
    RUNTIME = "runtime"
    CUSTOM = "custom"

    @property
    def gate_code(self) -> int:
        return _GATE_CODES[self]


_GATE_CODES = {c: 10 * (i + 1) for i, c in enumerate(Category)}


class FailOn(str, Enum):
    """The `--fail-on` threshold of every command but `gate`."""

    WARN = "warn"
    FAIL = "fail"
    NEVER = "never"


EXIT_OK = 0
EXIT_FAIL = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130

_FAILING = frozenset({Status.FAIL, Status.ERROR})


def frozen_map(items: Mapping[str, Any] | None) -> Mapping[str, str]:
    """Evidence is a flat str->str map; values are stringified and the map is read-only."""
    if not items:
        return MappingProxyType({})
    return MappingProxyType({str(k): "" if v is None else str(v) for k, v in items.items()})


@frozen
class Result:
    """One outcome of one check (about one subject, when a check yields several)."""

    id: str
    area: str
    category: Category
    status: Status
    severity: Severity
    title: str
    summary: str
    subject: str | None = None
    evidence: Mapping[str, str] = field(default_factory=lambda: frozen_map(None))
    fix: str | None = None
    duration_s: float = 0.0
    shadow: bool = False
    # the file the result is about (a path as the check read it) and its 1-based line: SARIF's location
    file: str | None = None
    line: int | None = None

    @property
    def counted(self) -> bool:
        """Whether this result may change exit codes, gate codes and the score (shadow rules may not)."""
        return not self.shadow

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "area": self.area,
            # _value_, the member's own attribute: `.value` is a descriptor call (3 per result, 7,000 in a scan)
            "category": self.category._value_,
            "status": self.status._value_,
            "severity": self.severity._value_,
            "title": self.title,
            "summary": self.summary,
            "subject": self.subject,
            "evidence": dict(self.evidence),
            "fix": self.fix,
            "duration_s": round(self.duration_s, 6),
        }
        if self.shadow:
            d["shadow"] = True
        if self.file is not None:
            d["file"] = self.file
            if self.line is not None:
                d["line"] = self.line
        return d

    @staticmethod
    def from_dict(d: object) -> Result:
        """A result from its JSON form, strictly (gomedic.reportio): FormatError for anything else."""
        from gomedic.reportio import result_from_dict

        return result_from_dict(d)


def health_score(results: Iterable[Result]) -> int:
    """0-100. Skipped results and info-severity checks are left out; warn costs half a fail."""
    total = lost = 0.0
    for r in results:
        if not r.counted or r.status is Status.SKIP:
            continue
        w = r.severity.weight
        total += w
        if r.status in _FAILING:
            lost += w
        elif r.status is Status.WARN:
            lost += w / 2
    if total == 0:
        return 100
    return round(100 * (1 - lost / total))


@frozen
class Report:
    """A finished run: the results and what they were evaluated against."""

    command: str
    results: tuple[Result, ...]
    started_at: str
    duration_s: float
    context: Mapping[str, Any] = field(default_factory=dict)
    fail_on: FailOn = FailOn.FAIL

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status is status)

    @staticmethod
    def from_dict(d: object) -> Report:
        """A report from its JSON form (gomedic/report/v1), strictly (gomedic.reportio): FormatError otherwise."""
        from gomedic.reportio import report_from_dict

        return report_from_dict(d)

    @property
    def score(self) -> int:
        return health_score(self.results)

    @property
    def evaluated(self) -> bool:
        """False when not one check could be evaluated (all skipped or errored)."""
        return any(r.status in (Status.OK, Status.WARN, Status.FAIL) for r in self.results)

    def exit_code(self, fail_on: FailOn = FailOn.FAIL) -> int:
        """0, 1 (a counted result at or above the threshold), or 3 (nothing could be evaluated).

        A check that errored counts as failing: a doctor that could not look must not say all is well.
        """
        if self.results and not self.evaluated:
            return EXIT_INTERNAL
        if fail_on is FailOn.NEVER:
            return EXIT_OK
        bad = _FAILING | ({Status.WARN} if fail_on is FailOn.WARN else frozenset())
        return EXIT_FAIL if any(r.counted and r.status in bad for r in self.results) else EXIT_OK

    def gate_code(self) -> int:
        """The gate's exit code: 0, or the smallest category code among counted failing results."""
        codes = [r.category.gate_code for r in self.results if r.counted and r.status in _FAILING]
        return min(codes) if codes else EXIT_OK

    @property
    def exit(self) -> int:
        """The process exit code for this report: the gate's category code for `gate`, why_exit() for `why`,
        else exit_code()."""
        if self.command == "gate":
            return EXIT_INTERNAL if self.results and not self.evaluated else self.gate_code()
        if self.command == "why":
            return why_exit(self.results)
        return self.exit_code(self.fail_on)

    def summary(self) -> dict[str, int]:
        d = {s.value: self.count(s) for s in Status}
        d["score"] = self.score
        return d


def why_exit(results: Iterable[Result]) -> int:
    """`gomedic why`: 0 when the verdict (why.cause) names a cause (`fail`: the service died of it) or finds
    no failure (`ok`); 1 when something failed with no known cause (`warn`); 3 when nothing could be read."""
    r = next((r for r in results if r.id == "why.cause"), None)
    if r is None or r.status in (Status.SKIP, Status.ERROR):
        return EXIT_INTERNAL
    return EXIT_FAIL if r.status is Status.WARN else EXIT_OK
