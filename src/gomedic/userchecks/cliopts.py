"""Command-line options shared by every command that takes check files (run, validate, gate, serve)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from gomedic.errors import UsageError
from gomedic.registry import CheckSpec


def add_vars_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("variables")
    g.add_argument("--vars", dest="vars_files", action="append", default=[], metavar="FILE",
                   help="YAML file of name: value for ${name} in check files (repeatable; later files win)")
    g.add_argument("--var", dest="var_items", action="append", default=[], metavar="NAME=VALUE",
                   help="set one variable (repeatable; wins over --vars files)")


def parse_vars(items: Sequence[str]) -> dict[str, str]:
    from gomedic.userchecks.variables import NAME_RE

    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not NAME_RE.match(name):
            raise UsageError(f"--var {item!r}: expected NAME=VALUE with NAME matching {NAME_RE.pattern}")
        out[name] = value
    return out


def specs_from_args(files: Sequence[str], args: argparse.Namespace, *, retry: bool = False) -> list[CheckSpec]:
    """The CheckSpecs of `files` with the --vars/--var of `args`; CheckFileError (exit 2) when any is invalid."""
    from gomedic.userchecks import load_specs

    return load_specs(files, vars_files=getattr(args, "vars_files", []) or [],
                      variables=parse_vars(getattr(args, "var_items", []) or []), retry=retry)


def add_checks_option(p: argparse.ArgumentParser) -> None:
    """`--checks FILE` (repeatable) plus --vars/--var, for commands that merge declared checks into their run."""
    p.add_argument("--checks", action="append", default=[], metavar="FILE",
                   help="also run the declared checks of this YAML file (repeatable; see docs/checks.md)")
    add_vars_options(p)


def gate_specs(args: argparse.Namespace) -> list[CheckSpec]:
    """The declared checks of --checks for the gate: each honours its retries/interval, --skip applies."""
    files = getattr(args, "checks", None) or []
    if not files:
        return []
    skip = {s for s in getattr(args, "skip", None) or [] if s.startswith("custom.")}
    specs = specs_from_args(files, args, retry=True)
    unknown = sorted(skip - {s.id for s in specs})
    if unknown:
        raise UsageError(f"--skip {unknown[0]}: no such check in {', '.join(files)}")
    return [s for s in specs if s.id not in skip]


# Options of `run` that take a value (so the value is not mistaken for a check file).
_RUN_VALUE_OPTIONS = frozenset({"--only", "--tag", "--vars", "--var", "--fail-on", "--format", "-o", "--output"})


def job_check_files(command: str, args: Sequence[str]) -> tuple[list[str], list[str]]:
    """(check files, vars files) a `serve` job's arguments name: `run FILE...` or `--checks FILE`."""
    files: list[str] = []
    vars_files: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        opt, eq, val = a.partition("=")
        if opt in ("--checks", "--vars") or (command == "run" and opt in _RUN_VALUE_OPTIONS):
            value = val if eq else (args[i + 1] if i + 1 < len(args) else "")
            i += 1 if eq else 2
            if opt == "--checks":
                files.append(value)
            elif opt == "--vars":
                vars_files.append(value)
            continue
        if command == "run" and not a.startswith("-"):
            files.append(a)
        i += 1
    return files, vars_files


def validate_job_checks(command: str, args: Sequence[str], where: str) -> None:
    """For `serve`: the check files a job names must load now, not fail every run later (ConfigError, exit 2)."""
    files, vars_files = job_check_files(command, args)
    if not files:
        return
    from gomedic.errors import ConfigError
    from gomedic.userchecks.loader import validate

    loaded = validate(files, vars_files=vars_files)
    if loaded.issues:
        shown = "\n".join(f"  {i}" for i in loaded.issues[:50])
        raise ConfigError(f"{where}.args: the check files of this job are invalid:\n{shown}")
