"""`gomedic gate`: the pre-start gate (systemd ExecStartPre=, Kubernetes init container).

Runs what applies of binary, host, tls/net and service checks, prints one journal-friendly line per
failing check to stderr, and exits with the category code of model.Report.exit (0 ok, 10 network,
20 tls, 30 binary, 40 limits, 50 toolchain, 60 filesystem, 70 service, 80 runtime, 90 custom; 2 usage,
3 nothing could be evaluated). `--wait` re-runs the failing checks until they pass or time is up (at least
once, even when the first attempt took longer than the wait).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option
from gomedic.commands.host import HOST_AREAS, add_target_options, context, make_facts
from gomedic.subject import Subject
from gomedic.values import replace

MAX_WAIT_S = 24 * 3600.0


def parse_duration(text: str) -> float:
    """`30s`, `2m`, `1h`, `500ms` or plain seconds -> seconds."""
    from gomedic.errors import UsageError
    from gomedic.units import parse_duration as parse

    try:
        v = parse(text)
    except ValueError as e:
        raise UsageError(f"invalid duration {text!r}: {e}") from None
    if v > MAX_WAIT_S:
        raise UsageError(f"duration {text} is longer than 24h")
    return v


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "gate",
        help=SUMMARIES["gate"],
        description="Run the binary, host, tls/net and service checks that apply and exit 0 when the service "
        "can start, else with the code of the most basic failing category (10 network, 20 tls, 30 binary, "
        "40 limits, 50 toolchain, 60 filesystem, 70 service, 80 runtime, 90 custom). One line per failure "
        "goes to stderr (the journal); --format writes a full report to stdout.",
    )
    add_target_options(p, root=False)
    p.add_argument("--unit", metavar="UNIT", help="also check this systemd unit (name or path)")
    p.add_argument("--root", metavar="DIR", help="with --unit: read unit files, users and the program under DIR")
    p.add_argument("--wait", metavar="DURATION", type=parse_duration, default=0.0,
                   help="retry failing checks until they pass or DURATION (30s, 2m) has passed")
    p.add_argument("--interval", metavar="DURATION", type=parse_duration, default=2.0,
                   help="pause between retries with --wait (default: 2s)")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    p.add_argument("-q", "--quiet", action="store_true", help="no stderr line when the gate passes")
    from gomedic.userchecks.cliopts import add_checks_option  # --checks FILE: declared checks (YAML)

    add_checks_option(p)
    from gomedic.commands._vulns import add_vuln_options  # --vulns: binary.vulns for --binary (opt-in)

    add_vuln_options(p)
    add_set_option(p, "host.nofile.min=65536")
    add_output_options(p, fail_on=False)
    p.set_defaults(run=run, format=None)


def gate_subject(args: argparse.Namespace) -> Subject:
    import os
    from pathlib import Path

    from gomedic.commands.service import unit_subject
    from gomedic.errors import UsageError

    subject = Subject()
    if args.unit:
        subject = unit_subject(args.unit, args.root, args.pid)
    elif args.root:
        raise UsageError("--root applies to --unit")
    elif args.pid is not None:
        if args.pid <= 0 or not Path(f"/proc/{args.pid}").is_dir():
            raise UsageError(f"--pid {args.pid}: no such process")
        subject = replace(subject, pid=args.pid)
    if args.binary:
        binary = os.path.abspath(args.binary)  # a missing file is a binary.* failure, not usage
        subject = replace(subject, binary=binary, binaries=(binary,))
    return subject


def gate_areas(subject: Subject) -> list[str]:
    areas = list(HOST_AREAS)
    if subject.unit:
        areas.append("service")
    if subject.binary:
        areas.append("binary")
    return areas


def journal_line(r: Any) -> str:
    """One line per failing result, as systemd's journal shows ExecStartPre= stderr."""
    subject = f" {r.subject}" if r.subject else ""
    fix = f" -- fix: {r.fix}" if r.fix else ""
    text = (f"gomedic gate: {r.status.value.upper()} {r.id}{subject} "
            f"[{r.category.value} {r.category.gate_code}]: {r.summary}{fix}")
    return " ".join(text.split())


def _merge(old: Sequence[Any], new: Sequence[Any], rerun: set[str]) -> list[Any]:
    kept = [r for r in old if r.id not in rerun]
    return kept + list(new)


def run(args: argparse.Namespace) -> int:
    from gomedic.commands._common import emit
    from gomedic.commands._vulns import gate_database
    from gomedic.model import Status
    from gomedic.redact import redact_report
    from gomedic.registry import REGISTRY
    from gomedic.runner import Selection, build_report, now_utc, run_checks, select

    subject = gate_database(args, gate_subject(args))
    areas = gate_areas(subject)
    facts = make_facts(args, subject, areas)
    specs = select(REGISTRY, Selection(areas=frozenset(areas), skip=frozenset(args.skip)))
    from gomedic.userchecks.cliopts import gate_specs

    specs += gate_specs(args)  # --checks FILE: declared checks, each with its retries/interval
    t0 = time.monotonic()
    started = now_utc()
    deadline = t0 + args.wait
    results = run_checks(specs, facts)
    attempts = 1
    while True:
        failing = {r.id for r in results if r.counted and r.status in (Status.FAIL, Status.ERROR)}
        remaining = deadline - time.monotonic()
        if not failing or args.wait <= 0 or (remaining <= 0 and attempts > 1):
            break  # with --wait, at least one retry even when the first attempt used up the time
        time.sleep(max(0.0, min(args.interval, remaining)))
        facts = make_facts(args, subject, areas)  # facts are per attempt: the world may have changed
        results = _merge(results, run_checks([s for s in specs if s.id in failing], facts), failing)
        attempts += 1
    order = {s.id: i for i, s in enumerate(specs)}
    results = sorted(results, key=lambda r: order.get(r.id, len(order)))
    ctx = dict(context(facts))
    ctx["gate"] = {"attempts": attempts, "wait_s": args.wait}
    report = build_report("gate", results, started, t0, ctx)
    shown = redact_report(report)
    bad = [r for r in shown.results if r.counted and r.status in (Status.FAIL, Status.ERROR)]
    for r in bad:
        print(journal_line(r), file=sys.stderr)
    code = report.exit
    if bad or not args.quiet:
        n = len(results)
        verdict = "ok" if code == 0 else f"{len(bad)} failing of {n} results"
        print(f"gomedic gate: {verdict}; exit {code} ({attempts} attempt{'s' if attempts > 1 else ''})",
              file=sys.stderr)
    if args.format:
        emit(report, args)
    return code
