"""The files Go's pure-Go resolver reads, under the evaluated root (`/`, or --root)."""

from __future__ import annotations

from gomedic.facts import Facts, fact
from gomedic.facts.proc import target_root
from gomedic.values import frozen


@frozen
class ResolverFiles:
    """Texts of /etc/nsswitch.conf, /etc/hosts and /etc/resolv.conf; None when missing or unreadable."""

    nsswitch: str | None
    hosts: str | None
    resolv: str | None


def hosts_line(nsswitch: str) -> str:
    """The sources of the `hosts:` line of nsswitch.conf (comment dropped), or "" when there is none."""
    return next((ln.split(":", 1)[1].split("#")[0].strip() for ln in nsswitch.splitlines()
                 if ln.strip().startswith("hosts:")), "")


def nameservers(resolv: str) -> list[str]:
    return [ln.split()[1] for ln in resolv.splitlines() if ln.startswith("nameserver") and len(ln.split()) > 1]


@fact("net.resolver-files")
def RESOLVER_FILES(f: Facts) -> ResolverFiles:
    root, r = target_root(f), f.reader
    return ResolverFiles(
        r.text(root, "/etc/nsswitch.conf"), r.text(root, "/etc/hosts"), r.text(root, "/etc/resolv.conf")
    )
