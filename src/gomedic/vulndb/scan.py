"""Which entries affect one binary: its modules (replacements applied) and its Go release, then symbols.

`modules_of(bi)` lists what is matched: every dependency as the build info records it (`dep => repl`:
the replacement's path and version; a local directory replacement has no version and is passed over),
the standard library as module `stdlib` at the Go release, and, for the go command's own binaries
(main package cmd/...), module `toolchain` too. The main module is not matched ((devel) has no version),
as govulncheck's binary mode does not report it either.

`scan(...)` then narrows by GOOS/GOARCH and symbol: an entry lists packages and symbols (`Parse`,
`Type.Method`); a symbol counts as present when the pclntab names it (`pkg.Parse`, `pkg.Type.Method`,
`pkg.(*Type).Method`, or a generic instantiation `pkg.F[...]`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable

from gomedic.binfmt.buildinfo import BuildInfo
from gomedic.values import frozen
from gomedic.vulndb import match
from gomedic.vulndb.osv import Affected, Entry, Package


class Reach(enum.Enum):
    FOUND = "found"  # some vulnerable symbol is in the binary
    ABSENT = "absent"  # the version is affected but none of the symbols is in the binary
    UNKNOWN = "unknown"  # the entry names no symbols, or the binary's function table cannot be read


@frozen
class Mod:
    path: str  # the module matched (the replacement's path for `=>`)
    version: str  # as semver with v (a Go release converted for stdlib/toolchain)
    shown: str  # as the build info prints it: `golang.org/x/text v0.3.6` or `go1.22.10`


@frozen
class Hit:
    entry: Entry
    mod: Mod
    fixed: str | None  # the first fixed version, semver with v
    symbols: tuple[str, ...]  # pkg.Symbol the entry lists (for this GOOS/GOARCH)
    found: tuple[str, ...]  # of those, the ones in the binary
    reach: Reach


def modules_of(bi: BuildInfo) -> list[Mod]:
    out: list[Mod] = []
    for d in bi.deps:
        m = d.replace or d
        if m.version:
            out.append(Mod(m.path, m.version, f"{d.path} {d.version}" + (f" => {m.path} {m.version}" if d.replace else "")))
    go = match.go_to_semver(bi.go_version)
    if go is not None:
        out.append(Mod("stdlib", go, bi.go_version))
        if bi.path.startswith("cmd/"):
            out.append(Mod("toolchain", go, bi.go_version))
    return out


def _applies(p: Package, goos: str, goarch: str) -> bool:
    return (not p.goos or goos in p.goos) and (not p.goarch or goarch in p.goarch)


def _pkg_sym(pkg: str) -> str:
    """The package path as the linker writes it in symbol names: dots of the last element as %2e."""
    head, _, last = pkg.rpartition("/")
    return (head + "/" if head else "") + last.replace(".", "%2e")


def forms(pkg: str, sym: str) -> tuple[bytes, ...]:
    """Names a symbol can have in the pclntab (non-generic)."""
    p = _pkg_sym(pkg)
    out = [f"{p}.{sym}"]
    if "." in sym:
        t, _, m = sym.partition(".")
        out.append(f"{p}.(*{t}).{m}")
    return tuple(x.encode() for x in out)


# a name with type arguments; anchored on the NUL before it, so the scan is linear
_GENERIC = re.compile(rb"\x00([^\x00\[]*\[[^\x00]*)")
_BRACKETS = re.compile(rb"\[[^\[\]\x00]*\]")


def generic_bases(names: bytes) -> frozenset[bytes]:
    """NUL-separated names with type arguments -> their bases: pkg.F[...] -> pkg.F, pkg.(*T[...]).M -> pkg.T.M."""
    prev = None
    while prev != names:  # innermost brackets first, until none are left (nested type arguments)
        prev, names = names, _BRACKETS.sub(b"", names)
    return frozenset(names.replace(b"(*", b"").replace(b")", b"").split(b"\0"))


class Symbols:
    """The binary's function names, read on first use (None: unreadable).

    Exact names are looked up in a set; packages (an entry that lists no symbols) are searched in the raw
    table, and generic instantiations in a set of their bases, built only from names with type arguments.
    """

    def __init__(self, load: Callable[[], bytes | None], main_package: str = "") -> None:
        self._load = load
        self._main = main_package  # its functions are named main.*: present in every program it builds
        self._table: bytes | None = None
        self._names: frozenset[bytes] = frozenset()
        self._generic: frozenset[bytes] = frozenset()
        self._done = False

    def _get(self) -> bytes | None:
        if not self._done:
            raw = self._load()
            if raw is not None:
                self._table = b"\0" + raw
                names = raw.split(b"\0")
                self._names = frozenset(names)
                self._generic = generic_bases(b"\0".join(_GENERIC.findall(self._table)))
            self._done = True
        return self._table

    def readable(self) -> bool:
        return self._get() is not None

    @property
    def names(self) -> frozenset[bytes]:
        self._get()
        return self._names

    @property
    def generic(self) -> frozenset[bytes]:
        self._get()
        return self._generic

    def has(self, pkg: str, sym: str) -> bool:
        if self._get() is None:
            return False
        fs = forms(pkg, sym)
        return any(f in self._names for f in fs) or fs[0] in self._generic

    def has_package(self, pkg: str) -> bool:
        if pkg == self._main:
            return True
        table = self._get()
        return table is not None and b"\0" + _pkg_sym(pkg).encode() + b"." in table


@frozen
class Plan:
    """What to look for in a binary for one advisory at one module version and platform (shared by binaries)."""

    fixed: str | None
    listed: tuple[str, ...]  # pkg.Symbol as the entry names them
    symbols: tuple[tuple[str, tuple[bytes, ...]], ...]  # (pkg.Symbol, the names it can have in the pclntab)
    packages: tuple[str, ...]  # packages listed without symbols: any function of them counts
    module_level: bool  # the entry lists no packages: nothing to look for


class Matcher:
    """Memoizes plans per (advisory, module, version, platform): binaries of one fleet share Go releases and
    modules, so the version walk and symbol names are computed once per run, not once per binary."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str, str, str, str], Plan | None] = {}

    def plan(self, e: Entry, a: Affected, version: str, goos: str, goarch: str) -> Plan | None:
        key = (e.id, a.module, version, goos, goarch)
        if key not in self._memo:
            self._memo[key] = _plan(a, version, goos, goarch)
        return self._memo[key]


def _plan(a: Affected, version: str, goos: str, goarch: str) -> Plan | None:
    if not match.affects(a, version):
        return None
    pkgs = [p for p in a.packages if _applies(p, goos, goarch)]
    if a.packages and not pkgs:
        return None  # only on other platforms
    listed = tuple(f"{p.path}.{s}" for p in pkgs for s in p.symbols)
    syms = tuple((f"{p.path}.{s}", forms(p.path, s)) for p in pkgs for s in p.symbols)
    return Plan(match.first_fixed(a, version), listed, syms, tuple(p.path for p in pkgs if not p.symbols),
                not pkgs)


def _judge(a: Affected, mod: Mod, entry: Entry, goos: str, goarch: str, syms: Symbols,
           m: Matcher) -> Hit | None:
    plan = m.plan(entry, a, mod.version, goos, goarch)
    if plan is None:
        return None
    if plan.module_level or not syms.readable():
        return Hit(entry, mod, plan.fixed, plan.listed, (), Reach.UNKNOWN)
    names, generic = syms.names, syms.generic
    found = [label for label, fs in plan.symbols if any(f in names for f in fs) or fs[0] in generic]
    found += [f"{p} (whole package)" for p in plan.packages if syms.has_package(p)]
    return Hit(entry, mod, plan.fixed, plan.listed, tuple(found), Reach.FOUND if found else Reach.ABSENT)


def scan(bi: BuildInfo, goos: str, goarch: str, entries_for: Callable[[str], Iterable[Entry]],
         syms: Symbols, matcher: Matcher | None = None) -> list[Hit]:
    m = matcher or Matcher()
    hits: list[Hit] = []
    for mod in modules_of(bi):
        for e in entries_for(mod.path):
            if e.withdrawn:
                continue
            for a in e.affected:
                if a.module == mod.path and (h := _judge(a, mod, e, goos, goarch, syms, m)) is not None:
                    hits.append(h)
                    break
    return hits
