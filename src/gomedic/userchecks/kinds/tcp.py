"""kind: tcp — whether a TCP address accepts connections (or, with `reachable: false`, refuses them).

    - name: api-listens
      kind: tcp
      address: 127.0.0.1:8443     # host:port, [v6]:port
      reachable: true             # default true
"""

from __future__ import annotations

from typing import ClassVar

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem


def split_address(addr: str) -> tuple[str, int]:
    """`host:port` or `[v6]:port` -> (host, port); raises ValueError."""
    host, sep, port = addr.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise ValueError(f"{addr!r} is not host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    n = int(port)
    if not 0 < n < 65536:
        raise ValueError(f"port {n} is out of range")
    return host, n


class TcpCheck(Common, tag="tcp", frozen=True):
    address: str
    reachable: bool = True

    DEFAULT_CATEGORY: ClassVar[Category] = Category.NETWORK

    def default_title(self) -> str:
        return f"{self.address} {'accepts' if self.reachable else 'refuses'} TCP connections"

    def kind_problems(self) -> list[Problem]:
        try:
            split_address(self.address)
        except ValueError as e:
            return [(("address",), str(e))]
        return []


SCHEMA = TcpCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: TcpCheck, facts: Facts) -> Finding:
    import socket

    host, port = split_address(c.address)
    try:
        with socket.create_connection((host, port), timeout=c.timeout_s) as s:
            peer = s.getpeername()
        err = ""
    except OSError as e:
        err = e.strerror or str(e) or type(e).__name__
        peer = None
    if err:
        if c.reachable:
            return fail(
                f"{c.address} is not reachable: {err}",
                fix=c.fix or f"start the service listening on {c.address}",
                address=c.address,
                error=err,
            )
        return ok(f"{c.address} refuses connections ({err}), as declared", address=c.address, error=err)
    if c.reachable:
        return ok(f"{c.address} accepts TCP connections", address=c.address, peer=peer)
    return fail(f"{c.address} accepts TCP connections but is declared unreachable",
                fix=c.fix or f"stop whatever listens on {c.address} (ss -ltnp 'sport = :{port}')", address=c.address)
