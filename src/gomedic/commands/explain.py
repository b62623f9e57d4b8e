"""`gomedic explain ID`: what a check checks, the error users see when it is wrong, and the fix."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser("explain", help=SUMMARIES["explain"])
    p.add_argument("id", metavar="ID", help="a check id, e.g. toolchain.goroot-matches")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from gomedic.registry import load_all

    spec = load_all().get(args.id)
    head = f"{spec.id} — {spec.title}"
    meta = [f"area {spec.area}", f"category {spec.category.value} (gate code {spec.category.gate_code})",
            f"severity {spec.severity.value}"]
    if spec.deep:
        meta.append("runs with --deep")
    if spec.online:
        meta.append("runs with --online")
    lines = [head, "=" * len(head), " · ".join(meta), "", spec.doc or "(no description)"]
    if spec.thresholds:
        lines += ["", "Thresholds (set with --set ID.NAME=VALUE):"]
        lines += [f"  {spec.id}.{k} = {v}" for k, v in spec.thresholds.items()]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
