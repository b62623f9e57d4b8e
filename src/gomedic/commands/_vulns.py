"""The `--vulns`, `--vulndb SOURCE` and `--offline` options shared by `binary` and `gate`."""

from __future__ import annotations

import argparse
import os

from gomedic.subject import Subject
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import replace

if TYPE_CHECKING:
    from typing import Any

    from gomedic.vulndb.db import Database

VULNS_MODULE = "gomedic.checks.binary_vulns"


def add_vuln_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("known vulnerabilities (binary.vulns)")
    g.add_argument("--vulns", action="store_true",
                   help="also match each binary's modules and Go release against the Go vulnerability database")
    g.add_argument("--vulndb", metavar="SOURCE", default=None,
                   help="the database: an https:// URL or a file:///path mirror (default: $GOVULNDB, else "
                   "https://vuln.go.dev); both the v1 and the older layout are read")
    g.add_argument("--offline", action="store_true",
                   help="read only the cached copy of the database (its age is in the evidence)")


def open_database(args: argparse.Namespace) -> Database | None:
    """The opened database, or None without --vulns. Raises VulnDBError (exit 3) / UsageError (exit 2)."""
    if not getattr(args, "vulns", False):
        if getattr(args, "vulndb", None) or getattr(args, "offline", False):
            from gomedic.errors import UsageError

            raise UsageError("--vulndb and --offline apply with --vulns")
        return None
    from gomedic.vulndb.db import open_db
    from gomedic.vulndb.source import configured

    return open_db(configured(args.vulndb, os.environ), os.environ, offline=args.offline)


def load_vuln_check() -> None:
    from gomedic.registry import load

    load([VULNS_MODULE])


def prefetch(facts: Any) -> None:
    """Read every entry the binaries need now, so a database failure is exit 3 with its message, not a result."""
    from gomedic.facts.vulnhits import VULN_HITS

    facts.get(VULN_HITS)


def gate_database(args: argparse.Namespace, subject: Subject) -> Subject:
    """`gate --binary B --vulns`: open the database once (exit 3 if it cannot be read) for every attempt."""
    if not getattr(args, "vulns", False):
        return subject
    if not subject.binaries:
        from gomedic.errors import UsageError

        raise UsageError("--vulns applies to --binary")
    subject = replace(subject, vulndb=open_database(args))
    load_vuln_check()
    return subject
