"""The live-service probe as a fact: what `gomedic probe URL` read, gathered once per run.

The command puts its ProbeTarget in `Options.subject.probe` (and the pid in `subject.pid`, which the
host facts read too) and gathers this fact before the checks run, so a 30 s window never counts against
a check's timeout.
"""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.probe.collect import ProbeData, collect


@fact("probe.data")
def PROBE(f: Facts) -> ProbeData:
    target = f.options.subject.probe
    if target is None:
        raise FactUnavailable("no live service to probe (run `gomedic probe URL [--pid PID]`)")
    return collect(target, reader=f.reader)
