"""The binaries `gomedic binary` looks at: each file of Subject.binaries inspected (read, never run),
or the inspections a caller already made (Subject.inspections)."""

from __future__ import annotations

from gomedic.binfmt.inspect import Inspection, inspect
from gomedic.facts import Facts, fact


@fact("binary.binaries")
def BINARIES(f: Facts) -> tuple[Inspection, ...]:
    given = f.options.subject.inspections
    if given:
        return tuple(given)
    paths = f.options.subject.binaries
    if not paths:
        from gomedic.errors import FactUnavailable

        raise FactUnavailable("no binary given (run `gomedic binary PATH...`)")
    return tuple(inspect(p) for p in paths)
