"""Command-line entry point: wires commands/ and holds the one top-level error handler.

Exit codes: 0 ok, 1 a result at or above --fail-on, 2 usage or config error, 3 internal error or nothing
could be evaluated, 130 interrupted; `gate` exits with category codes (see model.Category).
"""

from __future__ import annotations

# Start-up: this module is what the console script imports, so it imports nothing but sys and os (both
# loaded by the interpreter already); the rest is imported by main() once it knows the run is more than
# `--version` (see bench/README.md, doctor.py).
import os
import sys

from gomedic import __version__

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy and ruff know the name)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from types import ModuleType

DEFAULT_COMMAND = "check"


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser. With `only` (the command on the command line), just that command's module is imported
    and only its parser is built: `gomedic check` never imports serve, fleet, YAML and the rest. Without
    it (`gomedic --help`, an unknown command), every command's parser is built."""
    from gomedic.clihelp import HelpFormatter, Parser
    from gomedic.commands import COMMANDS, epilog

    parser = Parser(prog="gomedic", description="A doctor and a gate for Go. With no command, runs `gomedic check`.")
    parser.add_argument("--version", action="version", version=f"gomedic {__version__}")
    parser.add_argument("--debug", action="store_true", help="log to stderr every process gomedic starts (its "
                        "arguments, directory, duration, exit) and every fact it gathers (with its time); anywhere "
                        "on the command line; GOMEDIC_DEBUG=1 does the same and shows tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    if only is not None:
        # Only the command being run: no other parser is built (each costs gettext lookups at start-up).
        _module(COMMANDS[only]).add_parser(sub)
    else:
        for module in COMMANDS.values():
            _module(module).add_parser(sub)
    for name, p in sub.choices.items():
        p.epilog = epilog(name)
        p.formatter_class = HelpFormatter
    return parser


def _module(name: str) -> ModuleType:
    """importlib.import_module for an absolute name, without importing importlib (0.35 ms of start-up)."""
    return __import__(name, fromlist=["_"])  # a non-empty fromlist: the module itself, not its package


def _with_default_command(argv: list[str]) -> list[str]:
    """`gomedic` and `gomedic --format json` mean `gomedic check ...`."""
    if not argv:
        return [DEFAULT_COMMAND]
    if argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
        return [DEFAULT_COMMAND, *argv]
    return argv


def _kill_what_this_run_started() -> None:
    execx = sys.modules.get("gomedic.execx")  # never imported: nothing was started
    if execx is not None:
        execx.shutdown()
    jobcgroup = sys.modules.get("gomedic.jobcgroup")
    if jobcgroup is not None:
        jobcgroup.Cgroup.drop_spare()  # the group made ahead for go env, if go env never started


def _exit_at_once(code: int) -> None:
    """End the process now, as the program (`argv is None`) after a command that asked for it: its output is
    written and flushed, its workers are daemon threads, and the one exit handler that matters (execx's: kill
    what the run started) is run here, so the interpreter's teardown (every module and object freed one by
    one: ~6 ms of CPU after `gomedic check`, bench/README.md) has nothing left to do that anyone could see."""
    _kill_what_this_run_started()
    sys.stderr.flush()
    os._exit(code)


def _collect_less() -> None:
    """As the program, for a command that makes objects by the ten thousand and keeps them to the end (a
    tree scan's inspections, results and report): a young-generation collection every 10,000 allocations
    instead of every 700. Cycles are still collected; the collections found nothing to free and cost 5-10%
    of a large `binary --format json -r` (bench/README.md)."""
    import gc

    gc.set_threshold(10_000)


def _terminate(signum: int, frame: object) -> None:
    """Kill what this run started, then die of the signal as before (the exit status still says so)."""
    import signal

    _kill_what_this_run_started()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _as_the_program() -> None:
    """The gomedic command (not a caller of main([...]) in-process): orphans of whatever it starts reparent
    to it, so execx can kill them when their job ends and at exit; SIGTERM (systemd stopping a unit, serve
    stopping a job) kills what this run started (serve installs its own handler in serve/run.py)."""
    import signal

    from gomedic.proctree import want_subreaper

    want_subreaper()
    signal.signal(signal.SIGTERM, _terminate)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if "--debug" in args_list:  # a global option, accepted before or after the command
        from gomedic import debuglog

        args_list = [a for a in args_list if a != "--debug"]
        debuglog.enable()
    args_list = _with_default_command(args_list)
    if args_list == ["--version"]:
        # What argparse's version action does (its _print_message), without importing argparse and the
        # parser (as much again as a bare interpreter's start-up).
        try:
            (sys.stdout or sys.stderr).write(f"gomedic {__version__}\n")
        except (AttributeError, OSError):
            pass
        return 0
    if argv is None:
        check = args_list[0] == DEFAULT_COMMAND and "-h" not in args_list and "--help" not in args_list
        if check:
            # Short turns on the interpreter lock from now until go env has answered, so that the threads
            # started here get going at once (commands/_prewarm.py says why; it restores the interval).
            interval = sys.getswitchinterval()
            sys.setswitchinterval(min(interval, 0.0002))
            from gomedic.jobcgroup import Cgroup

            Cgroup.warm()  # go env's join of its cgroup then does not wait for the kernel (jobcgroup.py)
        _as_the_program()
        if check:
            import gc

            # No garbage collection while the modules load (check.run turns it back on before the checks
            # run): what start-up allocates lives to the end anyway, and the collections that the
            # allocations trigger cost ~2 ms of CPU (bench/README.md).
            gc.disable()
            from gomedic.commands._prewarm import start_early

            start_early(interval)  # go env runs while the parser is built (commands/_prewarm.py)
    from gomedic.commands import COMMANDS
    from gomedic.errors import GomedicError
    from gomedic.model import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE

    try:
        only = args_list[0] if args_list[0] in COMMANDS else None
        args = build_parser(only).parse_args(args_list)
        if argv is None and getattr(args, "bulk", False):
            _collect_less()
        code: int = args.run(args)
        sys.stdout.flush()
        if argv is None and getattr(args, "exit_at_once", False):
            _exit_at_once(code)
        return code
    except GomedicError as e:
        print(f"gomedic: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("gomedic: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`gomedic list | head`): not our failure, and nothing left to say.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except SystemExit as e:  # argparse: --help exits 0, bad usage exits 2
        return e.code if isinstance(e.code, int) else EXIT_USAGE
    except Exception as e:
        if os.environ.get("GOMEDIC_DEBUG"):
            raise
        print(
            f"gomedic: internal error: {type(e).__name__}: {e}\n"
            "(this is a bug in gomedic; run again with GOMEDIC_DEBUG=1 for a traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
