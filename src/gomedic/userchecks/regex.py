"""Regular expressions of check files (`matches:`), in linear time: RE2 (google-re2), never Python's `re`.

A check file is input gomedic does not control, matched against output it does not control (a command's
stdout, an HTTP body): with backtracking, `^(a+)+$` against `"a"*30 + "!"` runs for hours. RE2 matches in
time linear in the text, so a match ends within the check's timeout. RE2 rejects what needs backtracking
(backreferences `\\1`, lookaround `(?=`, `(?!`, `(?<=`, possessive and atomic groups): `gomedic validate`
reports such a pattern at its file:line:column, before any check runs.

Syntax is RE2's (https://github.com/google/re2/wiki/Syntax), which for everyday patterns is Python's:
classes, `\\d \\w \\s \\b` (ASCII), `(?i)`, named groups `(?P<name>...)`, non-greedy `*?`. `^` and `$` match
at line boundaries (multi-line mode), as before.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MAX_PATTERN = 4096  # characters; RE2's own memory limit (8 MiB per program) bounds what it compiles
_FLAGS = "(?m)"


class PatternError(ValueError):
    pass


def _options() -> Any:
    import re2

    o = re2.Options()
    o.log_errors = False  # RE2 would print its own copy of the error to stderr
    return o


@lru_cache(maxsize=256)
def compile_pattern(pattern: str) -> Any:
    """The compiled RE2 pattern; PatternError with RE2's reason when it cannot be matched in linear time."""
    import re2

    if len(pattern) > MAX_PATTERN:
        raise PatternError(f"the pattern is longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(_FLAGS + pattern, _options())
    except UnicodeEncodeError:  # a lone surrogate ("\ud800" in YAML): RE2 reads UTF-8
        raise PatternError("the pattern holds a lone surrogate (not UTF-8)") from None
    except re2.error as e:
        reason = e.args[0] if e.args else e
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"{reason} (patterns use RE2 syntax, matched in linear time: no backreferences or "
                           "lookaround)") from None


def search(pattern: str, text: str) -> bool:
    compiled = compile_pattern(pattern)
    try:
        return compiled.search(text) is not None
    except UnicodeEncodeError:  # lone surrogates (undecodable bytes kept by surrogateescape)
        return compiled.search(text.encode("utf-8", "replace").decode("utf-8")) is not None
