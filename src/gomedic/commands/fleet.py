"""`gomedic fleet summarize REPORT.json...`: one view of many hosts' JSON reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "fleet",
        help=SUMMARIES["fleet"],
        description="Fleet views over JSON reports (`gomedic check --format json`) collected from many hosts.",
    )
    fsub = p.add_subparsers(dest="fleet_command", metavar="SUBCOMMAND", required=True)
    s: argparse.ArgumentParser = fsub.add_parser(
        "summarize",
        help="merge per-host JSON reports: which hosts fail each check, each host's score and failures",
        description="Merge per-host JSON reports into one view. Each file is one host, named after the file "
        "(reports/web-1.json -> web-1); a directory stands for the *.json files in it. Exit 0 when no host "
        "fails, 1 when a host fails (at --fail-on) or a report cannot be read, 3 when no report can be read.",
    )
    s.add_argument("reports", nargs="+", metavar="REPORT", help="a JSON report file, or a directory of them")
    s.add_argument("--format", default="text", choices=["text", "json", "markdown"],
                   help="output format: %(choices)s (default: %(default)s)")
    s.add_argument("-o", "--output", metavar="FILE", help="write the summary to FILE (atomically) instead of stdout")
    s.add_argument("--fail-on", default="fail", choices=["warn", "fail", "never"],
                   help="exit 1 when a host has a result at or above this status (default: %(default)s)")
    s.set_defaults(run=run)


def expand(paths: list[str]) -> list[Path]:
    """Files as given; a directory becomes its *.json files, sorted. Order is kept, duplicates dropped."""
    out: list[Path] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        found = sorted(x for x in p.glob("*.json") if x.is_file()) if p.is_dir() else [p]
        for x in found:
            if x not in seen:
                seen.add(x)
                out.append(x)
    return out


def run(args: argparse.Namespace) -> int:
    from gomedic.errors import FormatError, UsageError
    from gomedic.fleet.render import render
    from gomedic.fleet.reports import host_names, read_report
    from gomedic.fleet.summary import FleetBuilder, Unreadable
    from gomedic.model import FailOn
    from gomedic.runner import now_utc

    files = expand(args.reports)
    if args.output:  # a summary written into the directory it summarizes is not a host on the next run
        out = Path(args.output).resolve()
        files = [f for f in files if f.resolve() != out]
    if not files:
        raise UsageError(f"no JSON reports in {', '.join(args.reports)}")
    builder = FleetBuilder()  # one report in memory at a time: 10,000 hosts fit in a few hundred MB
    for f, name in zip(files, host_names(files), strict=True):
        try:
            builder.add(read_report(f, name=name))
        except FormatError as e:
            builder.add_unreadable(Unreadable(str(f), str(e)))
            print(f"gomedic: warning: {f}: {e}", file=sys.stderr)
    summary = builder.finish(generated_at=now_utc(), fail_on=FailOn(args.fail_on))
    text = render(summary, args.format)
    if args.output:
        from gomedic.fsutil import atomic_write

        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return summary.exit_code
