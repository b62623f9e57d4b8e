"""kind: service — a systemd unit as systemd would load it (fragment plus drop-ins), read from its files.

    - name: api-unit
      kind: service
      unit: api.service           # a name looked up in the unit path, or a path to a unit file
      root: /                     # look inside an unpacked image instead (optional)
      user: {ne: root}            # matcher on User= (root when unset)
      exec: {matches: '^/opt/app/bin/api( |$)'}   # matcher on the expanded ExecStart command line
      environment: {GOMEMLIMIT: {exists: true}}   # matchers on the unit's environment
      limits: {LimitNOFILE: {ge: 65536}}          # matchers on soft limits (infinity = "infinity")
      verdicts: [service.unit, service.user]      # built-in service.* checks for this unit

Nothing is started or asked of systemd: a unit on a build box or in an image root is checked the same way.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

import msgspec

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.matchers import Actual, Expect, check, describe, problems, show

if TYPE_CHECKING:
    from gomedic.facts.systemd import ServiceUnit


class ServiceCheck(Common, tag="service", frozen=True):
    unit: str
    root: str = "/"
    user: Expect | None = None
    exec: Expect | None = None
    environment: dict[str, Expect] = msgspec.field(default_factory=dict)
    limits: dict[str, Expect] = msgspec.field(default_factory=dict)
    verdicts: list[str] = msgspec.field(default_factory=list)

    DEFAULT_CATEGORY: ClassVar[Category] = Category.SERVICE

    def default_title(self) -> str:
        return f"unit {self.unit} is configured as declared"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not self.unit:
            out.append((("unit",), "unit: a unit name or file is required"))
        for i, v in enumerate(self.verdicts):
            if not re.match(r"^service\.[a-z0-9-]+$", v):
                out.append((("verdicts", i), f"{v!r} is not a service.* check id"))
        for group in ("environment", "limits"):
            for k, m in getattr(self, group).items():
                out += [((group, k, *sub), msg) for sub, msg in problems(m)]
        return out + matcher_problems("user", self.user) + matcher_problems("exec", self.exec)


def load(c: ServiceCheck) -> ServiceUnit:
    from pathlib import Path

    from gomedic.facts.systemd import load_service

    return load_service(c.unit, Path(c.root))


def _limit(u: ServiceUnit, key: str) -> Actual:
    got = u.limits.get(key)
    if got is None:
        return None
    soft = got[0]
    return "infinity" if soft is None else soft


def judge(c: ServiceCheck, u: ServiceUnit) -> Finding:
    subject = u.name
    user = u.user or "root"
    cmd = " ".join(u.exec_argv)
    ev: dict[str, Any] = {"unit": u.name, "fragment": u.fragment, "file": u.fragment, "User": user, "ExecStart": cmd,
          "drop-ins": ", ".join(u.dropins) or "(none)"}
    if u.masked:
        return fail(f"{u.name} is masked ({u.fragment} -> /dev/null)", subject=subject,
                    fix=c.fix or f"systemctl unmask {u.name}", **ev)
    bad: list[str] = []
    if c.user is not None and not check(c.user, user):
        bad.append(f"User={user}, expected {describe(c.user)}")
    if c.exec is not None and not check(c.exec, cmd or None):
        bad.append(f"ExecStart {show(cmd or None)!r} is not {describe(c.exec)}")
    for k, m in c.environment.items():
        got = u.environment.get(k)
        if not check(m, got):
            bad.append(f"Environment {k}={show(got)}, expected {describe(m)}")
    for k, m in c.limits.items():
        lim = _limit(u, k)
        ev[k] = show(lim)
        if not check(m, lim):
            bad.append(f"{k}={show(lim)}, expected {describe(m)}")
    if bad:
        return fail(f"{u.name}: " + "; ".join(bad), subject=subject,
                    fix=c.fix or f"systemctl edit {u.name} (a drop-in), then systemctl daemon-reload", **ev)
    return ok(f"{u.name} ({u.fragment}): User={user}, ExecStart={show(cmd or None)}", subject=subject, **ev)


SCHEMA = ServiceCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: ServiceCheck, facts: Facts) -> list[Finding]:
    from gomedic.errors import UsageError

    try:
        u = load(c)
    except UsageError as e:
        return [fail(f"{e}", fix=c.fix or f"install the unit file for {c.unit}", unit=c.unit)]
    out = [judge(c, u)]
    if c.verdicts:
        from gomedic.userchecks.verdicts import service_verdicts

        out += service_verdicts(c.verdicts, c.unit, c.root, facts)
    return out
