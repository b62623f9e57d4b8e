"""Module path patterns as cmd/go matches them (GOPRIVATE, GONOPROXY, GONOSUMDB, GOINSECURE): pure.

A port of golang.org/x/mod/module.MatchPrefixPatterns and Go's path.Match: a comma-separated list of
globs, each matched against the leading path elements of a module path (as many as the glob has).
`*` and `?` never match `/`; a malformed glob matches nothing, as in Go.
"""

from __future__ import annotations


class _BadPattern(Exception):
    pass


def _class_match(pattern: str, i: int, c: str) -> tuple[bool, int]:
    """Match c against the character class starting after '[' at pattern[i]; (matched, index after ']')."""
    n = len(pattern)
    negated = i < n and pattern[i] == "^"
    if negated:
        i += 1
    matched = False
    nranges = 0
    while True:
        if i < n and pattern[i] == "]" and nranges > 0:
            return matched != negated, i + 1
        lo, i = _class_char(pattern, i)
        hi = lo
        if i < n and pattern[i] == "-":
            hi, i = _class_char(pattern, i + 1)
        if lo <= c <= hi:
            matched = True
        nranges += 1


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    n = len(pattern)
    if i >= n or pattern[i] in "-]":
        raise _BadPattern
    if pattern[i] == "\\":
        i += 1
        if i >= n:
            raise _BadPattern
    return pattern[i], i + 1


def path_match(pattern: str, name: str) -> bool:
    """Go's path.Match; False for a malformed pattern (where Go returns ErrBadPattern)."""
    try:
        return _match(pattern, 0, name, 0)
    except _BadPattern:
        return False


def _match(p: str, i: int, s: str, j: int) -> bool:
    n, m = len(p), len(s)
    while i < n:
        c = p[i]
        if c == "*":
            i += 1
            for k in range(j, m + 1):
                if _match(p, i, s, k):
                    return True
                if k < m and s[k] == "/":
                    break
            # a malformed rest of the pattern must still be reported as such
            _validate(p, i)
            return False
        if j >= m:
            _validate(p, i)
            return False
        if c == "?":
            if s[j] == "/":
                return False
            i, j = i + 1, j + 1
        elif c == "[":
            ok, i = _class_match(p, i + 1, s[j])
            if not ok:
                _validate(p, i)
                return False
            j += 1
        elif c == "\\":
            i += 1
            if i >= n:
                raise _BadPattern
            if p[i] != s[j]:
                return False
            i, j = i + 1, j + 1
        else:
            if c != s[j]:
                return False
            i, j = i + 1, j + 1
    return j == m


def _validate(p: str, i: int) -> None:
    n = len(p)
    while i < n:
        if p[i] == "\\":
            if i + 1 >= n:
                raise _BadPattern
            i += 2
        elif p[i] == "[":
            _, i = _class_match(p, i + 1, "\x00")
        else:
            i += 1


def globs(value: str) -> list[str]:
    """The non-empty globs of a comma-separated list, trailing slashes removed."""
    return [g.rstrip("/") for g in value.split(",") if g.rstrip("/")]


def match_glob(glob: str, target: str) -> bool:
    """One glob against the first (slashes in glob + 1) path elements of target."""
    n = glob.count("/")
    parts = target.split("/")
    if len(parts) <= n:
        return False
    return path_match(glob, "/".join(parts[: n + 1]))


def match_prefix_patterns(value: str, target: str) -> bool:
    """module.MatchPrefixPatterns(value, target)."""
    return any(match_glob(g, target) for g in globs(value))


def matching_glob(value: str, target: str) -> str | None:
    for g in globs(value):
        if match_glob(g, target):
            return g
    return None
