"""`gomedic check` (the default command): the Go toolchain doctor."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from types import MappingProxyType

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


def prewarm_go(facts: Facts) -> None:
    """Start `go env -json` now, in the background: it runs while the check modules are imported.

    What it needs first (the path of the first go on PATH, the GOENV file: Python work the checks need
    anyway; go's binary itself is read later, beside go) is gathered here, on the main thread, so that the
    thread only starts go and waits. And until go has answered, threads
    take turns every 0.2 ms instead of every 5 ms: otherwise the thread waits up to 5 ms for the
    interpreter lock (held by the imports of the check modules) before it can start go, and again
    before it can read go's answer, and `go env` ends later than everything else (bench/README.md).
    """
    import sys
    import threading

    from gomedic.facts.go import GO_ENV_PROBE, GO_FIRST, GOENV_FILE

    try:
        facts.get(GO_FIRST)
        facts.get(GOENV_FILE)
    except Exception:  # memoized in the fact; the checks that need it report it
        pass
    interval = sys.getswitchinterval()

    def warm() -> None:
        try:
            facts.get(GO_ENV_PROBE)
        except Exception:  # memoized in the fact; the checks that need it report it
            pass
        finally:
            sys.setswitchinterval(interval)

    sys.setswitchinterval(min(interval, 0.0002))
    threading.Thread(target=warm, daemon=True, name="gomedic-prewarm").start()


def run(args: argparse.Namespace) -> int:
    from gomedic.checks import DOCTOR_AREAS
    from gomedic.commands._common import validate_overrides
    from gomedic.errors import UsageError
    from gomedic.facts import Options
    from gomedic.model import FailOn

    areas = args.area or list(DOCTOR_AREAS)
    bad = [a for a in areas if a not in DOCTOR_AREAS]
    if bad:
        raise UsageError(f"--area {bad[0]}: `check` areas are {', '.join(DOCTOR_AREAS)}")
    overrides = parse_overrides(args.overrides)
    facts = Facts(Options(deep=args.deep, online=args.online, overrides=MappingProxyType(overrides)))
    prewarm_go(facts)
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
    report = run_specs("check", select(registry, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
