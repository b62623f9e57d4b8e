"""why.*: the post-mortem of a Go service that died (`gomedic why`). The analysis is facts.whyrun.ANALYSIS;
these checks report it: what was read, the verdict, and the pre-start checks that catch the cause, run now.
Unit settings that hide or cause such deaths are in why_unit.py."""

from __future__ import annotations

from collections.abc import Iterator

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.whyrun import ANALYSIS
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity, Status
from gomedic.registry import check


@check("why.sources", category=Category.SERVICE, severity=Severity.INFO,
       title="What the post-mortem read: systemd, the unit file, the journal, the kernel log, audit records")
def sources(f: Facts) -> Iterator[Finding]:
    """One result per source `gomedic why` reads: systemd's view of the unit (`systemctl show`, only when
    systemd runs), the unit file, the unit's last run in the journal (`journalctl -u UNIT`, or `--journal
    FILE|DIR`), the kernel's messages of that time (`journalctl -k`, else /dev/kmsg or dmesg) and audit
    SECCOMP records (the journal, /var/log/audit/audit.log). A source that could not be read is `skip`
    with the reason.
    Fix: give what is missing: `--journal` with a copy of the journal, `--exit-status` from `systemctl
    status`, or run as a user who may read the journal (root, group systemd-journal or adm)."""
    for s in f.get(ANALYSIS).sources:
        yield ok(s.summary, subject=s.name) if s.read else skip(s.summary, subject=s.name)


@check("why.cause", category=Category.SERVICE, severity=Severity.CRITICAL,
       title="Why the service died: the most likely cause, its evidence and its fix")
def cause(f: Facts) -> Finding:
    """Names the most likely cause of the death from the unit's last run: Go panics (with the panicking
    goroutine's first frame) and fatal errors (deadlock, concurrent map writes, out of memory, stack
    overflow, malformed GOMEMLIMIT), signals with PC=, the CPU-level refusal, the loader's `GLIBC_x.y not
    found` and missing libraries, `exec format error`, `bind: address already in use` / `permission
    denied`, `too many open files`, `x509: certificate signed by unknown authority`, `unknown time zone`;
    the kernel's OOM kills, traps and segfaults and audit SECCOMP kills; systemd's own exit codes
    (200/CHDIR, 203/EXEC, 217/USER, ...), stop timeouts, and what a bare exit status means (2, SIGKILL).
    `fail` names the cause with evidence lines and their times, the fix, and the check that would have
    caught it before the start; `warn` says something failed with no known cause and lists what was read;
    `ok` says no failure was found. `gomedic why` exits 0 when a cause is named, 1 when not.
    Fix: the one named."""
    a = f.get(ANALYSIS)
    v = a.verdict
    from gomedic.postmortem.verdict import describe_exit, evidence_map

    ev = dict(evidence_map(v))
    ev["read"] = a.read_summary()
    if v.key is not None and v.cause is not None:
        ev["cause"] = v.key
        ev["caught by"] = ", ".join(v.catch) or "no pre-start check (a bug in the program)"
        return fail(v.cause, fix=v.fix, **ev)
    about = ("systemd", "journal", "exit status", "process")  # sources that speak of the service itself
    if not any(s.read for s in a.sources if s.name in about):
        raise FactUnavailable("nothing about the service could be read (" + a.read_summary() + "); give --journal "
                              "with a copy of its journal, --exit-status, or --pid")
    if v.failed:
        return warn(f"no known cause: the service failed ({describe_exit(v.exit)}) but nothing read names why",
                    fix="read the unit's whole log (journalctl -u UNIT -b) and the kernel log (journalctl -k); "
                    "pass --journal, --exit-status or --pid for what gomedic could not read", **ev)
    alive = next((s.summary for s in a.sources if s.name == "process"), None)
    if alive:
        return ok(f"{alive}, and nothing read shows a failure", **ev)
    return ok(f"no failure found in what was read ({describe_exit(v.exit)})", **ev)


@check("why.confirm", category=Category.SERVICE, severity=Severity.HIGH, timeout_s=60.0,
       title="The pre-start checks that catch the named cause, run now to confirm or rule it out")
def confirm(f: Facts) -> Iterator[Finding]:
    """Runs, now, the gomedic checks that would have caught the cause `why.cause` names before the start:
    the binary against this host (binary.cpu-level, binary.interpreter, binary.glibc, binary.libs,
    binary.arch), the unit as its user sees it (service.unit, service.user, service.env, service.port,
    service.limits), the host (host.cgroup-memory, host.seccomp, tls.ca-bundle, tls.tzdata). A check that
    fails now confirms the cause (`fail`); one that passes rules it out (`ok`: the cause is elsewhere, or the
    machine or program changed since); one that cannot run says why (`skip`).
    Fix: the confirming check's fix."""
    from gomedic.checks import BUILTIN
    from gomedic.registry import REGISTRY, load

    v = f.get(ANALYSIS).verdict
    if not v.catch:
        yield skip("no pre-start check catches this cause" if v.key else "no cause named: nothing to confirm")
        return
    for cid in v.catch:
        area = cid.split(".", 1)[0]
        if area in BUILTIN:
            load(BUILTIN[area])
        if cid not in REGISTRY or cid == "why.confirm":
            yield skip(f"{cid}: not available in this installation", subject=cid)
            continue
        yield _judge(cid, f)


def _judge(cid: str, f: Facts) -> Finding:
    from gomedic.registry import REGISTRY

    spec = REGISTRY.get(cid)
    try:
        out = spec.fn(f)
        found = [out] if isinstance(out, Finding) else list(out)
    except FactUnavailable as e:
        return skip(f"{cid} cannot run now: {e}", subject=cid)
    except Exception as e:  # the other check's crash must not hide the verdict
        return skip(f"{cid} crashed: {type(e).__name__}: {e}", subject=cid)
    bad = [x for x in found if x.status is Status.FAIL]
    if bad:
        more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
        return fail(f"confirmed: {cid} fails now: {bad[0].summary}{more}", fix=bad[0].fix, subject=cid,
                    **dict(bad[0].evidence))
    warns = [x for x in found if x.status is Status.WARN]
    if warns:
        return warn(f"{cid} warns now: {warns[0].summary}", fix=warns[0].fix, subject=cid, **dict(warns[0].evidence))
    oks = [x for x in found if x.status is Status.OK]
    if oks:
        return ok(f"ruled out by {cid}: {oks[0].summary} (the cause lies elsewhere, or the machine or the program "
                  "changed since the death)", subject=cid)
    first = found[0] if found else None
    return skip(f"{cid} could not judge it now: {first.summary if first else 'no result'}", subject=cid)
