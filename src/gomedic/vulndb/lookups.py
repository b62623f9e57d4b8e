"""The function-table lookups of a run's new binaries (most of a first scan's time), spread over the idle CPUs."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from functools import partial

from gomedic.binfmt import gofuncs
from gomedic.binfmt.scan import fork_map, idle_cpus
from gomedic.typenames import TYPE_CHECKING
from gomedic.vulndb.scan import Looked, Matcher, Symbols, Wanted, look_up

if TYPE_CHECKING:
    from gomedic.binfmt.inspect import Inspection
    from gomedic.vulndb.osv import Entry

PARALLEL_MIN = 16  # new binaries: below this, forking a worker costs more than it saves


def look_up_new(pending: list[tuple[Inspection, tuple[str, str]]], matcher: Matcher,
                entries_for: Callable[[str], Iterable[Entry]]) -> dict[str, Looked]:
    """path -> what scan asks of its table, for the binaries not scanned before (one per file: hard links
    are scanned once), computed by fork_map over the idle CPUs; {} when not worth a fork (few binaries, one
    idle CPU) or not safe (other threads: a forked child copies only this one, and their locks as held).
    The database is read here, in this process (`matcher.binary`); the workers only read tables."""
    if len(pending) < PARALLEL_MIN or threading.active_count() > 1 or idle_cpus() < 2:
        return {}
    files: dict[object, tuple[str, str, Wanted]] = {}
    for ins, platform in pending:
        assert ins.buildinfo is not None
        try:
            st = os.stat(ins.path)
            k: object = (st.st_dev, st.st_ino)
        except OSError:
            k = ins.path
        if k not in files:
            files[k] = (ins.path, ins.buildinfo.path, matcher.binary(ins.buildinfo, *platform, entries_for))
    items = list(files.values())
    got = fork_map(lambda x: look_up(Symbols(partial(gofuncs.table, x[0]), x[1]), x[2]), items)
    return {path: r for (path, _, _), r in zip(items, got, strict=True)}
