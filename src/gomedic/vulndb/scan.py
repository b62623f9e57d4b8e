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


def generic_base(name: bytes) -> bytes:
    """pkg.F[go.shape.int] -> pkg.F; pkg.(*T[...]).M -> pkg.T.M (for matching generic instantiations)."""
    out, depth = bytearray(), 0
    for c in name:
        if c == 0x5B:
            depth += 1
        elif c == 0x5D:
            depth -= 1
        elif depth == 0:
            out.append(c)
    return bytes(out).replace(b"(*", b"").replace(b")", b"")


class Symbols:
    """The binary's function names, read on first use (None: unreadable)."""

    def __init__(self, load: Callable[[], frozenset[bytes] | None]) -> None:
        self._load = load
        self._names: frozenset[bytes] | None = None
        self._generic: frozenset[bytes] = frozenset()
        self._done = False

    def _get(self) -> frozenset[bytes] | None:
        if not self._done:
            self._names = self._load()
            if self._names is not None:
                self._generic = frozenset(generic_base(n) for n in self._names if b"[" in n)
            self._done = True
        return self._names

    def readable(self) -> bool:
        return self._get() is not None

    def has(self, pkg: str, sym: str) -> bool:
        names = self._get()
        if names is None:
            return False
        fs = forms(pkg, sym)
        return any(f in names for f in fs) or fs[0] in self._generic

    def has_package(self, pkg: str) -> bool:
        names = self._get()
        prefix = _pkg_sym(pkg).encode() + b"."
        return names is not None and any(n.startswith(prefix) for n in names)


def _judge(a: Affected, mod: Mod, entry: Entry, goos: str, goarch: str, syms: Symbols) -> Hit | None:
    if not match.affects(a, mod.version):
        return None
    fixed = match.first_fixed(a, mod.version)
    pkgs = [p for p in a.packages if _applies(p, goos, goarch)]
    if a.packages and not pkgs:
        return None  # only on other platforms
    listed = tuple(f"{p.path}.{s}" for p in pkgs for s in p.symbols)
    if not pkgs or not syms.readable():
        return Hit(entry, mod, fixed, listed, (), Reach.UNKNOWN)
    found = [f"{p.path}.{s}" for p in pkgs for s in p.symbols if syms.has(p.path, s)]
    whole = [p.path for p in pkgs if not p.symbols and syms.has_package(p.path)]
    reach = Reach.FOUND if found or whole else Reach.ABSENT
    return Hit(entry, mod, fixed, listed, tuple(found + [f"{w} (whole package)" for w in whole]), reach)


def scan(bi: BuildInfo, goos: str, goarch: str, entries_for: Callable[[str], Iterable[Entry]],
         syms: Symbols) -> list[Hit]:
    hits: list[Hit] = []
    for mod in modules_of(bi):
        for e in entries_for(mod.path):
            if e.withdrawn:
                continue
            for a in e.affected:
                if a.module == mod.path and (h := _judge(a, mod, e, goos, goarch, syms)) is not None:
                    hits.append(h)
                    break
    return hits
