"""The kinds of declared check, one module each: the schema (a msgspec Struct tagged by `kind`) and evaluate().

KINDS is the explicit list; adding a kind is one module plus one line here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from gomedic.facts import Facts
from gomedic.finding import Finding
from gomedic.userchecks.common import Common
from gomedic.userchecks.kinds import (
    binary,
    command,
    dns,
    env,
    file,
    http,
    metric,
    process,
    service,
    sysctl,
    tcp,
)

Evaluate = Callable[[Any, Facts], "Finding | Iterable[Finding]"]

KINDS: dict[str, tuple[type[Common], Evaluate]] = {
    "command": (command.CommandCheck, command.evaluate),
    "file": (file.FileCheck, file.evaluate),
    "http": (http.HttpCheck, http.evaluate),
    "tcp": (tcp.TcpCheck, tcp.evaluate),
    "dns": (dns.DnsCheck, dns.evaluate),
    "sysctl": (sysctl.SysctlCheck, sysctl.evaluate),
    "env": (env.EnvCheck, env.evaluate),
    "process": (process.ProcessCheck, process.evaluate),
    "binary": (binary.BinaryCheck, binary.evaluate),
    "metric": (metric.MetricCheck, metric.evaluate),
    "service": (service.ServiceCheck, service.evaluate),
}

AnyCheck = (
    command.CommandCheck | file.FileCheck | http.HttpCheck | tcp.TcpCheck | dns.DnsCheck | sysctl.SysctlCheck
    | env.EnvCheck | process.ProcessCheck | binary.BinaryCheck | metric.MetricCheck | service.ServiceCheck
)


def evaluator(check: Common) -> Evaluate:
    return KINDS[check.KIND][1]
