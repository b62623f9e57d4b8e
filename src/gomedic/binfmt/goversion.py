"""Go version ordering exactly as Go orders versions (internal/gover and go/version).

`go1.21` < `go1.21rc1` < `go1.21.0`; `go1.20` == `go1.20.0` (before 1.21 a two-part name was a release);
suffixes after `-` (`go1.22.0-bigcorp`) and after a space (`go1.21.11 X:nocoverageredesign`) are ignored.
Invalid versions (`devel +abc`) compare as the empty version, lower than every valid one.
"""

from __future__ import annotations

import re
from functools import lru_cache

from gomedic.values import frozen

_INT = re.compile(r"(0|[1-9][0-9]*)")


@frozen
class GoVersion:
    major: str = ""
    minor: str = ""
    patch: str = ""
    kind: str = ""  # "", "alpha", "beta", "rc"
    pre: str = ""

    @property
    def valid(self) -> bool:
        return self != GoVersion()


def _cut_int(x: str) -> tuple[str, str] | None:
    m = _INT.match(x)
    if not m or (x[0] == "0" and len(x) > 1 and x[1].isdigit()):
        return None
    return m.group(0), x[m.end():]


@lru_cache(maxsize=1024)  # a scan compares the same few releases hundreds of times
def parse(x: str) -> GoVersion:
    """Parse a version without the `go` prefix (`1.21.0`, `1.21rc1`, `1.22`)."""
    cut = _cut_int(x)
    if cut is None:
        return GoVersion()
    major, x = cut
    if x == "":
        return GoVersion(major, "0", "0")
    if x[0] != ".":
        return GoVersion()
    cut = _cut_int(x[1:])
    if cut is None:
        return GoVersion()
    minor, x = cut
    if x == "":
        return GoVersion(major, minor, "0" if _cmp_int(minor, "21") < 0 else "")
    if x[0] == ".":
        cut = _cut_int(x[1:])
        if cut is None or cut[1] != "":
            return GoVersion()
        return GoVersion(major, minor, cut[0])
    m = re.match(r"[a-z]+", x)
    if not m:
        return GoVersion()
    kind, x = m.group(0), x[m.end():]
    if x == "":
        return GoVersion(major, minor, "", kind)
    cut = _cut_int(x)
    if cut is None or cut[1] != "":
        return GoVersion()
    return GoVersion(major, minor, "", kind, cut[0])


def _cmp_int(x: str, y: str) -> int:
    if x == y:
        return 0
    if len(x) != len(y):
        return -1 if len(x) < len(y) else 1
    return -1 if x < y else 1


def _cmp(a: str, b: str) -> int:
    return (a > b) - (a < b)


def strip_go(v: str) -> str:
    """`go1.22.0-bigcorp X:foo` -> `1.22.0`; anything not starting with `go` -> ``."""
    v = v.split(" ", 1)[0].split("-", 1)[0]
    return v[2:] if v.startswith("go") and len(v) >= 2 else ""


def compare_lang(x: str, y: str) -> int:
    """Compare versions without the `go` prefix, as go.mod `go` lines are written."""
    vx, vy = parse(x), parse(y)
    for a, b in ((vx.major, vy.major), (vx.minor, vy.minor), (vx.patch, vy.patch)):
        c = _cmp_int(a, b)
        if c:
            return c
    return _cmp(vx.kind, vy.kind) or _cmp_int(vx.pre, vy.pre)


def compare(x: str, y: str) -> int:
    """Compare Go release names (`go1.21.0`); -1, 0 or +1."""
    return compare_lang(strip_go(x), strip_go(y))


def is_valid(x: str) -> bool:
    return parse(strip_go(x)).valid


def is_lang(x: str) -> bool:
    """`1.21` (a language version) rather than a release (`1.21.0`, `1.21rc1`); no `go` prefix."""
    v = parse(x)
    return v.valid and v.patch == "" and v.kind == "" and v.pre == ""


def is_two_part(x: str) -> bool:
    """`1.19`, `1.21` (major.minor and nothing else; no `go` prefix): the only go line Go <= 1.20 accepts.

    Go's own IsLang is false for `1.19` (before 1.21 a two-part name is the release 1.19.0), so the
    format question (can this go parse the line?) is asked here, not with is_lang."""
    v = parse(x)
    return v.valid and x == f"{v.major}.{v.minor}"


def go_line_format_ok(line: str, local: str) -> bool:
    """Whether the go command `local` (`go1.19.8`) parses `go <line>` in go.mod/go.work.

    Before Go 1.21 (x/mod GoVersionRE `^([1-9][0-9]*)\\.(0|[1-9][0-9]*)$`) only `1.N`; from Go 1.21 also
    `1.N.P` and pre-releases (`1.21rc1`), which older go rejects with `invalid go version '1.21.0': must
    match format 1.23`."""
    if not local or not is_valid(local) or compare(local, "go1.21") >= 0:
        return True
    return is_two_part(line)


# Directives go.mod and go.work gained after Go 1.20, with the first release that reads them; an older go
# fails with `unknown directive: <name>`.
DIRECTIVE_SINCE = {"toolchain": "go1.21", "godebug": "go1.23", "tool": "go1.24", "ignore": "go1.25"}


def knows_directive(local: str, name: str) -> bool:
    since = DIRECTIVE_SINCE.get(name)
    return since is None or not local or not is_valid(local) or compare(local, since) >= 0


def has_gotoolchain(local: str) -> bool:
    """Whether this go release understands GOTOOLCHAIN (and switches toolchains): Go 1.21 and newer."""
    return not is_valid(local) or compare(local, "go1.21") >= 0


def lang(x: str) -> str:
    """`go1.21.3` -> `go1.21`; `1.21.3` -> `1.21` (returns the form it was given)."""
    prefix = "go" if x.startswith("go") else ""
    v = parse(strip_go(x) if prefix else x)
    if not v.valid:
        return ""
    if v.minor == "" or (v.major == "1" and v.minor == "0"):
        return prefix + v.major
    return f"{prefix}{v.major}.{v.minor}"


def minor(x: str) -> int | None:
    """The minor number of a `go1.N...` release (or of `1.N...`), e.g. 27 for go1.27.3."""
    v = parse(strip_go(x) if x.startswith("go") else x)
    return int(v.minor) if v.valid and v.minor else None
