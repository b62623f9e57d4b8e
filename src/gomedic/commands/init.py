"""`gomedic init --unit UNIT | --binary PATH`: write a starter check file from what is found."""

from __future__ import annotations

import argparse
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "init",
        help=SUMMARIES["init"],
        description="Inspect a systemd unit (its files: nothing is started) or a Go binary (read, never run) "
        "and write declared checks that pin what is there now: the unit's user, command and limits, its "
        "files, its process, how its binary was built. Guessed ports are written with `rollout: shadow`.",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--unit", metavar="UNIT", help="a unit name (api.service) or unit file path")
    what.add_argument("--binary", metavar="PATH", help="a Go binary")
    p.add_argument("--root", default="/", metavar="DIR", help="look for the unit inside this root (an image)")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite an existing --output file")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import os
    import sys
    from pathlib import Path

    from gomedic.errors import UsageError
    from gomedic.userchecks import starter

    if args.output and os.path.exists(args.output) and not args.force:
        raise UsageError(f"{args.output} exists (use --force to overwrite it)")
    if args.binary:
        from gomedic.binfmt.inspect import inspect

        info = inspect(args.binary)
        if info.buildinfo is None:
            raise UsageError(f"{args.binary} is not a Go binary gomedic can read: {info.error or info.go_error}")
        checks = starter.binary_checks(info, starter.slug(Path(args.binary).name))
        how = f"init --binary {args.binary}"
    else:
        from gomedic.facts.systemd import load_service

        unit = load_service(args.unit, Path(args.root))
        checks = starter.unit_checks(unit, args.unit, args.root)
        how = f"init --unit {args.unit}"
    text = starter.render(checks, how, args.output or "checks.yaml")
    _self_check(text)
    if args.output:
        from gomedic.fsutil import atomic_write

        atomic_write(args.output, text)
        sys.stderr.write(f"wrote {len(checks)} checks to {args.output}\n")
    else:
        sys.stdout.write(text)
    return 0


def _self_check(text: str) -> None:
    """The starter must load: a generated file that `validate` rejects would be a bug here, not the user's."""
    import tempfile

    from gomedic.errors import GomedicError
    from gomedic.userchecks.loader import validate

    with tempfile.NamedTemporaryFile("w", suffix=".yaml") as fh:
        fh.write(text)
        fh.flush()
        loaded = validate([fh.name])
    if loaded.issues:
        raise GomedicError("generated an invalid check file:\n" + "\n".join(str(i) for i in loaded.issues))
