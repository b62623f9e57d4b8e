"""`gomedic service UNIT`: a systemd unit as its user will see it, its program, and its process if running."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, run_specs
from gomedic.commands.host import HOST_AREAS, context, make_facts
from gomedic.subject import Subject
from gomedic.values import replace


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "service",
        help=SUMMARIES["service"],
        description="Check a systemd service from its unit files (no running systemd needed). UNIT is a unit "
        "name (looked up in /etc/systemd/system, /run/systemd/system, /usr/lib/systemd/system, ...) or a path.",
    )
    p.add_argument("unit", metavar="UNIT", help="unit name (app, app.service, app@x.service) or path to a unit file")
    p.add_argument("--root", metavar="DIR", help="read unit files, users and the program under DIR")
    p.add_argument("--pid", type=int, metavar="PID", help="the unit's running process (default: MainPID from systemd)")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    add_set_option(p, "service.limits.nofile_min=65536")
    add_output_options(p)
    p.set_defaults(run=run)


def main_pid(name: str) -> int | None:
    """MainPID of a running unit from systemd, or None (systemd not running here, or unit inactive)."""
    import shutil

    from gomedic import execx
    from gomedic.errors import CommandError

    if not os.path.isdir("/run/systemd/system") or shutil.which("systemctl", path=execx.TRUSTED_PATH) is None:
        return None
    try:
        r = execx.run(["systemctl", "show", "-p", "MainPID", "--value", name], timeout=5)
    except CommandError:
        return None
    v = r.stdout.strip()
    return int(v) if r.ok and v.isdecimal() and int(v) > 0 else None


def unit_subject(unit: str, root: str | None, pid: int | None) -> Subject:
    """The Subject for a unit: loads it now (a unit that cannot be found is a usage error, exit 2)."""
    from gomedic.errors import UsageError
    from gomedic.facts.door import HOST_READER
    from gomedic.facts.servicefiles import exec_path
    from gomedic.facts.systemd import load_service

    r = Path(root).resolve() if root else Path("/")
    if root and not r.is_dir():
        raise UsageError(f"--root {root}: not a directory")
    u = load_service(unit, r)
    subject = Subject(unit=unit, unit_root=str(r))
    path = exec_path(HOST_READER, u, r)
    if path:
        real = r / path.lstrip("/")
        if real.is_file():
            subject = replace(subject, binary=str(real), binaries=(str(real),))
    if pid is None and str(r) == "/":
        pid = main_pid(u.name)
    if pid is not None:
        if not Path(f"/proc/{pid}").is_dir():
            raise UsageError(f"--pid {pid}: no such process")
        subject = replace(subject, pid=pid)
    return subject


def areas_for(subject: Subject) -> list[str]:
    areas = ["service"]
    if subject.binary:
        areas.append("binary")  # the unit's program, read (never run) by the binary.* checks
    if subject.pid is not None:
        areas += list(HOST_AREAS)
    return areas


def run(args: argparse.Namespace) -> int:
    from gomedic.model import FailOn
    from gomedic.registry import REGISTRY
    from gomedic.runner import Selection, select

    subject = unit_subject(args.unit, args.root, args.pid)
    areas = areas_for(subject)
    facts = make_facts(args, subject, areas)
    sel = Selection(areas=frozenset(areas), skip=frozenset(args.skip))
    report = run_specs("service", select(REGISTRY, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
