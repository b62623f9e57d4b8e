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

import contextlib
import enum
import functools
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

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
            out.append(
                Mod(m.path, m.version, f"{d.path} {d.version}" + (f" => {m.path} {m.version}" if d.replace else ""))
            )
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


@functools.lru_cache(maxsize=8192)  # advisories of one module list the same functions again and again
def forms(pkg: str, sym: str) -> tuple[bytes, ...]:
    """Names a symbol can have in the pclntab (non-generic)."""
    p = _pkg_sym(pkg)
    out = [f"{p}.{sym}"]
    if "." in sym:
        t, _, m = sym.partition(".")
        out.append(f"{p}.(*{t}).{m}")
    return tuple(x.encode() for x in out)


PROBE = 16 << 10  # bytes of the table searched for a package before it joins the regex pass (has_package)
_BRACKETS = re.compile(rb"\[[^\[\]\x00]*\]")


def bracketed(table: bytes) -> list[bytes]:
    """The NUL-separated names that hold a `[` (type arguments), found by searching for the bracket: a
    generic instantiation is one name in tens, so this touches the rest of the table only in C."""
    out = []
    i = table.find(b"[")
    while i >= 0:
        start = table.rfind(b"\0", 0, i) + 1
        end = table.find(b"\0", i)
        if end < 0:
            end = len(table)
        out.append(table[start:end])
        i = table.find(b"[", end)
    return out


def generic_bases(names: bytes) -> frozenset[bytes]:
    """NUL-separated names with type arguments -> their bases: pkg.F[...] -> pkg.F, pkg.(*T[...]).M -> pkg.T.M."""
    while b"[" in names:  # innermost brackets first, until none are left (nested type arguments)
        prev, names = names, _BRACKETS.sub(b"", names)
        if names == prev:
            break  # an unbalanced bracket stays
    return frozenset(names.replace(b"(*", b"").replace(b")", b"").split(b"\0"))


def _common(words: list[bytes]) -> bytes:
    lo, hi = min(words), max(words)
    n = 0
    while n < len(lo) and lo[n] == hi[n]:
        n += 1
    return lo[:n]


def _trie(words: Iterable[bytes]) -> bytes:
    """A regex matching any of `words`, their common prefixes factored out: Python's re tries the branches
    of an alternation one by one, so a flat list of ~30 packages would be tried at every name of the table."""
    by_first: dict[bytes, list[bytes]] = {}
    end = False
    for w in words:
        if w:
            by_first.setdefault(w[:1], []).append(w)
        else:
            end = True
    alts = []
    for _, group in sorted(by_first.items()):
        head = _common(group)  # the whole word when it is alone
        alts.append(re.escape(head) + _trie([w[len(head):] for w in group]))
    if not alts:
        return b""
    body = alts[0] if len(alts) == 1 and not end else b"(?:" + b"|".join(alts) + b")"
    return body + b"?" if end else body


@functools.lru_cache(maxsize=256)  # a fleet's binaries share Go releases and modules: few distinct sets
def finder(prefixes: frozenset[bytes], whole: frozenset[bytes]) -> re.Pattern[bytes]:
    """A NUL followed by a name of one of the packages: in `prefixes` the whole name is captured, in `whole`
    (whose functions only need to exist) just `pkg.`. Both are package paths as symbol names spell them."""
    alts = [_trie(prefixes) + rb"\.[^\0]*"] if prefixes else []
    if whole - prefixes:
        alts.append(_trie(whole - prefixes) + rb"\.")
    return re.compile(rb"\0(" + b"|".join(alts) + b")")


class Symbols:
    """The binary's function names, read on first use (None: unreadable).

    Only the names a scan asks about are looked for (`present`). Given the packages of the wanted names,
    one regex pass over the table picks the names of those packages (a tenth of the table, typically), and
    the wanted names, the bases of generic instantiations and the packages listed without symbols are all
    answered from those: no bytes object or hash for the other names. Without the packages, the table is
    split at its NULs and intersected with the wanted names.
    """

    def __init__(self, load: Callable[[], bytes | None], main_package: str = "") -> None:
        self._load = load
        self._main = main_package  # its functions are named main.*: present in every program it builds
        self._table: bytes | None = None
        self._generic: frozenset[bytes] | None = None
        self._packages: dict[str, bool] = {}
        self._picked = b""  # NUL + the names (or `pkg.`) `finder` picked, NUL-separated
        self._covered: frozenset[bytes] = frozenset()  # the packages whose names _picked holds
        self._done = False

    def _get(self) -> bytes | None:
        if not self._done:
            self._table = self._load()  # used as read: a copy with a leading NUL would cost megabytes
            self._done = True
        return self._table

    def readable(self) -> bool:
        return self._get() is not None

    def present(self, wanted: Iterable[bytes], prefixes: frozenset[bytes] | None = None,
                packages: Iterable[str] = ()) -> frozenset[bytes]:
        """Those of `wanted` the binary holds: names in the table, or bases of generic instantiations (a
        base never has `(*`, so it can only stand for a symbol's plain form `pkg.F` / `pkg.T.M`).

        `prefixes`: the packages (as symbol names spell them) every wanted name starts with, `pkg.`;
        `packages`: those `has_package` will be asked about, answered by the same pass."""
        table = self._get()
        if table is None:
            return frozenset()
        if prefixes is None:
            want = set(wanted)
            exact = want.intersection(table.split(b"\0"))
            return frozenset(exact | (want - exact).intersection(self.generic)) if want - exact else frozenset(exact)
        whole = self._probe(table, packages)
        rx = finder(prefixes, whole)
        names = rx.findall(table)
        end = table.find(b"\0")
        names += rx.findall(b"\0" + (table if end < 0 else table[:end]))  # the first name has no NUL before it
        self._picked = b"\0" + b"\0".join(names)
        self._covered = prefixes | whole
        asked = wanted if isinstance(wanted, frozenset) else frozenset(wanted)
        held = asked.intersection(names)
        if b"[" not in self._picked:
            return held
        # a name with type arguments starts with its package as its base does: only picked names can be one
        return held | asked.intersection(generic_bases(b"\0".join(bracketed(self._picked))))

    def _probe(self, table: bytes, packages: Iterable[str]) -> frozenset[bytes]:
        """Packages listed without symbols found in the first names of the table (`runtime`: its functions
        come first, and picking its thousands of names would cost more than this); the others, as symbol
        names spell them, are left to the pass of `present`."""
        left = set()
        for p in packages:
            if p in self._packages:
                continue
            sym = _pkg_sym(p).encode()
            if p == self._main:  # present anyway, but kept in the regex: the toolchain's binaries share one
                left.add(sym)
            elif table.startswith(sym + b".") or table.find(b"\0" + sym + b".", 0, PROBE) >= 0:
                self._packages[p] = True
            else:
                left.add(sym)
        return frozenset(left)

    @property
    def generic(self) -> frozenset[bytes]:
        """The bases of the generic instantiations (pkg.F for pkg.F[...])."""
        if self._generic is None:
            table = self._get()
            self._generic = frozenset() if table is None else generic_bases(b"\0".join(bracketed(table)))
        return self._generic

    def has_package(self, pkg: str) -> bool:
        if pkg == self._main:
            return True
        got = self._packages.get(pkg)
        if got is None:
            sym = _pkg_sym(pkg).encode()
            prefix = sym + b"."
            if sym in self._covered:  # picked by `present`: every name of the package, or `pkg.`
                got = b"\0" + prefix in self._picked
            else:
                table = self._get()
                got = table is not None and (table.startswith(prefix) or b"\0" + prefix in table)
            self._packages[pkg] = got
        return got


@frozen
class Look:
    """What to look for in a binary for one affected item on one platform (shared by binaries and versions)."""

    listed: tuple[str, ...]  # pkg.Symbol as the entry names them
    symbols: tuple[tuple[str, tuple[bytes, ...]], ...]  # (pkg.Symbol, the names it can have in the pclntab)
    packages: tuple[str, ...]  # packages listed without symbols: any function of them counts
    module_level: bool  # the entry lists no packages: nothing to look for
    every: frozenset[bytes]  # all the names of `symbols`
    prefixes: frozenset[bytes]  # the packages of `symbols`, as symbol names spell them (`every` starts with one)


# an advisory affecting a module version: the entry, its first fixed version, what to look for
Plan = tuple[Entry, "str | None", Look]


@frozen
class Wanted:
    """What to look for in the binaries whose modules have the same versions on the same platform, and their
    findings when none of it is there: built once for every binary built alike."""

    names: frozenset[bytes]  # every Look's `every`
    prefixes: frozenset[bytes]  # their packages
    packages: frozenset[str]  # packages listed without symbols
    todo: tuple[tuple[Mod, Plan], ...]  # each module's plans, module by module
    absent: tuple[Hit, ...]  # per plan: nothing of it in the binary (ABSENT), or module level (UNKNOWN)
    judged: frozenset[int]  # the plans listing packages without symbols: always looked at
    needs_table: bool  # some plan is not module level


_ASK: Any = object()  # not computed yet (None is an answer)


# an entry whose items affect a module version, each item with its first fixed version
Versioned = tuple[Entry, "list[tuple[Affected, str | None]]"]


class Matcher:
    """The plans of one database, memoized per (module, version, platform): binaries of one fleet share Go
    releases and modules, so each module's advisories are judged against a version once per run, not once
    per binary. A module's affected items are listed, and their ranges sorted and parsed (match.Ranges),
    once; what to look for is built once per item and platform."""

    def __init__(self) -> None:
        self._plans: dict[tuple[str, str, str, str], tuple[Plan, ...]] = {}
        self._items: dict[str, list[tuple[Entry, list[tuple[Affected, match.Ranges]]]]] = {}
        self._versions: dict[tuple[str, str], list[Versioned]] = {}
        self._looks: dict[tuple[int, str, str], Look | None] = {}  # by the item's identity (_items keeps it)
        self._wanted: dict[tuple[int, ...], Wanted] = {}
        self._builds: dict[tuple[object, ...], Wanted] = {}
        self._mods: dict[Mod, Mod] = {}
        self._absents: dict[tuple[int, int], tuple[Hit, ...]] = {}  # by (mod, plans): both kept, ids stable
        self.findings: dict[tuple[object, ...], tuple[Hit, ...]] = {}  # scan's, by (Wanted, Looked answers)

    def plans(
        self, mod: Mod, goos: str, goarch: str, entries_for: Callable[[str], Iterable[Entry]]
    ) -> tuple[Plan, ...]:
        """The entries affecting `mod` on the platform, in the database's order."""
        k = (mod.path, mod.version, goos, goarch)
        got = self._plans.get(k)
        if got is None:
            got = self._plans[k] = tuple(self._affecting(mod, goos, goarch, entries_for))
        return got

    def mod(self, mod: Mod) -> Mod:
        """The one Mod of this value (binaries built alike share their Wanted, findings included)."""
        return self._mods.setdefault(mod, mod)

    def binary(self, bi: BuildInfo, goos: str, goarch: str, entries_for: Callable[[str], Iterable[Entry]]) -> Wanted:
        """What to look for in the binary with this build info on the platform: once per build alike (what
        modules_of reads of it), as the copies of a program and a release's own programs are."""
        k = (goos, goarch, bi.go_version, bi.path.startswith("cmd/"),
             *((d.path, d.version) if d.replace is None else (d.path, d.version, d.replace.path, d.replace.version)
               for d in bi.deps))
        got = self._builds.get(k)
        if got is None:
            got = self._builds[k] = self.wanted(
                [(mod, self.plans(mod, goos, goarch, entries_for)) for mod in map(self.mod, modules_of(bi))])
        return got

    def wanted(self, groups: list[tuple[Mod, tuple[Plan, ...]]]) -> Wanted:
        """What to look for in a binary whose modules (from `mod`) have these plans."""
        k = tuple(id(x) for group in groups for x in group)  # mods and plans are kept (_mods, _plans): stable
        got = self._wanted.get(k)
        if got is None:
            absent = tuple(h for mod, plans in groups for h in self._absent(mod, plans))
            got = self._wanted[k] = _wanted(groups, absent)
        return got

    def _absent(self, mod: Mod, plans: tuple[Plan, ...]) -> tuple[Hit, ...]:
        """Each plan's finding when nothing of it is in the binary (module level: UNKNOWN), once per module."""
        k = (id(mod), id(plans))
        got = self._absents.get(k)
        if got is None:
            got = self._absents[k] = tuple(
                Hit(entry, mod, fixed, look.listed, (), Reach.UNKNOWN if look.module_level else Reach.ABSENT)
                for entry, fixed, look in plans)
        return got

    def _affecting(self, mod: Mod, goos: str, goarch: str,
                   entries_for: Callable[[str], Iterable[Entry]]) -> Iterable[Plan]:
        for e, affected in self._versioned(mod, entries_for):
            for a, fixed in affected:  # the first item of the module that affects the version on the platform
                if (look := self._look(a, goos, goarch)) is not None:
                    yield e, fixed, look
                    break

    def _versioned(self, mod: Mod, entries_for: Callable[[str], Iterable[Entry]]) -> list[Versioned]:
        """The entries with items affecting the module version, each item with its first fixed version: once
        per version, whatever the platforms of the binaries that record it."""
        k = (mod.path, mod.version)
        got = self._versions.get(k)
        if got is None:
            items = self._items.get(mod.path)
            if items is None:
                items = self._items[mod.path] = [
                    (e, [(a, match.Ranges(a)) for a in e.affected if a.module == mod.path])
                    for e in entries_for(mod.path) if not e.withdrawn]
            got = self._versions[k] = []
            for e, affected in items:
                hit = [(a, ranges.first_fixed(mod.version)) for a, ranges in affected if ranges.affects(mod.version)]
                if hit:
                    got.append((e, hit))
        return got

    def _look(self, a: Affected, goos: str, goarch: str) -> Look | None:
        k = (id(a), goos, goarch)
        got: Look | None = self._looks.get(k, _ASK)
        if got is _ASK:
            general = not any(p.goos or p.goarch for p in a.packages)  # the same on every platform: one Look
            got = self._looks.get((id(a), "", ""), _ASK) if general else _ASK
            if got is _ASK:
                got = _look(a, goos, goarch)
                if general:
                    self._looks[(id(a), "", "")] = got
            self._looks[k] = got
        return got


def _look(a: Affected, goos: str, goarch: str) -> Look | None:
    pkgs = [p for p in a.packages if _applies(p, goos, goarch)]
    if a.packages and not pkgs:
        return None  # only on other platforms
    listed = tuple(f"{p.path}.{s}" for p in pkgs for s in p.symbols)
    syms = tuple((f"{p.path}.{s}", forms(p.path, s)) for p in pkgs for s in p.symbols)
    return Look(listed, syms, tuple(p.path for p in pkgs if not p.symbols), not pkgs,
                frozenset(f for _, fs in syms for f in fs),
                frozenset(_pkg_sym(p.path).encode() for p in pkgs if p.symbols))


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while scanning: a fleet's scan makes tens of thousands of findings and
    no reference cycles, and each collection of the oldest generation walks every object of the run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # what the scan made and kept is long-lived: straight to the oldest generation (freeze, then
            # unfreeze), else the first young collection after this walks all of it at once
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def _wanted(groups: list[tuple[Mod, tuple[Plan, ...]]], absent: tuple[Hit, ...]) -> Wanted:
    todo = tuple((mod, plan) for mod, plans in groups for plan in plans)
    looks = [look for _, (_, _, look) in todo]
    return Wanted(frozenset().union(*(look.every for look in looks)),
                  frozenset().union(*(look.prefixes for look in looks)),
                  frozenset(p for look in looks for p in look.packages), todo, absent,
                  frozenset(i for i, look in enumerate(looks) if look.packages),
                  not all(look.module_level for look in looks))


class Looked:
    """What a scan asks of a binary's function table, answered ahead (`look_up`, in a worker process when
    many binaries are new): stands in for the binary's Symbols, reading nothing."""

    def __init__(self, readable: bool, held: frozenset[bytes], packages: dict[str, bool]) -> None:
        self._readable = readable
        self.held = held
        self.packages = packages

    def present(self, wanted: Iterable[bytes], prefixes: frozenset[bytes] | None = None,
                packages: Iterable[str] = ()) -> frozenset[bytes]:
        return self.held

    def readable(self) -> bool:
        return self._readable

    def has_package(self, pkg: str) -> bool:
        return self.packages[pkg]


def look_up(syms: Symbols, want: Wanted) -> Looked:
    """Everything `scan` asks `syms` for `want`, in the order scan asks it."""
    held = syms.present(want.names, want.prefixes, want.packages) if want.names else frozenset()
    readable = want.needs_table and syms.readable()
    return Looked(readable, held, {p: syms.has_package(p) for p in want.packages} if readable else {})


def scan(bi: BuildInfo, goos: str, goarch: str, entries_for: Callable[[str], Iterable[Entry]],
         syms: Symbols | Looked, matcher: Matcher | None = None) -> list[Hit]:
    m = matcher or Matcher()
    want = m.binary(bi, goos, goarch, entries_for)
    # one pass over the table for every advisory
    held = syms.present(want.names, want.prefixes, want.packages) if want.names else frozenset()
    if not isinstance(syms, Looked):
        return _judge(want, held, syms)
    # binaries built alike that link the same of it in (a fleet's copies, a release's builds) find the same
    k = (id(want), held, syms.readable(), tuple(syms.packages.items()))
    got = m.findings.get(k)
    if got is None:
        got = m.findings[k] = tuple(_judge(want, held, syms))
    return list(got)


def _judge(want: Wanted, held: frozenset[bytes], syms: Symbols | Looked) -> list[Hit]:
    if want.needs_table and not syms.readable():  # the table is read only for an entry that names packages
        return [Hit(entry, mod, fixed, look.listed, (), Reach.UNKNOWN) for mod, (entry, fixed, look) in want.todo]
    hits = list(want.absent)  # most advisories: nothing of them linked in
    judged = want.judged
    for i, (mod, (entry, fixed, look)) in enumerate(want.todo):
        if held.isdisjoint(look.every) and i not in judged:
            continue
        found = [label for label, fs in look.symbols if not held.isdisjoint(fs)]
        found += [f"{p} (whole package)" for p in look.packages if syms.has_package(p)]
        if found:
            hits[i] = Hit(entry, mod, fixed, look.listed, tuple(found), Reach.FOUND)
    return hits
