"""JSON with comments (VS Code's settings.json, launch.json): pure.

VS Code accepts `//` and `/* */` comments and trailing commas before `}` or `]`. This reader strips
those outside strings and hands the rest to `json`. Anything else malformed raises FormatError with a
line number; nothing is evaluated.
"""

from __future__ import annotations

import json

from gomedic.errors import FormatError
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

MAX_JSONC = 4 << 20
MAX_DEPTH = 64


def strip(text: str) -> str:
    """The text with comments blanked out (newlines kept, so line numbers stay right) and trailing commas
    dropped."""
    out: list[str] = []
    i, n = 0, len(text)
    pending_comma: int | None = None  # index in out of a comma that may turn out to be trailing
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                if text[j] == "\n":
                    break
                j += 2 if text[j] == "\\" else 1
            j = min(j, n - 1)
            out.append(text[i : j + 1])
            pending_comma = None
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise FormatError(f"line {text.count(chr(10), 0, i) + 1}: unterminated /* comment")
            out.append("\n" * text.count("\n", i, j))
            i = j + 2
        elif c == ",":
            pending_comma = len(out)
            out.append(c)
            i += 1
        elif c in "}]":
            if pending_comma is not None:
                out[pending_comma] = " "
            pending_comma = None
            out.append(c)
            i += 1
        else:
            if not c.isspace():
                pending_comma = None
            out.append(c)
            i += 1
    return "".join(out)


def _depth(v: Any, d: int = 0) -> int:
    if d > MAX_DEPTH:
        return d
    if isinstance(v, dict):
        return max((_depth(x, d + 1) for x in v.values()), default=d + 1)
    if isinstance(v, list):
        return max((_depth(x, d + 1) for x in v), default=d + 1)
    return d


def loads(text: str) -> Any:
    """Parse JSONC text; FormatError (with a line number) when it is not valid."""
    if len(text) > MAX_JSONC:
        raise FormatError(f"larger than {MAX_JSONC >> 20} MiB")
    if text.startswith("\ufeff"):
        text = text[1:]
    cleaned = strip(text)
    if not cleaned.strip():
        return {}
    if cleaned.count("[") + cleaned.count("{") > 100_000:
        raise FormatError("too deeply nested or too many containers")
    try:
        value = json.loads(cleaned)
    except RecursionError:
        raise FormatError("nested too deeply") from None
    except ValueError as e:
        lineno = getattr(e, "lineno", 0)
        msg = getattr(e, "msg", str(e))
        raise FormatError(f"line {lineno}: {msg}") from None
    if _depth(value) > MAX_DEPTH:
        raise FormatError("nested too deeply")
    return value
