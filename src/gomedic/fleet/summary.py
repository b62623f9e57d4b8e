"""Merge host reports into one fleet view: by check id (which hosts fail it) and by host (score, failures).

Shadow results (a new check rolled out to observe, not to judge) are shown per check but never count
against a host or the fleet's exit code. A report that could not be read is listed, and fails the summary:
a fleet view that silently drops a host would say all is well about a host nobody looked at.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gomedic.fleet.reports import HostReport, HostResult
from gomedic.model import EXIT_FAIL, EXIT_INTERNAL, EXIT_OK, FailOn, Severity, Status
from gomedic.values import frozen

# Worst status of one check on one host, when the check yields several subjects there.
_WORST = {Status.SKIP: 0, Status.OK: 1, Status.WARN: 2, Status.ERROR: 3, Status.FAIL: 4}


@frozen
class Occurrence:
    """A check's non-ok result on one host (and subject)."""

    host: str
    subject: str | None
    status: Status
    severity: Severity
    summary: str
    shadow: bool


@frozen
class CheckRollup:
    """One check id across the fleet. `hosts` counts each host once, at its worst status for the check."""

    id: str
    title: str
    area: str
    category: str
    severity: Severity
    shadow: bool
    hosts: tuple[tuple[Status, int], ...]
    failing: tuple[Occurrence, ...]
    warning: tuple[Occurrence, ...]

    def hosts_with(self, status: Status) -> int:
        return dict(self.hosts).get(status, 0)

    @property
    def hosts_failing(self) -> int:
        return len({o.host for o in self.failing})

    @property
    def hosts_total(self) -> int:
        return sum(n for _, n in self.hosts)


@frozen
class HostRollup:
    name: str
    source: str
    command: str
    started_at: str
    tool_version: str
    score: int
    exit_code: int
    counts: tuple[tuple[Status, int], ...]
    failing: tuple[HostResult, ...]
    warning: tuple[HostResult, ...]
    shadow_failing: tuple[HostResult, ...]


@frozen
class Unreadable:
    source: str
    reason: str


@frozen
class FleetSummary:
    hosts: tuple[HostRollup, ...]
    checks: tuple[CheckRollup, ...]
    unreadable: tuple[Unreadable, ...]
    generated_at: str
    fail_on: FailOn = FailOn.FAIL

    @property
    def hosts_failing(self) -> int:
        return sum(1 for h in self.hosts if h.failing)

    @property
    def hosts_warning(self) -> int:
        return sum(1 for h in self.hosts if h.warning and not h.failing)

    @property
    def score_mean(self) -> float | None:
        return round(sum(h.score for h in self.hosts) / len(self.hosts), 1) if self.hosts else None

    @property
    def score_min(self) -> int | None:
        return min((h.score for h in self.hosts), default=None)

    @property
    def exit_code(self) -> int:
        """3 when no report could be read; else 1 when a host (or an unreadable report) is at or above
        fail_on; else 0. Shadow results never count."""
        if not self.hosts:
            return EXIT_INTERNAL
        if self.fail_on is FailOn.NEVER:
            return EXIT_OK
        if self.unreadable or self.hosts_failing:
            return EXIT_FAIL
        if self.fail_on is FailOn.WARN and any(h.warning for h in self.hosts):
            return EXIT_FAIL
        return EXIT_OK


def _occ(host: str, r: HostResult) -> Occurrence:
    return Occurrence(host, r.subject, r.status, r.severity, r.summary, r.shadow)


def _key(r: HostResult) -> tuple[int, str, str]:
    return (-r.severity.rank, r.id, r.subject or "")


def _host(h: HostReport) -> HostRollup:
    counted = [r for r in h.results if not r.shadow]
    return HostRollup(
        name=h.name,
        source=h.source,
        command=h.command,
        started_at=h.started_at,
        tool_version=h.tool_version,
        score=h.score,
        exit_code=h.exit_code,
        counts=tuple((s, h.count(s)) for s in Status),
        failing=tuple(sorted((r for r in counted if r.failing), key=_key)),
        warning=tuple(sorted((r for r in counted if r.status is Status.WARN), key=_key)),
        shadow_failing=tuple(sorted((r for r in h.results if r.shadow and r.failing), key=_key)),
    )


def _check(cid: str, per_host: list[tuple[str, list[HostResult]]]) -> CheckRollup:
    first = per_host[0][1][0]
    worst: dict[Status, int] = {}
    failing: list[Occurrence] = []
    warning: list[Occurrence] = []
    for host, results in per_host:
        w = max((r.status for r in results), key=_WORST.__getitem__)
        worst[w] = worst.get(w, 0) + 1
        failing += [_occ(host, r) for r in results if r.failing]
        warning += [_occ(host, r) for r in results if r.status is Status.WARN]
    return CheckRollup(
        id=cid,
        title=first.title,
        area=first.area,
        category=first.category,
        severity=max((r.severity for _, rs in per_host for r in rs), key=lambda s: s.rank),
        shadow=all(r.shadow for _, rs in per_host for r in rs),
        hosts=tuple((s, worst[s]) for s in Status if s in worst),
        failing=tuple(sorted(failing, key=lambda o: (o.host, o.subject or ""))),
        warning=tuple(sorted(warning, key=lambda o: (o.host, o.subject or ""))),
    )


def unique_names(reports: Sequence[HostReport]) -> list[HostReport]:
    """Reports whose names collide (two `web-1.json` in different dirs) are named by their path instead."""
    from gomedic.values import replace

    seen: dict[str, int] = {}
    for r in reports:
        seen[r.name] = seen.get(r.name, 0) + 1
    return [replace(r, name=r.source) if seen[r.name] > 1 else r for r in reports]


def summarize(
    reports: Iterable[HostReport],
    unreadable: Iterable[Unreadable] = (),
    *,
    generated_at: str,
    fail_on: FailOn = FailOn.FAIL,
) -> FleetSummary:
    hosts = unique_names(list(reports))
    by_id: dict[str, list[tuple[str, list[HostResult]]]] = {}
    for h in hosts:
        mine: dict[str, list[HostResult]] = {}
        for r in h.results:
            mine.setdefault(r.id, []).append(r)
        for cid, rs in mine.items():
            by_id.setdefault(cid, []).append((h.name, rs))
    checks = [_check(cid, ph) for cid, ph in by_id.items()]
    checks.sort(key=lambda c: (-c.hosts_failing, -len({o.host for o in c.warning}), -c.severity.rank, c.id))
    rolled = sorted((_host(h) for h in hosts), key=lambda h: (h.score, -len(h.failing), h.name))
    return FleetSummary(tuple(rolled), tuple(checks), tuple(unreadable), generated_at, fail_on)
