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
    affected = False
    for e in sorted(r.events, key=cmp_to_key(_event_cmp)):
        if not affected and e.introduced:
            affected = e.introduced == "0" or compare(version, _canon(e.introduced)) >= 0
        elif affected and e.fixed:
            affected = compare(version, _canon(e.fixed)) < 0
    return affected


def affects(a: Affected, version: str) -> bool:
    """Whether `version` (semver with v) is affected; an empty version counts as affected (as x/vuln)."""
    semver = [r for r in a.ranges if r.type == "SEMVER"]
    if not semver or not version:
        return True
    return any(in_range(r, version) for r in semver)


def first_fixed(a: Affected, version: str) -> str | None:
    """The smallest `fixed` above `version` (with v), or None when no fix is published."""
    fixes = [_canon(e.fixed) for r in a.ranges if r.type == "SEMVER" for e in r.events if e.fixed]
    above = [f for f in fixes if compare(f, version) > 0] if version else fixes
    return min(above, key=cmp_to_key(compare)) if above else None
