"""`gomedic binary PATH...`: will these Go binaries run on the target? (`--buildinfo`: `go version -m`.)"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, parse_overrides, run_specs
from gomedic.facts import Facts


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "binary",
        help=SUMMARIES["binary"],
        description="Read Go binaries (ELF, Mach-O, PE; never executed) and judge whether they run on the target: "
        "this host (default), a named profile (`gomedic targets`), key=value overrides, or an unpacked root.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="binaries; directories with -r")
    p.add_argument("-r", "--recursive", action="store_true",
                   help="scan directories; files in them that are not Go binaries are passed over quietly")
    p.add_argument("--target", default="host", metavar="SPEC",
                   help="host (default), a profile (debian-12, rhel-8, alpine-3.20, distroless-static, ...) and/or "
                   "overrides: rhel-8,cpu=x86-64-v3 | glibc=2.31 | kernel=4.18 | libc=musl | arch=arm64")
    p.add_argument("--root", metavar="DIR|TAR", help="judge against this root file system (unpacked, or a "
                   "`docker export` tar): loader, libraries, CA bundle, zoneinfo and passwd are read inside it")
    p.add_argument("--buildinfo", action="store_true",
                   help="print the build info exactly as `go version -m` does (--format json: as `go version -m -json`)")
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    from gomedic.commands._vulns import add_vuln_options

    add_vuln_options(p)
    add_set_option(p)
    add_output_options(p)
    p.set_defaults(run=run)


def _walk(d: str) -> Iterator[str]:
    """Files under d in filepath.WalkDir order (lexical, depth first), symlinks not followed into."""
    try:
        entries = sorted(os.scandir(d), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                yield from _walk(e.path)
            elif e.is_file(follow_symlinks=False) or e.is_symlink():
                yield e.path
        except OSError:
            continue


def collect(paths: list[str], recursive: bool) -> list[tuple[str, bool]]:
    """(path, named explicitly) for every file to look at."""
    from gomedic.errors import UsageError

    out: list[tuple[str, bool]] = []
    for p in paths:
        if os.path.isdir(p):
            if not recursive:
                raise UsageError(f"{p} is a directory: pass -r to scan it")
            out.extend((f, False) for f in _walk(p))
        else:
            out.append((p, True))
    return out


def _is_go_candidate(path: str) -> bool:
    """A file found in a directory is looked at only if it is a regular file (or a link to one)."""
    try:
        return os.path.isfile(path)
    except OSError:
        return False


def run_buildinfo(files: list[tuple[str, bool]], fmt: str) -> int:
    """`go version -m FILE...`: the same stdout byte for byte; errors for named files on stderr, exit 1."""
    from gomedic.binfmt import buildinfo
    from gomedic.errors import FormatError

    code = 0
    out = sys.stdout.buffer
    for path, named in files:
        if not named and not _is_go_candidate(path):
            continue
        if named and not os.path.exists(path):
            print(f"stat {path}: no such file or directory", file=sys.stderr)
            code = 1
            continue
        try:
            bi = buildinfo.read_file(path)
        except FormatError as e:
            if named:
                print(f"{path}: {str(e).removeprefix(path + ': ')}", file=sys.stderr)
                code = 1
            continue
        text = buildinfo.go_json(bi) if fmt == "json" else buildinfo.format_m(path, bi)
        out.write(text.encode("utf-8", "surrogateescape"))
    out.flush()
    return code


def inspect_all(files: list[tuple[str, bool]]) -> list[Any]:
    from gomedic.binfmt.inspect import inspect

    found = []
    for path, named in files:
        if not named and not _is_go_candidate(path):
            continue
        ins = inspect(path)
        if named or ins.is_go:
            found.append(ins)
    return found


def context(f: Facts) -> Mapping[str, Any]:
    from gomedic.facts.host import HOST
    from gomedic.targets import TARGET

    return {"host": f.get(HOST).as_context(), "go": None, "target": f.get(TARGET).as_context()}


def run(args: argparse.Namespace) -> int:
    from types import MappingProxyType

    from gomedic.commands._common import validate_overrides
    from gomedic.errors import UsageError
    from gomedic.facts import Options
    from gomedic.model import FailOn
    from gomedic.registry import load_areas
    from gomedic.runner import Selection, select
    from gomedic.targets import TARGET

    files = collect(args.paths, args.recursive)
    if args.buildinfo:
        return run_buildinfo(files, args.format)
    registry = load_areas(["binary"])
    from gomedic.commands import _vulns

    vulndb = _vulns.open_database(args)
    if vulndb is not None:
        _vulns.load_vuln_check()
    for sid in args.skip:
        registry.get(sid)
    bins = inspect_all(files)
    if not bins:
        raise UsageError(f"no Go binaries found in {', '.join(args.paths)}")
    overrides = parse_overrides(args.overrides)
    extra = {"inspections": tuple(bins), "target": args.target, "root": args.root, "vulndb": vulndb}
    facts = Facts(Options(overrides=MappingProxyType(overrides), extra=MappingProxyType(extra)), registry)
    validate_overrides(overrides, facts)
    facts.get(TARGET)  # a bad --target/--root is a usage error (exit 2) before anything runs
    if vulndb is not None:
        _vulns.prefetch(facts)  # an unreadable database is exit 3 with its message
    skip = set(args.skip) | (set() if vulndb is not None else {"binary.vulns"})
    sel = Selection(areas=frozenset({"binary"}), skip=frozenset(skip))
    report = run_specs("binary", select(registry, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
