"""The vulnerability database entries that affect each binary `gomedic binary --vulns` looks at: its modules
and Go release matched against the opened database (Options.subject.vulndb), function names read from its
pclntab when an entry names symbols. Results are kept in the database's scan cache."""

from __future__ import annotations

from collections.abc import Mapping

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.binaries import BINARIES
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from gomedic.vulndb.scan import Hit


@fact("binary.vuln-hits")
def VULN_HITS(f: Facts) -> Mapping[str, tuple[Hit, ...]]:
    """path -> entries affecting it; raises VulnDBError (exit 3 in commands) when the database fails."""
    from functools import partial

    from gomedic.binfmt import gofuncs
    from gomedic.vulndb.lookups import look_up_new
    from gomedic.vulndb.scan import Matcher, Symbols, paused_gc, scan
    from gomedic.vulndb.scancache import ScanCache

    db = f.options.subject.vulndb
    if db is None:
        raise FactUnavailable("vulnerability check not requested (pass --vulns)")
    found: dict[str, tuple[Hit, ...]] = {}
    matcher = Matcher()
    saved = ScanCache(db.cache, f"{db.layout.value}:{db.modified}:{db.url}")
    bins = [ins for ins in f.get(BINARIES) if ins.buildinfo is not None]
    with paused_gc():
        pending = []
        for ins in bins:
            platform = (ins.goos or "linux", ins.goarch or "amd64")
            hits = saved.get(ins.path, platform)
            if hits is None:
                pending.append((ins, platform))
            else:
                found[ins.path] = hits
        looked = look_up_new(pending, matcher, db.entries)
        for ins, platform in pending:
            assert ins.buildinfo is not None
            hits = saved.get(ins.path, platform)  # another name of a file scanned just now
            if hits is None:
                syms = looked.get(ins.path) or Symbols(partial(gofuncs.table, ins.path), ins.buildinfo.path)
                hits = tuple(scan(ins.buildinfo, *platform, db.entries, syms, matcher))
                saved.put(ins.path, platform, hits)
            found[ins.path] = hits
        saved.save()
    return {ins.path: found[ins.path] for ins in bins}
