"""`gomedic probe URL [--pid PID]`: judge a live Go service from its runtime endpoints (and /proc)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, parse_overrides, run_specs
from gomedic.facts import Facts


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "probe",
        help=SUMMARIES["probe"],
        description="Probe a live Go service over HTTP (/metrics, /debug/vars, /debug/pprof/goroutine) and, "
        "with --pid, read its limits, fds, threads, cgroup and environment from /proc. Two samples "
        "--window apart give rates. Nothing is changed and the binary is never run.",
    )
    p.add_argument("url", nargs="?", metavar="URL",
                   help="base URL of the service (endpoints are discovered), or the URL of one endpoint")
    p.add_argument("--metrics", metavar="URL", help="explicit Prometheus /metrics URL")
    p.add_argument("--expvar", metavar="URL", help="explicit expvar /debug/vars URL")
    p.add_argument("--pprof", metavar="URL", help="explicit /debug/pprof/goroutine URL")
    p.add_argument("--pid", type=int, metavar="PID", help="the service's process: adds /proc facts")
    p.add_argument("--window", default="10s", metavar="DURATION",
                   help="time between the two samples, e.g. 30s; 0 takes one sample (default: %(default)s)")
    p.add_argument("--timeout", default="5s", metavar="DURATION",
                   help="deadline of each HTTP request, connect to last byte (default: %(default)s)")
    p.add_argument("--max-body", default="8MiB", metavar="SIZE",
                   help="largest response body read (default: %(default)s)")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    add_set_option(p, "runtime.goroutines.max=100000")
    add_output_options(p)
    p.set_defaults(run=run)


def context(f: Facts) -> Mapping[str, Any]:
    """The probed service is the target (`URL (pid N, go1.27.3)`); `go` is the local toolchain: not read."""
    from gomedic.facts.host import HOST
    from gomedic.facts.probe import PROBE

    target = f.options.subject.probe
    label = target.label if target else ""
    notes: list[str] = []
    if target and target.pid is not None and not label.startswith("pid "):
        notes.append(f"pid {target.pid}")
    try:
        d = f.get(PROBE)
        version = d.last.go_version if d.last else None
        if not version and d.process and d.process.binary:
            version = d.process.binary.version
        if version:
            notes.append(version)
    except Exception:  # context is decoration: never let it break a report
        pass
    shown = label + (f" ({', '.join(notes)})" if notes else "")
    return {"host": f.get(HOST).as_context(), "go": None, "target": shown or None}


def run(args: argparse.Namespace) -> int:
    from types import MappingProxyType

    from gomedic.commands._common import validate_overrides
    from gomedic.errors import UsageError
    from gomedic.facts import Options
    from gomedic.facts.probe import PROBE
    from gomedic.model import FailOn
    from gomedic.probe.target import make_target, parse_duration, parse_size
    from gomedic.registry import load_areas
    from gomedic.runner import Selection, select
    from gomedic.subject import Subject

    registry = load_areas(["runtime"])
    for sid in args.skip:
        registry.get(sid)
    target = make_target(
        args.url, metrics=args.metrics, expvar=args.expvar, pprof=args.pprof, pid=args.pid,
        window_s=parse_duration(args.window), timeout_s=parse_duration(args.timeout, what="--timeout"),
        max_bytes=parse_size(args.max_body),
    )
    if args.pid is not None:
        from pathlib import Path

        if not Path(f"/proc/{args.pid}").is_dir():
            raise UsageError(f"--pid {args.pid}: no such process")
    overrides = parse_overrides(args.overrides)
    # the pid is the process the host facts (proc, cgroup) read too
    facts = Facts(Options(overrides=MappingProxyType(overrides), subject=Subject(pid=args.pid, probe=target)), registry)
    validate_overrides(overrides, facts)
    try:
        facts.get(PROBE)  # gather up front: the window must not count against any check's timeout
    except Exception:
        pass  # memoized: each check reports it (skip or error)
    sel = Selection(areas=frozenset({"runtime"}), skip=frozenset(args.skip))
    report = run_specs("probe", select(registry, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
