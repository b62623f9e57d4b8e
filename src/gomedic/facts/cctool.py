"""The C compiler cgo would run, and where it finds libc headers (pure, plus stat-only lookups).

CC and CXX are split as cmd/go splits them (cmd/internal/quoted). Header search follows the compiler's
standard directories under its sysroot (`--sysroot=` in CC, CGO_CFLAGS or CGO_CPPFLAGS), the Debian
multiarch directory, a cross compiler's /usr/<triplet>/include, and `-I`/`-isystem` flags. Nothing
here runs the compiler.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from gomedic.facts import Facts, fact
from gomedic.facts.envfile import split_quoted
from gomedic.facts.pathscan import first_on_path, is_executable_file, which
from gomedic.values import frozen

# The libc headers runtime/cgo includes first (gcc_libinit.c, gcc_util.c, libcgo.h).
CGO_HEADERS = ("errno.h", "stdlib.h", "pthread.h")
MULTIARCH = {
    "amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "386": "i386-linux-gnu",
    "arm": "arm-linux-gnueabihf", "ppc64le": "powerpc64le-linux-gnu", "s390x": "s390x-linux-gnu",
    "riscv64": "riscv64-linux-gnu", "loong64": "loongarch64-linux-gnu",
}


@frozen
class Compiler:
    raw: str
    argv: tuple[str, ...]
    path: str | None  # the resolved executable, None when it cannot be found
    error: str | None = None  # a quoting error
    unquoted_space: str | None = None  # the real executable when the value has an unquoted space in its path
    realpath: str | None = None  # `path` with its symlinks resolved (Homebrew's clang is a link into a keg)


def resolve(raw: str, env: Mapping[str, str]) -> Compiler:
    try:
        argv = split_quoted(raw)
    except ValueError as e:
        return Compiler(raw, (), None, f"cannot split {raw!r}: {e}")
    if not argv:
        return Compiler(raw, (), None, "empty")
    found = which(argv[0], env)
    spaced = None
    if found is None and len(argv) > 1:
        for i in range(2, len(argv) + 1):
            candidate = " ".join(argv[:i])
            if os.sep in candidate and is_executable_file(candidate):
                spaced = candidate
                break
    return Compiler(raw, tuple(argv), found, None, spaced, os.path.realpath(found) if found else None)


def _flag_values(args: Sequence[str], names: Sequence[str]) -> list[str]:
    out: list[str] = []
    it = iter(range(len(args)))
    for i in it:
        a = args[i]
        for n in names:
            if a == n and i + 1 < len(args):
                out.append(args[i + 1])
            elif a.startswith(n + "=") and n.startswith("--"):
                out.append(a[len(n) + 1 :])
            elif a.startswith(n) and len(a) > len(n) and not n.startswith("--"):
                out.append(a[len(n) :])
    return out


def sysroot(args: Sequence[str]) -> str | None:
    vals = _flag_values(args, ("--sysroot", "-isysroot"))
    return vals[-1] if vals else None


def include_dirs(cc_argv: Sequence[str], flags: Sequence[str], goarch: str) -> tuple[str | None, list[str]]:
    """(sysroot, directories searched for libc headers, in order)."""
    args = [*cc_argv[1:], *flags]
    root = sysroot(args)
    dirs = _flag_values(args, ("-I", "-isystem"))
    base = root or "/"
    tool = os.path.basename(cc_argv[0]) if cc_argv else ""
    triplet = tool.rsplit("-", 1)[0] if tool.count("-") >= 2 else ""
    std = ["usr/local/include"]
    if triplet:
        std.append(f"usr/{triplet}/include")
        std.append(f"usr/include/{triplet}")
    if goarch in MULTIARCH:
        std.append(f"usr/include/{MULTIARCH[goarch]}")
    std.append("usr/include")
    return root, dirs + [os.path.join(base, d) for d in std]


def missing_headers(dirs: Sequence[str], headers: Sequence[str] = CGO_HEADERS) -> list[str]:
    return [h for h in headers if not any(os.path.isfile(os.path.join(d, h)) for d in dirs)]


def split_flags(value: str) -> list[str]:
    try:
        return split_quoted(value)
    except ValueError:
        return value.split()


@fact("cgo.default-compilers")
def DEFAULT_CC(f: Facts) -> tuple[str, ...]:
    """gcc and clang as found on PATH (the C compilers go defaults to when CC is unset), in that order."""
    found = (first_on_path(f.reader, n, f.env, str(f.cwd)) for n in ("gcc", "clang"))
    return tuple(p for p in found if p)


@fact("cgo.compilers")
def COMPILERS(f: Facts) -> Mapping[str, Compiler]:
    """CC and CXX as go env resolves them, and the defaults (gcc, g++; clang, clang++ on macOS), each resolved
    on PATH as cmd/go would: the checks look nothing up themselves."""
    from gomedic.facts.go import GO_CONFIG

    cfg = f.get(GO_CONFIG)
    raws = {cfg.value("CC"), cfg.value("CXX"), "gcc", "g++", "clang", "clang++"} - {""}
    return MappingProxyType({r: resolve(r, f.env) for r in sorted(raws)})


@frozen
class HeaderSearch:
    cc: str  # the CC value searched for (go env's, else gcc)
    sysroot: str | None
    dirs: tuple[str, ...]  # searched, in order
    missing: tuple[str, ...]  # of CGO_HEADERS


@fact("cgo.header-search")
def HEADER_SEARCH(f: Facts) -> HeaderSearch:
    """Where CC finds libc headers (its sysroot, -I/-isystem in CGO_CFLAGS and CGO_CPPFLAGS, the standard
    directories) and which of the headers runtime/cgo includes are in none of them (stat only)."""
    from gomedic.facts.go import GO_CONFIG

    cfg = f.get(GO_CONFIG)
    cc = cfg.value("CC") or "gcc"
    flags = split_flags(cfg.value("CGO_CFLAGS")) + split_flags(cfg.value("CGO_CPPFLAGS"))
    root, dirs = include_dirs(f.get(COMPILERS)[cc].argv, flags, cfg.value("GOARCH"))
    return HeaderSearch(cc, root, tuple(dirs), tuple(missing_headers(dirs)))
