"""`gomedic validate FILE...`: check YAML check files without running them; every problem with file:line:column."""

from __future__ import annotations

import argparse
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    from gomedic.userchecks.cliopts import add_vars_options

    p: argparse.ArgumentParser = sub.add_parser(
        "validate",
        help=SUMMARIES["validate"],
        description="Read check files (and their includes) and report every problem in every check, each "
        "with file:line:column. Nothing is run. Exit 0 when all are valid, 2 otherwise.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="check files (YAML)")
    p.add_argument("--format", choices=["text", "json"], default="text", help="output format (default: text)")
    add_vars_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from gomedic.model import EXIT_OK, EXIT_USAGE
    from gomedic.userchecks.cliopts import parse_vars
    from gomedic.userchecks.loader import validate

    loaded = validate(args.files, vars_files=args.vars_files, variables=parse_vars(args.var_items))
    code = EXIT_USAGE if loaded.issues else EXIT_OK
    if args.format == "json":
        doc = {
            "valid": not loaded.issues,
            "files": list(loaded.files),
            "checks": [d.check.check_id for d in loaded.checks],
            "problems": [i.to_dict() for i in loaded.issues],
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return code
    for issue in loaded.issues:
        sys.stdout.write(f"{issue}\n")
    n, f = len(loaded.checks), len(loaded.files)
    if loaded.issues:
        p = len(loaded.issues)
        sys.stdout.write(f"{p} problem{'s' if p != 1 else ''} in {f} file{'s' if f != 1 else ''}\n")
    else:
        sys.stdout.write(f"{n} check{'s' if n != 1 else ''} valid in {f} file{'s' if f != 1 else ''}\n")
    return code
