"""`gomedic run FILE...`: run declared checks (YAML) and report like any command."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, emit, run_specs
from gomedic.facts import Facts


def add_parser(sub: Any) -> None:
    from gomedic.userchecks.cliopts import add_vars_options

    p: argparse.ArgumentParser = sub.add_parser(
        "run",
        help=SUMMARIES["run"],
        description="Run a team's own checks declared in YAML: command, file, http, tcp, dns, sysctl, env, "
        "process, binary, metric and service kinds. Results, formats and exit codes are those of every command; "
        "checks with `rollout: shadow` are reported but never change the exit code or the score.",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="check files (YAML)")
    p.add_argument("--only", action="append", default=[], metavar="NAME",
                   help="run only this check (its name or custom.<name>; repeatable)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG",
                   help="run only checks with this tag (repeatable: any of them)")
    p.add_argument("--retries", action="store_true",
                   help="honour each check's retries/interval (the gate always does)")
    add_vars_options(p)
    add_output_options(p)
    p.set_defaults(run=run)


def context_for(files: list[str]) -> Any:
    def context(f: Facts) -> Mapping[str, Any]:
        from gomedic.facts.host import HOST

        try:
            host: dict[str, str] | None = f.get(HOST).as_context()
        except Exception:  # context is decoration: never let it break a report
            host = None
        return {"host": host, "go": None, "target": None, "check_files": list(files)}

    return context


def select(specs: list[Any], only: list[str], tags: list[str]) -> list[Any]:
    from gomedic.errors import UsageError

    ids = {s.id for s in specs}
    wanted = {o if o.startswith("custom.") else f"custom.{o}" for o in only}
    unknown = sorted(wanted - ids)
    if unknown:
        raise UsageError(f"--only {unknown[0]}: no such check in the files (have: {', '.join(sorted(ids))})")
    out = [s for s in specs if (not wanted or s.id in wanted) and (not tags or s.tags & set(tags))]
    if not out:
        raise UsageError("no check selected" + (f" (--tag {', '.join(tags)})" if tags else ""))
    return out


def run(args: argparse.Namespace) -> int:
    from gomedic.model import FailOn
    from gomedic.userchecks.cliopts import specs_from_args

    specs = select(specs_from_args(args.files, args, retry=args.retries), args.only, args.tag)
    budget = max(120.0, sum(s.timeout_s for s in specs) / 4)
    report = run_specs("run", specs, Facts(), context=context_for(args.files), fail_on=FailOn(args.fail_on),
                       budget_s=budget)
    return emit(report, args)
