"""The arguments a `serve` job may pass to its command: a strict allow-list per command, checked at config load.

Why an allow-list and not a deny-list: argparse accepts `-o/tmp/x` (a short option with its value attached),
`-vo FILE` (grouped short options) and, unless told otherwise, `--outp FILE` (an abbreviation of
`--output`); a deny-list of spellings misses some of them. Here every argument is either an option named
below, written exactly (`--opt VALUE` or `--opt=VALUE` for options that take a value), or, for commands
that take them, a positional that does not start with `-`. Anything else is refused with the job's name.
Output options (`--format`, `-o/--output`, `--textfile-dir`) are never listed: serve owns the output.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gomedic.errors import ConfigError
from gomedic.values import frozen


@frozen
class JobArgs:
    flags: frozenset[str]  # options without a value
    values: frozenset[str]  # options that take one value
    positionals: bool = False  # bare arguments (paths, a URL, check files)


def _spec(flags: str, values: str, positionals: bool = False) -> JobArgs:
    return JobArgs(frozenset(flags.split()), frozenset(values.split()), positionals)


_VERBOSE = "-v --verbose"
ALLOWED: Mapping[str, JobArgs] = {
    "check": _spec(f"--deep --online {_VERBOSE}", "--area --skip --set --fail-on"),
    "host": _spec(_VERBOSE, "--pid --binary --root --area --skip --set --fail-on"),
    # --buildinfo is left out: it prints go's text, not a report.
    "binary": _spec(f"-r --recursive --vulns --offline {_VERBOSE}", "--target --root --skip --set --fail-on --vulndb",
                    positionals=True),
    "probe": _spec(_VERBOSE, "--metrics --expvar --pprof --pid --window --timeout --max-body --skip --set --fail-on",
                   positionals=True),
    "run": _spec(f"--retries {_VERBOSE}", "--only --tag --vars --var --fail-on", positionals=True),
    "gate": _spec(f"-q --quiet {_VERBOSE}",
                  "--pid --binary --unit --root --wait --interval --skip --checks --vars --var --set"),
}


def _refuse(where: str, arg: str, command: str, why: str) -> ConfigError:
    spec = ALLOWED[command]
    names = ", ".join(sorted(spec.flags | spec.values))
    return ConfigError(f"{where}.args: {arg!r} is not allowed for a `{command}` job ({why}; allowed: {names}"
                       f"{', and positional arguments' if spec.positionals else ''}; serve chooses the output "
                       "format and destination)")


def validate(command: str, args: Sequence[str], where: str) -> None:
    """ConfigError naming the job (`where`) and the first argument that is not on `command`'s allow-list."""
    spec = ALLOWED[command]
    i = 0
    while i < len(args):
        a = args[i]
        if "\x00" in a:
            raise _refuse(where, a, command, "it holds a NUL byte")
        opt, eq, _ = a.partition("=")
        if a.startswith("-") and a != "-":
            if opt in spec.values:
                if not eq and (i + 1 >= len(args) or args[i + 1].startswith("-")):
                    raise _refuse(where, a, command, "it needs a value")
                i += 1 if eq else 2
                continue
            if a in spec.flags:
                i += 1
                continue
            raise _refuse(where, a, command, "not on the allow-list: options are written in full, one per argument")
        if not spec.positionals:
            raise _refuse(where, a, command, "this command takes no positional arguments in a job")
        i += 1
