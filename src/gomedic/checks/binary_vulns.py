"""binary.vulns: known vulnerabilities (the Go vulnerability database) in each binary's modules and Go release.

Opt-in: `gomedic binary --vulns`, `gate --binary ... --vulns`, a YAML `binary` check with `vulns: true`.
The opened database comes in Options.subject.vulndb (a gomedic.vulndb.db.Database), accepted advisories
in subject.vuln_ignore (gomedic.vulndb.ignore.Ignore values). The VULN_HITS fact (gomedic.facts.vulnhits)
reads entries and function names (I/O); the check only judges.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from gomedic.binfmt.inspect import Inspection
from gomedic.checks.binary import BINARIES
from gomedic.facts import Facts
from gomedic.facts.vulnhits import VULN_HITS
from gomedic.finding import Finding, fail, ok, skip
from gomedic.model import Category, Severity
from gomedic.registry import check
from gomedic.vulndb.ignore import Ignore, find
from gomedic.vulndb.scan import Hit, Reach

MAX_LISTED = 20  # failing advisories detailed in evidence (all are named in `vulns`)
MIN_DETAILED = 5  # not-reachable ones detailed while fewer than this many fail


def _go_tag(v: str) -> str:
    """v1.22.11 -> go1.22.11 (a fixed stdlib version as the Go release to install)."""
    return "go" + v.removeprefix("v").replace("-", "")


def _fix(hits: list[Hit]) -> str:
    from gomedic.vulndb.match import key  # memoized: ordered as semver.Compare

    fixes: dict[str, list[str]] = {}
    shown: dict[str, str] = {}
    nofix: dict[str, list[str]] = {}
    for h in hits:
        shown[h.mod.path] = h.mod.shown
        if h.fixed:
            fixes.setdefault(h.mod.path, []).append(h.fixed)
        else:
            nofix.setdefault(h.mod.path, []).append(h.entry.id)
    steps = []
    for path in sorted(set(fixes) | set(nofix)):
        if path in fixes:
            v = max(fixes[path], key=key)
            if path in ("stdlib", "toolchain"):
                steps.append(f"upgrade Go to {_go_tag(v)} or later and rebuild")
            elif "=>" in shown[path]:
                steps.append(f"point the replace directive at {path}@{v} (or later)")
            else:
                steps.append(f"go get {path}@{v}")
        if path in nofix:
            steps.append(f"{path}: no fixed version is published for {', '.join(nofix[path])}: drop or replace it")
    return "; ".join(dict.fromkeys(steps)) + "; then rebuild and redeploy the binary"


def _line(h: Hit) -> str:
    fixed = f"fixed in {h.fixed}" if h.fixed else "no fix published"
    aliases = ", ".join(h.entry.aliases) or "no aliases"
    if h.reach is Reach.FOUND:
        syms = "symbols in the binary: " + ", ".join(h.found)
    elif h.reach is Reach.ABSENT:
        syms = (
            "none of its symbols is in the binary ("
            + ", ".join(h.symbols[:8])
            + (", ..." if len(h.symbols) > 8 else "")
            + ")"
        )
    else:
        syms = "symbols not known (the entry lists none, or the function table is unreadable)"
    return f"{h.mod.shown} ({fixed}); {aliases}; {syms}; {h.entry.summary}"


_RANK = {Reach.FOUND: 0, Reach.UNKNOWN: 1, Reach.ABSENT: 2}


def _one_per_id(hits: tuple[Hit, ...]) -> list[Hit]:
    """An advisory naming several modules of the binary (stdlib and x/net) counts once: its most reachable hit."""
    best: dict[str, Hit] = {}
    for h in hits:
        eid = h.entry.id
        cur = best.get(eid)
        if cur is None or _RANK[h.reach] < _RANK[cur.reach]:
            best[eid] = h
    return list(best.values())


def judge(ins: Inspection, hits: tuple[Hit, ...], ignores: tuple[Ignore, ...], today: datetime.date,
          database: str) -> Finding:
    ev: dict[str, str] = {"database": database}
    bad: list[Hit] = []
    absent: list[Hit] = []
    accepted: list[str] = []
    expired: list[str] = []
    for h in _one_per_id(hits):
        ig = find(ignores, (h.entry.id, *h.entry.aliases)) if ignores else None
        if ig is not None and not ig.expired(today):
            accepted.append(ig.describe())
            continue
        if ig is not None:  # an expired acceptance fails whatever the reach: it has to be renewed or fixed
            expired.append(ig.describe())
            bad.append(h)
            continue
        (absent if h.reach is Reach.ABSENT else bad).append(h)
    for h in bad[:MAX_LISTED] + absent[:max(0, MIN_DETAILED - len(bad))]:  # the rest by id only
        ev[h.entry.id] = _line(h)
    ev["vulns"] = ", ".join(h.entry.id for h in bad) or "none"
    ev["vulns_count"] = str(len(bad))
    ev["not_reachable"] = ", ".join(h.entry.id for h in absent) or "none"
    if accepted:
        ev["ignored"] = "; ".join(accepted)
    if expired:
        ev["expired_ignores"] = "; ".join(expired)
    mods = len({h.mod.path for h in hits})
    if bad:
        ids = ", ".join(h.entry.id + (f" ({h.entry.cves[0]})" if h.entry.cves else "") for h in bad[:MAX_LISTED])
        more = f" (and {len(bad) - MAX_LISTED} more)" if len(bad) > MAX_LISTED else ""
        exp = f"; ignore rules expired: {'; '.join(expired)}" if expired else ""
        return fail(f"{ins.path}: {len(bad)} known vulnerabilities in code it contains: {ids}{more}{exp}",
                    fix=_fix(bad), **ev)
    parts = [f"{ins.path}: no known vulnerability reaches code in the binary"]
    if absent:
        parts.append(f"{len(absent)} advisories affect the versions of {mods} modules it records but none of "
                     f"their symbols is linked in ({ev['not_reachable']})")
    if accepted:
        parts.append(f"{len(accepted)} accepted by ignore rules")
    return ok("; ".join(parts), **ev)


@check("binary.vulns", category=Category.BINARY, severity=Severity.HIGH,
       title="No known vulnerability (Go vulnerability database) in the binary's modules and Go release")
def vulns(f: Facts) -> Iterator[Finding]:
    """Matches the binary's build info against the Go vulnerability database (vuln.go.dev or a mirror: `--vulndb`,
    GOVULNDB): every dependency module at its version (after `=> replacement`), and the standard library
    at the Go release the binary was built with (module `stdlib`; `toolchain` for the go command's own
    binaries). Versions are ordered as Go orders them (pseudo-versions, +incompatible).

    Symbol level where the binary allows it: an advisory lists vulnerable functions; if one of them is in the
    binary's pclntab function table (which survives -ldflags=-s -w and includes inlined functions), the
    result fails naming it. If none is, the advisory is listed under `not_reachable` and the result stays ok:
    the vulnerable code is not linked in, as govulncheck's binary mode also concludes. An advisory without
    symbols, or a binary whose function table cannot be read (PE, Go < 1.16), fails at module level.

    Evidence: each advisory id with its module, first fixed version, aliases (CVE, GHSA) and the symbols.
    The Go database does not rate severity; the check's severity is high.

    Fix: `go get module@<first fixed version>` (or upgrade Go to the fixed release) and rebuild. An advisory
    that does not apply can be accepted until a date with a YAML `binary` check's `ignore:` list.
    """
    db = f.options.subject.vulndb
    if db is None:
        yield skip("vulnerability check not requested (pass --vulns)")
        return
    hits = f.get(VULN_HITS)
    ignores = f.options.subject.vuln_ignore
    today = f.options.subject.today or datetime.date.today()
    for ins in f.get(BINARIES):
        if ins.buildinfo is None:
            why = ins.error or ins.go_error or "no Go build info"
            yield skip(f"{ins.path}: not a Go binary with build info ({why}): nothing to match", subject=ins.path)
            continue
        out = judge(ins, hits.get(ins.path, ()), ignores, today, db.describe())
        yield Finding(out.status, out.summary, out.evidence, out.fix, ins.path, out.file or ins.path, out.line)
