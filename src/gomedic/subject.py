"""What a run looks at besides the machine itself: a process, a unit, binaries, a captured root.

A command builds one `Subject` from its arguments and puts it in `Options.subject`; facts and checks read
its typed fields (before, these were string keys of `Options.extra`). Every field is optional: `gomedic
check` looks at none of them. The types named only in annotations are imported when type checking, so
this module stays free to import on the start-up path.
"""

from __future__ import annotations

from gomedic.typenames import TYPE_CHECKING
from gomedic.values import fields, frozen, replace

if TYPE_CHECKING:
    import datetime

    from gomedic.binfmt.inspect import Inspection
    from gomedic.probe.target import ProbeTarget
    from gomedic.vulndb.db import Database
    from gomedic.vulndb.ignore import Ignore


@frozen
class Subject:
    # a process (host, service, gate, probe --pid): /proc/PID under `root`
    pid: int | None = None
    # a captured machine or container root for the host facts and the target profile (host/binary --root)
    root: str | None = None
    # a program to read (never run): host --binary, gate --binary, a unit's ExecStart program
    binary: str | None = None
    # the binary.* checks' files (read by the BINARIES fact), unless `inspections` already holds them
    binaries: tuple[str, ...] = ()
    inspections: tuple[Inspection, ...] = ()
    # the target profile spec (`rhel-8,cpu=x86-64-v3`); None is this host
    target: str | None = None
    # a systemd unit (name or file) and the root its files are read under
    unit: str | None = None
    unit_root: str | None = None
    # /proc/cpuinfo by default (a captured one in tests)
    cpuinfo: str | None = None
    # binary.vulns: the opened database, accepted advisories, and the day expiries are judged on
    vulndb: Database | None = None
    vuln_ignore: tuple[Ignore, ...] = ()
    today: datetime.date | None = None
    # probe: the live service read by the PROBE fact
    probe: ProbeTarget | None = None
    # why: the unit, process and journal of the post-mortem; what was found of the unit file; --root
    why_unit: str | None = None
    why_pid: int | None = None
    journal: str | None = None
    since: str | None = None
    exit_status: str | None = None
    unit_file_note: str | None = None
    root_dir: str | None = None

    def over(self, base: Subject) -> Subject:
        """`base` with every field set here (not at its default) taken from here."""
        empty = Subject()
        changes = {n: getattr(self, n) for n in fields(self) if getattr(self, n) != getattr(empty, n)}
        return replace(base, **changes)
