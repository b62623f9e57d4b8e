"""net.*: the resolver files Go's pure-Go resolver reads (nsswitch.conf, /etc/hosts, resolv.conf).

Paths are read under the evaluated root (`/`, or `--root DIR` for an unpacked container).
"""

from __future__ import annotations

from typing import Any

from gomedic.facts import Facts
from gomedic.facts.resolver import RESOLVER_FILES, hosts_line, nameservers
from gomedic.finding import Finding, ok, warn
from gomedic.model import Category, Severity
from gomedic.registry import check


@check("net.resolver", category=Category.NETWORK, severity=Severity.MEDIUM,
       title="Resolver files are present: nsswitch.conf hosts order, /etc/hosts, resolv.conf")
def resolver(f: Facts) -> Finding:
    """Checks what Go's pure resolver reads: /etc/nsswitch.conf `hosts:` (files before dns, or
    `localhost` and /etc/hosts names go to DNS), /etc/hosts, and /etc/resolv.conf with a nameserver.
    Symptoms: `lookup localhost: no such host`, `dial udp [::1]:53: connect: connection refused`.
    Fix: add `hosts: files dns` to /etc/nsswitch.conf; provide /etc/hosts and /etc/resolv.conf."""
    files = f.get(RESOLVER_FILES)
    ns, hosts, rc = files.nsswitch, files.hosts, files.resolv
    line = "" if ns is None else hosts_line(ns)
    servers = nameservers(rc or "")
    ev: dict[str, Any] = {"hosts:": line or ("(no hosts line)" if ns is not None else "(no nsswitch.conf)"),
          "/etc/hosts": "present" if hosts is not None else "missing", "nameservers": " ".join(servers)}
    problems = []
    if ns is None:
        problems.append("/etc/nsswitch.conf missing (older Go then asks DNS before /etc/hosts)")
    elif not line:
        problems.append("/etc/nsswitch.conf has no hosts: line")
    elif "files" in line.split() and "dns" in line.split() and line.split().index("dns") < line.split().index("files"):
        problems.append(f"hosts: {line} asks DNS before /etc/hosts")
    if hosts is None:
        problems.append("/etc/hosts missing")
    if rc is None:
        problems.append("/etc/resolv.conf missing (Go falls back to 127.0.0.1:53)")
    elif not servers:
        problems.append("/etc/resolv.conf lists no nameserver")
    if problems:
        return warn("; ".join(problems), fix="add `hosts: files dns` to /etc/nsswitch.conf and provide /etc/hosts "
                    "and /etc/resolv.conf", **ev)
    return ok(f"hosts: {line}; /etc/hosts present; nameservers {' '.join(servers)}", **ev)
