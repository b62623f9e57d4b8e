"""Go's strconv.Quote / Unquote / QuotedPrefix for build-info settings, byte for byte.

Strings carry raw bytes as surrogate escapes (decode with "surrogateescape"), so invalid UTF-8 is
quoted as `\\xNN` exactly as Go does.
"""

from __future__ import annotations

_SIMPLE = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}
_UNESC = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"', "'": "'"}


def quote(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:  # a raw byte that was not valid UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif ch in _SIMPLE:
            out.append(_SIMPLE[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append('"')
    return "".join(out)


def quoted_prefix(s: str) -> str | None:
    """The quoted string at the start of s (with its quotes), or None if there is none."""
    if not s or s[0] not in "\"`":
        return None
    q = s[0]
    i = 1
    while i < len(s):
        c = s[i]
        if q == '"' and c == "\\":
            i += 2
            continue
        if q == '"' and c == "\n":
            return None
        if c == q:
            prefix = s[: i + 1]
            return prefix if unquote(prefix) is not None else None
        i += 1
    return None


def unquote(s: str) -> str | None:
    """The value of a Go quoted string, or None when it is not one (strconv.ErrSyntax)."""
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"`":
        return None
    body = s[1:-1]
    if s[0] == "`":
        return None if "`" in body else body.replace("\r", "")
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == '"' or c == "\n":
            return None
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(body):
            return None
        e = body[i + 1]
        if e in _UNESC and e != "'":
            out.append(_UNESC[e])
            i += 2
        elif e in "xuU":
            n = {"x": 2, "u": 4, "U": 8}[e]
            digits = body[i + 2 : i + 2 + n]
            if len(digits) != n or any(d not in "0123456789abcdefABCDEF" for d in digits):
                return None
            v = int(digits, 16)
            if e == "x":
                out.append(chr(v) if v < 0x80 else chr(0xDC00 + v))
            elif v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                return None
            else:
                out.append(chr(v))
            i += 2 + n
        elif e in "01234567":
            digits = body[i + 1 : i + 4]
            if len(digits) != 3 or any(d not in "01234567" for d in digits) or int(digits, 8) > 255:
                return None
            v = int(digits, 8)
            out.append(chr(v) if v < 0x80 else chr(0xDC00 + v))
            i += 4
        else:
            return None
    return "".join(out)
