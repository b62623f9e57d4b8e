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

_FAILING = frozenset((Status.FAIL, Status.ERROR))
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
    counts = dict.fromkeys(Status, 0)
    failing: list[HostResult] = []
    warning: list[HostResult] = []
    shadow_failing: list[HostResult] = []
    for r in h.results:  # one pass: this runs for every result of every host
        counts[r.status] += 1
        if r.status in _FAILING:
            (shadow_failing if r.shadow else failing).append(r)
        elif r.status is Status.WARN and not r.shadow:
            warning.append(r)
    return HostRollup(
        name=h.name,
        source=h.source,
        command=h.command,
        started_at=h.started_at,
        tool_version=h.tool_version,
        score=h.score,
        exit_code=h.exit_code,
        counts=tuple(counts.items()),
        failing=tuple(sorted(failing, key=_key)),
        warning=tuple(sorted(warning, key=_key)),
        shadow_failing=tuple(sorted(shadow_failing, key=_key)),
    )


class _CheckTally:
    """One check id as the hosts are folded in: worst status per host, non-ok occurrences only."""

    def __init__(self, first: HostResult) -> None:
        self.title, self.area, self.category = first.title, first.area, first.category
        self.severity = first.severity
        self.shadow = True
        self.worst: dict[Status, int] = {}
        self.failing: list[Occurrence] = []
        self.warning: list[Occurrence] = []

    def take(self, host: str, r: HostResult) -> None:
        if r.severity is not self.severity and r.severity.rank > self.severity.rank:
            self.severity = r.severity
        self.shadow = self.shadow and r.shadow
        if r.status in _FAILING:
            self.failing.append(_occ(host, r))
        elif r.status is Status.WARN:
            self.warning.append(_occ(host, r))

    def rollup(self, cid: str) -> CheckRollup:
        return CheckRollup(
            id=cid,
            title=self.title,
            area=self.area,
            category=self.category,
            severity=self.severity,
            shadow=self.shadow,
            hosts=tuple((s, self.worst[s]) for s in Status if s in self.worst),
            failing=tuple(sorted(self.failing, key=lambda o: (o.host, o.subject or ""))),
            warning=tuple(sorted(self.warning, key=lambda o: (o.host, o.subject or ""))),
        )


class FleetBuilder:
    """Folds host reports in one at a time, so a fleet of any size is summarized in the memory of its
    non-ok results: each report is reduced to its rollup and dropped before the next is read."""

    def __init__(self) -> None:
        self._hosts: list[HostRollup] = []
        self._checks: dict[str, _CheckTally] = {}
        self._unreadable: list[Unreadable] = []

    def add(self, h: HostReport) -> None:
        checks = self._checks
        worst: dict[str, Status] = {}  # a check with several subjects counts once per host, at its worst
        for r in h.results:
            tally = checks.get(r.id)
            if tally is None:
                tally = checks[r.id] = _CheckTally(r)
            tally.take(h.name, r)
            w = worst.get(r.id)
            if w is None or _WORST[r.status] > _WORST[w]:
                worst[r.id] = r.status
        for cid, w in worst.items():
            counts = checks[cid].worst
            counts[w] = counts.get(w, 0) + 1
        self._hosts.append(_host(h))

    def add_unreadable(self, u: Unreadable) -> None:
        self._unreadable.append(u)

    def finish(self, *, generated_at: str, fail_on: FailOn = FailOn.FAIL) -> FleetSummary:
        checks = [t.rollup(cid) for cid, t in self._checks.items()]
        checks.sort(key=lambda c: (-c.hosts_failing, -len({o.host for o in c.warning}), -c.severity.rank, c.id))
        hosts = sorted(self._hosts, key=lambda h: (h.score, -len(h.failing), h.name))
        return FleetSummary(tuple(hosts), tuple(checks), tuple(self._unreadable), generated_at, fail_on)


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
    """Summarize reports already in memory (colliding names are made unique first)."""
    b = FleetBuilder()
    for h in unique_names(list(reports)):
        b.add(h)
    for u in unreadable:
        b.add_unreadable(u)
    return b.finish(generated_at=generated_at, fail_on=fail_on)
