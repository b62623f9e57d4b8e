"""Is a module version inside an OSV entry's ranges? Go's ordering (golang.org/x/mod/semver).

Versions compare as semver 2.0: vMAJOR.MINOR.PATCH, a `-prerelease` sorts before the release (so a
pseudo-version v0.0.0-20210101000000-abcdef012345 is a prerelease of its base), `+build` metadata is
ignored (so v2.0.0+incompatible equals v2.0.0). Go releases map to semver as x/vuln maps them:
go1.21 -> v1.21.0, go1.21.5 -> v1.21.5, go1.21rc2 -> v1.21.0-rc.2, go1.9beta1 -> v1.9.0-beta.1.
The range walk is x/vuln's: events sorted, `introduced` opens, `fixed` closes; no SEMVER range = all versions.
"""

from __future__ import annotations

import re
from functools import cmp_to_key

from gomedic.vulndb.osv import Affected, Event, Range

_SEMVER = re.compile(r"^v(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?"
                     r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$")
_GOTAG = re.compile(r"^go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(rc|beta|alpha)(\d+))?$")

Parsed = tuple[int, int, int, tuple[str, ...]]


def parse(v: str) -> Parsed | None:
    """(major, minor, patch, prerelease identifiers) or None when v is not valid semver (as semver.IsValid;
    the short forms v1 and v1.2 are accepted, as x/mod accepts them)."""
    m = _SEMVER.match(v)
    if not m:
        return None
    pre = tuple(m.group(4).split(".")) if m.group(4) else ()
    return int(m.group(1)), int(m.group(2) or 0), int(m.group(3) or 0), pre


def _cmp_ident(a: str, b: str) -> int:
    an, bn = a.isdigit(), b.isdigit()
    if an and bn:
        return (int(a) > int(b)) - (int(a) < int(b))
    if an != bn:
        return -1 if an else 1  # numeric identifiers sort before alphanumeric ones
    return (a > b) - (a < b)


def _cmp_pre(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    if a == b:
        return 0
    if not a:
        return 1  # a release sorts after its prereleases
    if not b:
        return -1
    for x, y in zip(a, b, strict=False):
        c = _cmp_ident(x, y)
        if c:
            return c
    return (len(a) > len(b)) - (len(a) < len(b))


def compare(a: str, b: str) -> int:
    """semver.Compare: an invalid version sorts before every valid one, and equals another invalid one."""
    pa, pb = parse(a), parse(b)
    if pa is None or pb is None:
        return (pa is not None) - (pb is not None)
    c = (pa[:3] > pb[:3]) - (pa[:3] < pb[:3])
    return c or _cmp_pre(pa[3], pb[3])


Key = tuple[object, ...]
_KEYS: dict[str, Key] = {}
MAX_KEYS = 4096  # a long-running `serve` sees new versions: the memo is cleared rather than grown


def key(v: str) -> Key:
    """A sort key ordered as compare() orders: key(a) < key(b) exactly when compare(a, b) < 0.

    Memoized: a run compares the same few versions (Go releases, module versions, fixes) thousands of times.
    """
    k = _KEYS.get(v)
    if k is None:
        p = parse(v)
        if p is None:
            k = ()  # invalid: before every valid version, equal to every invalid one
        else:  # a release (1,) sorts after its prereleases (0, ...); numeric identifiers before alphanumeric
            pre = (1,) if not p[3] else (0, *((0, int(i)) if i.isdigit() else (1, i) for i in p[3]))
            k = (p[0], p[1], p[2], pre)
        if len(_KEYS) >= MAX_KEYS:
            _KEYS.clear()
        _KEYS[v] = k
    return k


def go_to_semver(tag: str) -> str | None:
    """A Go release (`go1.21.5`, as build info records it) as semver, or None (devel and custom builds)."""
    m = _GOTAG.match(tag.split()[0] if tag.strip() else "")
    if not m:
        return None
    major, minor, patch, kind, n = m.groups()
    v = f"v{major}.{minor or 0}.{patch or 0}"
    if kind:
        v += f"-{'rc' if kind == 'rc' else kind}.{n}"
    return v


def _canon(v: str) -> str:
    return v if v.startswith("v") else "v" + v


def _sort_key(e: Event) -> str:
    return e.introduced or e.fixed


def _event_cmp(x: Event, y: Event) -> int:
    if x.introduced == "0":
        return -1
    if y.introduced == "0":
        return 1
    return compare(_canon(_sort_key(x)), _canon(_sort_key(y)))


def in_range(r: Range, version: str) -> bool:
    return _walk(_steps(r), key(version))


# one event of a sorted range: (introduced?, introduced at "0"?, its key, fixed?, its key)
Step = tuple[bool, bool, Key, bool, Key]


def _steps(r: Range) -> tuple[Step, ...]:
    return tuple((bool(e.introduced), e.introduced == "0", key(_canon(e.introduced)) if e.introduced else (),
                  bool(e.fixed), key(_canon(e.fixed)) if e.fixed else ())
                 for e in sorted(r.events, key=cmp_to_key(_event_cmp)))


def _walk(steps: tuple[Step, ...], v: Key) -> bool:
    affected = False
    for introduced, zero, ikey, fixed, fkey in steps:
        if not affected and introduced:
            affected = zero or v >= ikey
        elif affected and fixed:
            affected = v < fkey
    return affected


class Ranges:
    """An affected item's SEMVER ranges, sorted and parsed once (x/vuln's walk): a run asks the same item
    about many versions, each answer is then a few tuple comparisons."""

    def __init__(self, a: Affected) -> None:
        semver = [r for r in a.ranges if r.type == "SEMVER"]
        self.every = not semver  # no SEMVER range: every version
        self.walks = tuple(_steps(r) for r in semver)
        self.fixes = tuple((key(f), f) for f in (_canon(e.fixed) for r in semver for e in r.events if e.fixed))

    def affects(self, version: str) -> bool:
        if self.every or not version:
            return True
        v = key(version)
        return any(_walk(w, v) for w in self.walks)

    def first_fixed(self, version: str) -> str | None:
        v = key(version)
        above = [kf for kf in self.fixes if kf[0] > v] if version else list(self.fixes)
        return min(above, key=lambda kf: kf[0])[1] if above else None


def affects(a: Affected, version: str) -> bool:
    """Whether `version` (semver with v) is affected; an empty version counts as affected (as x/vuln)."""
    return Ranges(a).affects(version)


def first_fixed(a: Affected, version: str) -> str | None:
    """The smallest `fixed` above `version` (with v), or None when no fix is published."""
    return Ranges(a).first_fixed(version)
