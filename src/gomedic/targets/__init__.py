"""Targets: what a binary is judged against (this host, a named profile, an unpacked root, overrides).

`TARGET` is the fact every binary check reads. Its gatherer builds the target the run asked for from
`Options.subject.target` (a spec such as `rhel-8,cpu=x86-64-v3`) and `Options.subject.root`; callers that
already hold a Target (the service checks judging a unit's ExecStart against this host) `facts.seed(TARGET, t)`.
"""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.targets.model import Libc, Target

__all__ = ["TARGET", "Libc", "Target"]


@fact("binary.target")
def TARGET(f: Facts) -> Target:
    from gomedic.facts.cpu import CPU
    from gomedic.facts.host import HOST
    from gomedic.targets.resolve import resolve

    try:
        cpu = f.get(CPU)
        flags, level = cpu.flags, cpu.x86_64_level
    except FactUnavailable:
        flags, level = None, None
    spec = f.options.subject.target or "host"
    root = f.options.subject.root
    return resolve(spec, root or None, f.get(HOST), flags, level, f.env)
