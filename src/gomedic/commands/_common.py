"""What the report-producing commands share: output options, running a selection, emitting a report."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence

from gomedic.model import FailOn, Report
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

    from gomedic.facts import Facts
    from gomedic.registry import CheckSpec

FORMAT_HELP = "output format: %(choices)s (default: %(default)s)"


def add_output_options(p: argparse.ArgumentParser, *, fail_on: bool = True) -> None:
    from gomedic.render import RENDERERS

    g = p.add_argument_group("output")
    g.add_argument("--format", default="text", choices=list(RENDERERS), help=FORMAT_HELP)
    g.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE (atomically) instead of stdout")
    g.add_argument("-v", "--verbose", action="store_true", help="show evidence for every result, not only problems")
    g.add_argument("--textfile-dir", metavar="DIR", type=textfile_dir,
                   help="also write the Prometheus text atomically to DIR/gomedic_<command>.prom "
                   "(node_exporter's textfile collector)")
    if fail_on:
        g.add_argument(
            "--fail-on",
            default="fail",
            choices=[f.value for f in FailOn],
            help="exit 1 when a result is at or above this status (default: %(default)s)",
        )


def textfile_dir(value: str) -> str:
    """--textfile-dir is checked when the command line is read (exit 2 at once), not after every check ran."""
    if not os.path.isdir(value):
        why = "not a directory" if os.path.exists(value) else "no such directory"
        raise argparse.ArgumentTypeError(f"{value}: {why}")
    if not os.access(value, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"{value}: directory not writable by this user")
    return value


def add_set_option(p: argparse.ArgumentParser, example: str | None) -> None:
    """--set, with an example threshold the command really has (tests/test_cli_messages.py runs each one)."""
    eg = f", e.g. {example}" if example else ""
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="CHECK.NAME=VALUE",
        help=f"override a check's threshold{eg} (repeatable; `gomedic explain ID` lists a check's thresholds)",
    )


def parse_overrides(items: Sequence[str]) -> dict[str, str]:
    """`--set KEY=VALUE` items by threshold name (an older spelling of a name counts as the name)."""
    from gomedic.errors import UsageError
    from gomedic.registry import threshold_key

    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--set {item!r}: expected CHECK.NAME=VALUE")
        out[threshold_key(key.strip())] = value.strip()
    return out


def validate_overrides(overrides: Mapping[str, str], facts: Facts) -> None:
    """Fail fast (exit 2) on a threshold no check declares, or a value of the wrong type."""
    from gomedic.errors import UsageError

    for key in overrides:
        try:
            facts.threshold(key)
        except UsageError as e:
            if str(e).startswith("--set "):
                raise
            raise UsageError(f"--set {key}: {e}") from None


def run_specs(
    command: str,
    specs: Sequence[CheckSpec],
    facts: Facts,
    *,
    context: Callable[[Facts], Mapping[str, Any]],
    fail_on: FailOn = FailOn.FAIL,
    budget_s: float = 120.0,
) -> Report:
    # Imported here: `check` starts go before the runner (and the registry) are loaded.
    from gomedic.runner import build_report, now_utc, run_checks

    t0 = time.monotonic()
    started = now_utc()
    results = run_checks(specs, facts, budget_s=budget_s)
    return build_report(command, results, started, t0, context(facts), fail_on, env=facts.env)


def use_color(args: argparse.Namespace) -> bool:
    if args.format != "text" or getattr(args, "output", None):
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout.isatty()


def emit(report: Report, args: argparse.Namespace) -> int:
    """Render the report as asked, to stdout or atomically to -o FILE; return the exit code."""
    from gomedic.render import RenderOptions, render

    width = 100
    if use_color(args):
        try:
            width = os.get_terminal_size().columns or width  # a fresh pty reports 0 columns
        except OSError:
            pass
    pretty = not args.output and sys.stdout.isatty()
    opts = RenderOptions(verbose=args.verbose, color=use_color(args), width=width, pretty=pretty)
    text = render(report, args.format, opts)
    # Non-UTF-8 file names reach us as lone surrogates; print them as \udcXX rather than fail.
    data = text.encode("utf-8", "backslashreplace")
    if args.output:
        from gomedic.fsutil import atomic_write

        atomic_write(args.output, data)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    if getattr(args, "textfile_dir", None):
        from gomedic.textfile import write_textfile

        write_textfile(report, args.textfile_dir)
    if args.format == "nagios":  # the Nagios plugin protocol has its own exit codes
        from gomedic.render.nagios import exit_code

        return exit_code(report)
    return report.exit
