"""`gomedic why UNIT | --pid PID | --exit-status N`: why did this Go service die? A post-mortem."""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, run_specs
from gomedic.facts import Facts
from gomedic.subject import Subject
from gomedic.values import replace


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "why",
        help=SUMMARIES["why"],
        description="Find why a Go service died: reads systemd's view of the unit (when systemd runs), the unit "
        "file, the unit's last run in the journal, the kernel's messages of that time (OOM kills, traps, "
        "segfaults) and audit SECCOMP records; names the most likely cause with its evidence and fix, and runs "
        "the checks that would have caught it. Exit 0 when a cause is named, 1 when something failed with no "
        "known cause.",
    )
    p.add_argument("unit", nargs="?", metavar="UNIT", help="the unit (app, app.service) or path to its unit file")
    p.add_argument(
        "--pid", type=int, metavar="PID", help="the process that died (its journal lines and kernel records)"
    )
    p.add_argument("--exit-status", metavar="N",
                   help="how it ended, when systemd cannot say: 2, 137 (128+9), 203/EXEC, EXEC, SIGKILL")
    p.add_argument("--journal", metavar="FILE|DIR", help="read this journal file or directory (a copy from the "
                   "machine where it died) instead of this machine's journal")
    p.add_argument("--since", metavar="TIME", help="only journal entries since TIME (journalctl --since syntax)")
    p.add_argument(
        "--root",
        metavar="DIR",
        help="a captured machine or container root: read the unit file, its users, its program "
        "and var/log/audit/audit.log under DIR",
    )
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    add_set_option(p, "why.unit-stop.min_s=10")
    add_output_options(p, fail_on=False)
    p.set_defaults(run=run, fail_on="fail")


def _unit_files(unit: str, root: str | None) -> tuple[Subject, str]:
    """The Subject of the unit file (the service and binary checks read it) and what was found."""
    from gomedic.commands.service import unit_subject
    from gomedic.errors import GomedicError

    try:
        subject = unit_subject(unit, root, None)
    except GomedicError as e:
        if root and not Path(root).is_dir():
            raise
        return Subject(), f"not found on this machine: {e}"
    subject = replace(subject, pid=None)  # a live MainPID is not the process that died; host checks must not read it
    from gomedic.facts.systemd import load_service

    u = load_service(unit, Path(subject.unit_root or "/"))
    shown = u.fragment + (f" + {len(u.dropins)} drop-ins" if u.dropins else "")
    prog = subject.binary
    return subject, f"{shown}; ExecStart program {' '.join(u.exec_argv[:1]) or '(none)'}" + (
        "" if prog else " (not on this machine)")


def why_subject(args: argparse.Namespace) -> Subject:
    from gomedic.errors import UsageError
    from gomedic.postmortem.sdexit import parse_exit_arg

    if not args.unit and args.pid is None and args.exit_status is None:
        raise UsageError("gomedic why: give a UNIT, --pid PID or --exit-status N")
    if args.pid is not None and args.pid <= 0:
        raise UsageError(f"--pid {args.pid}: not a process id")
    if args.exit_status is not None:
        try:
            parse_exit_arg(args.exit_status)
        except ValueError as e:
            raise UsageError(str(e)) from None
    if args.root and not Path(args.root).is_dir():
        raise UsageError(f"--root {args.root}: not a directory")
    if args.journal and not Path(args.journal).exists():
        raise UsageError(f"--journal {args.journal}: no such file or directory")
    if args.journal:  # journalctl runs in a cwd of gomedic's choosing, not the user's
        args.journal = os.path.abspath(args.journal)
    subject = Subject()
    note = None
    if args.unit:
        subject, note = _unit_files(args.unit, args.root)
    unit_name = args.unit
    if unit_name and "/" not in unit_name and "." not in unit_name:
        unit_name += ".service"
    elif unit_name and "/" in unit_name:
        unit_name = Path(unit_name).name
    # --root: a captured machine, its audit log is read from there
    root_dir = str(Path(args.root).resolve()) if args.root else None
    return replace(subject, why_unit=unit_name, why_pid=args.pid, journal=args.journal, since=args.since,
                   exit_status=args.exit_status, unit_file_note=note or None, root_dir=root_dir)


def context(f: Facts) -> Mapping[str, Any]:
    from gomedic.facts.host import HOST

    x = f.options.subject
    parts = [f"{label} {v}" for v, label in ((x.why_unit, "unit"), (x.why_pid, "pid"), (x.exit_status, "exit status"),
                                             (x.journal, "journal"), (x.binary, "program")) if v is not None]
    return {"host": f.get(HOST).as_context(), "go": None, "target": ", ".join(parts)}


def run(args: argparse.Namespace) -> int:
    from gomedic.commands.host import make_facts
    from gomedic.registry import REGISTRY
    from gomedic.runner import Selection, select

    subject = why_subject(args)
    facts = make_facts(args, subject, ["why"])
    specs = select(REGISTRY, Selection(areas=frozenset(["why"]), skip=frozenset(args.skip)))
    if not subject.unit:  # no unit file here: the unit-setting checks have nothing to read
        specs = [s for s in specs if not s.id.startswith("why.unit-")]
    report = run_specs("why", specs, facts, context=context, budget_s=180.0)
    return emit(report, args)
