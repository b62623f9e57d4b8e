"""`verdicts:` in binary and service checks: run built-in `binary.*` / `service.*` checks for the declared subject.

The built-in check is looked up in the catalogue (gomedic.checks.BUILTIN) and run, through runner.run_one,
against a Facts of its own whose Subject names what is checked the way the built-in commands do
(`unit`/`unit_root` for service checks, `binaries` for binary checks). Its outcome becomes a finding of the
declared check (so the declared severity, category and rollout apply), its summary prefixed by the verdict id.
"""

from __future__ import annotations

from collections.abc import Sequence

from gomedic.facts import Facts, Options
from gomedic.finding import Finding, fail
from gomedic.model import Status
from gomedic.subject import Subject


def _run(area: str, ids: Sequence[str], given: Subject, facts: Facts, subject: str) -> list[Finding]:
    from gomedic.checks import BUILTIN
    from gomedic.registry import load_areas
    from gomedic.runner import run_one

    if area not in BUILTIN:
        return [fail(f"{', '.join(ids)}: this gomedic has no {area}.* checks", subject=subject,
                     fix="remove verdicts: or upgrade gomedic")]
    registry = load_areas([area])
    opts = facts.options
    child = Facts(Options(env=opts.env, cwd=opts.cwd, deep=opts.deep, online=opts.online,
                          subject=given.over(opts.subject)), registry,
                  reader=facts.reader, runner=facts.runner)  # the same door as the run's
    out: list[Finding] = []
    for vid in ids:
        if vid not in registry:
            known = ", ".join(s.id for s in registry if s.area == area)
            out.append(fail(f"verdict {vid} is not a check (known: {known})", subject=subject,
                            fix="use an id from `gomedic list`"))
            continue
        for r in run_one(registry.get(vid), child):
            status = Status.FAIL if r.status is Status.ERROR else r.status
            out.append(Finding(status, f"{vid}: {r.summary}", r.evidence, r.fix, r.subject or subject, r.file, r.line))
    return out


def service_verdicts(ids: Sequence[str], unit: str, root: str, facts: Facts) -> list[Finding]:
    """`gomedic service UNIT`'s view of the unit (its binary and main pid included, as that command finds them)."""
    from gomedic.commands.service import unit_subject
    from gomedic.errors import UsageError

    try:
        given = unit_subject(unit, None if root == "/" else root, None)
    except UsageError as e:
        return [fail(f"{', '.join(ids)}: {e}", subject=unit, fix=f"install the unit file for {unit}")]
    return _run("service", ids, given, facts, unit)


def binary_verdicts(ids: Sequence[str], paths: Sequence[str], facts: Facts) -> list[Finding]:
    """The binaries judged as `gomedic binary PATH...` does (Subject.binaries; one result per binary)."""
    return _run("binary", ids, Subject(binaries=tuple(paths)), facts, ", ".join(paths))
