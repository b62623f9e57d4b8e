"""kind: dns — whether a name resolves (through the system resolver, as a cgo Go binary would), and to what.

    - name: db-resolves
      kind: dns
      host: db.internal
      resolves: true              # default true; false asserts the name does not resolve
      addresses: [10.0.0.5]       # each must be among the results (optional)
"""

from __future__ import annotations

from typing import ClassVar

import msgspec

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem


class DnsCheck(Common, tag="dns", frozen=True):
    host: str
    resolves: bool = True
    addresses: list[str] = msgspec.field(default_factory=list)

    DEFAULT_CATEGORY: ClassVar[Category] = Category.NETWORK

    def default_title(self) -> str:
        return f"{self.host} {'resolves' if self.resolves else 'does not resolve'}"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not self.host or len(self.host) > 253:
            out.append((("host",), "host must be a name of 1 to 253 characters"))
        if self.addresses and not self.resolves:
            out.append((("addresses",), "addresses: a name declared not to resolve has no addresses"))
        return out


def resolve(host: str) -> list[str]:
    import socket

    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    seen: list[str] = []
    for info in infos:
        addr = str(info[4][0])
        if addr not in seen:
            seen.append(addr)
    return seen


SCHEMA = DnsCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: DnsCheck, facts: Facts) -> Finding:
    import socket

    try:
        addrs = resolve(c.host)
    except (socket.gaierror, UnicodeError) as e:
        why = getattr(e, "strerror", None) or str(e)
        if not c.resolves:
            return ok(f"{c.host} does not resolve ({why}), as declared", host=c.host)
        return fail(f"{c.host} does not resolve: {why}", fix=c.fix or f"add {c.host} to DNS or /etc/hosts",
                    host=c.host, error=why)
    shown = ", ".join(addrs)
    if not c.resolves:
        return fail(f"{c.host} resolves to {shown} but is declared not to", fix=c.fix or None,
                    host=c.host, addresses=shown)
    missing = [a for a in c.addresses if a not in addrs]
    if missing:
        return fail(f"{c.host} resolves to {shown}, not to {', '.join(missing)}",
                    fix=c.fix or f"point {c.host} at {', '.join(missing)}", host=c.host, addresses=shown)
    return ok(f"{c.host} resolves to {shown}", host=c.host, addresses=shown)
