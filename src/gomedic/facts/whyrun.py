"""The post-mortem of one run: the sources read (facts.postmortem), the last run's lines, the recognised
signs and the verdict. Reads the kernel log and audit records for the time of the last run only."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence

from gomedic.facts import Facts, fact
from gomedic.facts.postmortem import (
    SYSTEMD_VIEW,
    UNIT_JOURNAL,
    SourceRead,
    read_audit_log,
    read_kernel_journal,
    read_kmsg,
    request,
)
from gomedic.postmortem.lines import LogLine, last_run, window
from gomedic.postmortem.signs import Kind, Sign, Source, make
from gomedic.postmortem.verdict import Verdict
from gomedic.values import frozen

AUDIT_LOG = "/var/log/audit/audit.log"
SLACK_S = 60.0  # kernel records this long before the run's first and after its last line still count


@frozen
class Analysis:
    sources: tuple[SourceRead, ...]
    run: tuple[LogLine, ...]
    signs: tuple[Sign, ...]
    verdict: Verdict
    pids: frozenset[int]
    comm: str | None

    def read_summary(self) -> str:
        """What was read, then the names of the sources that could not be (why.sources says why)."""
        read = [f"{s.name}: {s.summary}" for s in self.sources if s.read]
        unread = [s.name for s in self.sources if not s.read]
        return "; ".join(read or ["nothing"]) + (f"; not read: {', '.join(unread)}" if unread else "")


def _stamp(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def _pids(run: Sequence[LogLine], pid: int | None, sd: SourceRead) -> frozenset[int]:
    out = {ln.pid for ln in run if ln.source is Source.JOURNAL and ln.pid is not None}
    if pid is not None:
        out.add(pid)
    main = sd.props.get("ExecMainPID", "")
    if main.isdecimal() and int(main) > 0:
        out.add(int(main))
    return frozenset(out)


def _comm(f: Facts, run: Sequence[LogLine]) -> str | None:
    binary = f.options.subject.binary
    if binary:
        return os.path.basename(str(binary))[:15]
    idents = [ln.ident for ln in run if ln.source is Source.JOURNAL and ln.ident]
    if idents:
        return idents[-1][:15]
    unit = request(f).unit  # nothing logged: the kernel's comm is usually the unit's program, named like it
    return unit.rsplit(".", 1)[0].split("@")[0][:15] if unit else None


def _kernel_sources(journal: str | None, root: str | None, t0: float | None, t1: float | None) -> list[SourceRead]:
    since = _stamp(t0 - SLACK_S) if t0 is not None else None
    until = _stamp(t1 + SLACK_S) if t1 is not None else None
    k = read_kernel_journal(journal, since, until)
    audit = os.path.join(root or "/", AUDIT_LOG.lstrip("/"))
    if journal is not None:  # another machine's journal: this machine's kernel and audit logs say nothing of it
        return [k, read_audit_log(audit)] if root else [k]
    if not k.read:  # no journald here (or no kernel lines in it): the ring buffer itself
        km = read_kmsg()
        k = SourceRead("kernel", km.read, f"{km.summary} ({k.summary})", km.lines)
    return [k, read_audit_log(audit)]


def analyse(f: Facts) -> Analysis:
    from gomedic.postmortem import gosigns, kernel, sdexit
    from gomedic.postmortem.verdict import decide

    req = request(f)
    sd = f.get(SYSTEMD_VIEW)
    uj = f.get(UNIT_JOURNAL)
    run = last_run(uj.lines, req.pid)
    if req.pid is not None and req.unit is not None and not run:
        run = last_run(uj.lines)
    times = [ln.ts for ln in run if ln.ts is not None]
    t0, t1 = (min(times), max(times)) if times else (None, None)
    ksources = (
        _kernel_sources(req.journal, f.options.subject.root_dir, t0, t1)
        if run or req.pid is not None or req.unit
        else [SourceRead("kernel", False, "not read: no unit or --pid to attribute kernel records to")]
    )
    klines = [ln for s in ksources for ln in s.lines]
    if times:
        klines = window(klines, t0, t1, SLACK_S)
    pids = _pids(run, req.pid, sd)
    comm = _comm(f, run)
    signs = [*sdexit.recognise(run), *gosigns.recognise(run), *kernel.recognise(klines, pids, comm)]
    if sd.read and sd.props.get("Result") == "oom-kill":
        signs.append(make(Kind.OOM_KILL, "systemctl show: Result=oom-kill", Source.STATUS, None, None,
                          scope="systemd: Result=oom-kill"))
    signs.sort(key=lambda s: s.ts if s.ts is not None else 0.0)
    exit_info = None
    if req.exit_status is not None:
        exit_info = sdexit.parse_exit_arg(req.exit_status)
    if exit_info is None and sd.read and sd.props.get("Result", "success") != "success":
        exit_info = sdexit.from_show(sd.props)
    if exit_info is None:
        exit_info = sdexit.exit_from_signs(signs)
    unit_src = f.options.subject.unit_file_note
    sources = [sd, uj, *ksources]
    if unit_src:
        sources.insert(1, SourceRead("unit file", bool(f.options.subject.unit), unit_src))
    if req.pid is not None and req.journal is None and os.path.isdir(f"/proc/{req.pid}"):
        sources.append(SourceRead("process", True, f"process {req.pid} is still running: it has not died"))
    if req.exit_status is not None:
        sources.append(SourceRead("exit status", True, f"--exit-status {req.exit_status}: {exit_info.label()}"
                                  if exit_info else f"--exit-status {req.exit_status}"))
    return Analysis(tuple(sources), tuple(run), tuple(signs), decide(signs, exit_info), pids, comm)


@fact("postmortem.analysis")
def ANALYSIS(f: Facts) -> Analysis:
    return analyse(f)


