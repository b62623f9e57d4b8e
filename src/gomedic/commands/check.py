"""`gomedic check` (the default command): the Go toolchain doctor."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, parse_overrides, run_specs
from gomedic.facts import Facts
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "check",
        help=SUMMARIES["check"],
        description="Diagnose why Go does not work here. Reads and stats only, plus a few fast `go` calls; "
        "--deep also compiles.",
    )
    p.add_argument("--area", action="append", default=[], metavar="AREA",
                   help="only these areas (repeatable): toolchain, paths, goenv, modules, cgo, build, editor")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    p.add_argument("--deep", action="store_true", help="also build and verify (compiles a hello world; slower)")
    p.add_argument("--online", action="store_true", help="also check that GOPROXY and GOSUMDB answer")
    add_set_option(p, "modules.reachable.timeout_s=10")
    add_output_options(p)
    p.set_defaults(run=run, exit_at_once=True)  # cli._exit_at_once: no interpreter teardown after the report


def context(f: Facts) -> Mapping[str, Any]:
    from gomedic.errors import FactUnavailable
    from gomedic.facts.go import GO_CMD, GO_CONFIG
    from gomedic.facts.host import HOST

    go: dict[str, str] | None = None
    try:
        cmd = f.get(GO_CMD)
        go = {"version": cmd.version or "", "goroot": f.get(GO_CONFIG).value("GOROOT"), "path": cmd.path}
    except FactUnavailable:
        go = None
    except Exception:  # context is decoration: never let it break a report
        go = None
    return {"host": f.get(HOST).as_context(), "go": go, "target": None}


def run(args: argparse.Namespace) -> int:
    from gomedic.checks import DOCTOR_AREAS
    from gomedic.commands._common import validate_overrides
    from gomedic.commands._prewarm import facts_for
    from gomedic.errors import UsageError
    from gomedic.model import FailOn

    areas = args.area or list(DOCTOR_AREAS)
    bad = [a for a in areas if a not in DOCTOR_AREAS]
    if bad:
        raise UsageError(f"--area {bad[0]}: `check` areas are {', '.join(DOCTOR_AREAS)}")
    overrides = parse_overrides(args.overrides)
    facts = facts_for(deep=args.deep, online=args.online, overrides=overrides)  # go env runs from here on
    from gomedic.registry import load_areas  # after go is started: the rest of the path runs beside it
    from gomedic.runner import Selection, select

    registry = load_areas([a for a in areas if a != "build" or args.deep])  # build's checks are all deep
    facts.use_registry(registry)
    for sid in args.skip:
        registry.get(sid)  # unknown ids are a usage error, not a silent no-op
    validate_overrides(overrides, facts)
    if "build" in areas and not args.deep and args.area and areas == ["build"]:
        raise UsageError("the build area runs only with --deep")
    sel = Selection(areas=frozenset(areas), skip=frozenset(args.skip), deep=args.deep, online=args.online)
    import gc

    if not gc.isenabled():  # off during start-up when run as the program (cli.main)
        # What start-up made lives to the end: frozen, the first collection does not scan it all again
        # (0.7 ms, the 3,000-odd objects allocated while the collector was off; bench/README.md).
        gc.freeze()
        gc.enable()
    report = run_specs("check", select(registry, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
