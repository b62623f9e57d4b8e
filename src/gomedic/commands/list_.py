"""`gomedic list`: every check's id, area, severity and title."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("list", help=SUMMARIES["list"])
    p.add_argument("--area", action="append", default=[], help="only checks of this area (repeatable)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gomedic.errors import UsageError
    from gomedic.registry import load_all

    every = list(load_all())
    known = sorted({s.area for s in every})
    unknown = [a for a in args.area if a not in known]
    if unknown:
        raise UsageError(f"unknown area {unknown[0]!r} (areas: {', '.join(known)})")
    specs = [s for s in every if not args.area or s.area in args.area]
    if args.format == "json":
        rows: list[dict[str, Any]] = [
            {"id": s.id, "area": s.area, "category": s.category.value, "severity": s.severity.value,
             "title": s.title, "deep": s.deep, "online": s.online, "thresholds": dict(s.thresholds)}
            for s in specs
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return 0
    w = max((len(s.id) for s in specs), default=2)
    for s in specs:
        flags = " (deep)" if s.deep else " (online)" if s.online else ""
        sys.stdout.write(f"{s.id:<{w}}  {s.area:<9}  {s.severity.value:<8}  {s.title}{flags}\n")
    return 0
