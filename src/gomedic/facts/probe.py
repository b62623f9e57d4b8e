"""The live-service probe as a fact: what `gomedic probe URL` read, gathered once per run.

The command puts its ProbeTarget in `Options.extra["probe"]` (and the pid in `extra["pid"]`, which the
host facts read too) and gathers this fact before the checks run, so a 30 s window never counts against
a check's timeout.
"""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.probe.collect import ProbeData, collect
from gomedic.probe.target import ProbeTarget

EXTRA_KEY = "probe"


@fact("probe.data")
def PROBE(f: Facts) -> ProbeData:
    target = f.options.extra.get(EXTRA_KEY)
    if not isinstance(target, ProbeTarget):
        raise FactUnavailable("no live service to probe (run `gomedic probe URL [--pid PID]`)")
    return collect(target, reader=f.reader)
