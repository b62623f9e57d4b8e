"""`gomedic host`: is this machine (or this process) ready for a Go service? host.*, tls.*, net.resolver."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, parse_overrides, run_specs
from gomedic.facts import Facts
from gomedic.subject import Subject
from gomedic.values import replace

HOST_AREAS = ("host", "tls", "net")


def add_target_options(p: argparse.ArgumentParser, *, root: bool = True) -> None:
    p.add_argument("--pid", type=int, metavar="PID",
                   help="evaluate this running process (its limits, environment, cgroup, seccomp) instead of gomedic")
    p.add_argument(
        "--binary", metavar="PATH", help="the Go program the service runs (its Go release decides GOMAXPROCS)"
    )
    if root:
        p.add_argument("--root", metavar="DIR",
                       help="read /proc, /sys and /etc under DIR (a captured tree or an unpacked container root)")


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "host",
        help=SUMMARIES["host"],
        description="Check the machine a Go service runs on, reading /proc and /sys directly. With --pid, "
        "evaluate a running process instead of gomedic itself.",
    )
    add_target_options(p)
    p.add_argument("--area", action="append", default=[], choices=HOST_AREAS, help="only these areas (repeatable)")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    add_set_option(p, "host.nofile.min=65536")
    add_output_options(p)
    p.set_defaults(run=run)


def target_subject(args: argparse.Namespace) -> Subject:
    """The Subject of the host facts, validated: a --pid that does not exist is a usage error."""
    import os
    from pathlib import Path

    from gomedic.errors import UsageError

    subject = Subject()
    root = getattr(args, "root", None)
    if root:
        if not Path(root).is_dir():
            raise UsageError(f"--root {root}: not a directory")
        subject = replace(subject, root=str(Path(root).resolve()))
    if args.pid is not None:
        base = Path(subject.root or "/") / "proc" / str(args.pid)
        if args.pid <= 0 or not base.is_dir():
            raise UsageError(f"--pid {args.pid}: no such process")
        subject = replace(subject, pid=args.pid)
    if args.binary:
        if not os.path.isfile(args.binary):
            raise UsageError(f"--binary {args.binary}: no such file")
        subject = replace(subject, binary=os.path.abspath(args.binary))
    return subject


def context(f: Facts) -> Mapping[str, Any]:
    from gomedic.facts.host import HOST

    s = f.options.subject
    target: dict[str, Any] = {"pid": s.pid, "root": s.root or "/"}
    if s.binary:
        target["binary"] = s.binary
    if s.unit:
        target["unit"] = s.unit
    return {"host": f.get(HOST).as_context(), "go": None, "target": target}


def make_facts(args: argparse.Namespace, subject: Subject, areas: Sequence[str]) -> Facts:
    from gomedic.commands._common import validate_overrides
    from gomedic.facts import Options
    from gomedic.registry import load_areas

    registry = load_areas(areas)
    for sid in getattr(args, "skip", []):
        if not (sid.startswith("custom.") and getattr(args, "checks", None)):  # gate --checks: see gate_specs
            registry.get(sid)
    overrides = parse_overrides(args.overrides)
    facts = Facts(Options(overrides=MappingProxyType(overrides), subject=subject), registry)
    validate_overrides(overrides, facts)
    return facts


def run(args: argparse.Namespace) -> int:
    from gomedic.model import FailOn
    from gomedic.runner import Selection, select

    areas = args.area or list(HOST_AREAS)
    facts = make_facts(args, target_subject(args), areas)
    sel = Selection(areas=frozenset(areas), skip=frozenset(args.skip))
    from gomedic.registry import REGISTRY

    report = run_specs("host", select(REGISTRY, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
