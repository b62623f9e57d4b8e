"""`gomedic binary PATH...`: will these Go binaries run on the target? (`--buildinfo`: `go version -m`.)"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from collections.abc import Mapping

from gomedic.commands import SUMMARIES
from gomedic.commands._common import add_output_options, add_set_option, emit, parse_overrides, run_specs
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

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
    p.add_argument(
        "--target",
        default="host",
        metavar="SPEC",
        help="host (default), a profile (debian-12, rhel-8, alpine-3.20, distroless-static, macos-14-arm64, ...) "
        "and/or overrides: rhel-8,cpu=x86-64-v3 | glibc=2.31 | kernel=4.18 | libc=musl | arch=arm64",
    )
    p.add_argument("--root", metavar="DIR|TAR", help="judge against this root file system (unpacked, or a "
                   "`docker export` tar): loader, libraries, CA bundle, zoneinfo and passwd are read inside it")
    p.add_argument(
        "--buildinfo",
        action="store_true",
        help="print the build info exactly as `go version -m` does (--format json: as `go version -m -json`)",
    )
    p.add_argument("--skip", action="append", default=[], metavar="ID", help="skip this check (repeatable)")
    from gomedic.commands._vulns import add_vuln_options

    add_vuln_options(p)
    add_set_option(p, None)
    add_output_options(p)
    p.set_defaults(run=run, exit_at_once=True, bulk=True)  # cli: no teardown, fewer collections (a scan)


# (path, a directory to scan): what the command line names, in its order
Named = tuple[str, bool]


def collect(paths: list[str], recursive: bool) -> list[Named]:
    """The paths to look at: files to read, and (with -r) directories whose files are scanned."""
    from gomedic.errors import UsageError

    out: list[Named] = []
    for p in paths:
        is_dir = os.path.isdir(p)
        if is_dir and not recursive:
            raise UsageError(f"{p} is a directory: pass -r to scan it")
        out.append((p, is_dir))
    return out


def named_problem(path: str) -> str | None:
    """Why a path named on the command line cannot be read as a binary, in one line; None when it can.

    Checked before anything runs, so a missing file or a FIFO (whose open would block) is one error line.
    """
    import stat

    try:
        st = os.stat(path)
    except FileNotFoundError:
        return f"{path}: no such file or directory"
    except OSError as e:
        return f"{path}: {e.strerror or e}"
    if stat.S_ISREG(st.st_mode):
        return None
    kinds = {stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISSOCK: "a socket", stat.S_ISCHR: "a character device",
             stat.S_ISBLK: "a block device"}
    kind = next((name for test, name in kinds.items() if test(st.st_mode)), "not a regular file")
    return f"{path}: {kind}, not a binary file"


def run_buildinfo(named: list[Named], fmt: str) -> int:
    """`go version -m FILE...`: the same stdout byte for byte; errors for named files on stderr, exit 1."""
    from gomedic.binfmt import buildinfo
    from gomedic.binfmt.scan import found_buildinfo, scan_dir
    from gomedic.errors import FormatError

    code = 0
    out = sys.stdout.buffer
    for path, is_dir in named:
        if is_dir:  # the files found in it, spread over the idle CPUs
            texts = scan_dir(functools.partial(found_buildinfo, fmt=fmt), path)
            out.write("".join(texts).encode("utf-8", "surrogateescape"))
            continue
        if not os.path.exists(path):
            print(f"stat {path}: no such file or directory", file=sys.stderr)  # as go version -m says it
            code = 1
            continue
        if problem := named_problem(path):  # a FIFO or device: one line, never a wait
            print(problem, file=sys.stderr)
            code = 1
            continue
        try:
            bi = buildinfo.read_file(path)
        except FormatError as e:
            print(f"{path}: {str(e).removeprefix(path + ': ')}", file=sys.stderr)
            code = 1
            continue
        text = buildinfo.go_json(bi) if fmt == "json" else buildinfo.format_m(path, bi)
        out.write(text.encode("utf-8", "surrogateescape"))
    out.flush()
    return code


def inspect_all(named: list[Named]) -> list[Any]:
    """The inspections, in command-line order: a named file where it was named, a directory's Go binaries
    (walk order) where it was named."""
    from gomedic.binfmt.inspect import inspect
    from gomedic.binfmt.scan import found_inspection, scan_dir

    out: list[Any] = []
    for path, is_dir in named:
        if is_dir:
            out.extend(scan_dir(found_inspection, path))
        else:
            out.append(inspect(path))
    return out


def context(f: Facts) -> Mapping[str, Any]:
    from gomedic.facts.host import HOST
    from gomedic.targets import TARGET

    return {"host": f.get(HOST).as_context(), "go": None, "target": f.get(TARGET).as_context()}


def run(args: argparse.Namespace) -> int:
    files = collect(args.paths, args.recursive)
    if args.buildinfo:  # reading only: none of the checking machinery is imported
        return run_buildinfo(files, args.format)
    from types import MappingProxyType

    from gomedic.commands._common import validate_overrides
    from gomedic.errors import UsageError
    from gomedic.facts import Facts, Options
    from gomedic.model import FailOn
    from gomedic.registry import load_areas
    from gomedic.runner import Selection, select
    from gomedic.subject import Subject
    from gomedic.targets import TARGET

    for path, is_dir in files:
        if not is_dir and (problem := named_problem(path)):
            raise UsageError(problem)
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
    subject = Subject(inspections=tuple(bins), target=args.target, root=args.root, vulndb=vulndb)
    facts = Facts(Options(overrides=MappingProxyType(overrides), subject=subject), registry)
    validate_overrides(overrides, facts)
    facts.get(TARGET)  # a bad --target/--root is a usage error (exit 2) before anything runs
    if vulndb is not None:
        _vulns.prefetch(facts)  # an unreadable database is exit 3 with its message
    skip = set(args.skip) | (set() if vulndb is not None else {"binary.vulns"})
    sel = Selection(areas=frozenset({"binary"}), skip=frozenset(skip))
    report = run_specs("binary", select(registry, sel), facts, context=context, fail_on=FailOn(args.fail_on))
    return emit(report, args)
