"""Which names hold secrets, and the secret values of Go linker `-X` flags and secret-named argv flags.

A name is secret when one of its words says so (TOKEN, SECRET, PASSWORD, PASSWD, PASSPHRASE, AUTH,
CREDENTIAL, API/PRIVATE/ACCESS KEY, a trailing `_KEY`, `_PASS` or `_PWD`), whatever its spelling: an
environment variable (`DB_PASS`), a flag (`--db-password`), a Go symbol (`main.apiKey`, `dbPwd`). A field
called `key` or `name` is not a secret: what it names is evidence (a sysctl name, a GOENV key), and a
secret-looking name that holds a file, a path, a URL or a mode (`TOKEN_FILE`, `--password-file`,
`--auth-mode`) is not one either. `PWD` and `OLDPWD` are working directories.

Argv flags are masked by name with a value after `=` or a space (`--password X`, `--token=X`,
`-db-password X`); a space-separated value that starts with `-` is the next flag, not a value. Short
flags (`-p`) are never masked: `-p 8080` is a port far more often than a password.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from gomedic.lazyre import LazyRegex

_SECRET_WORD = LazyRegex(
    r"TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY|AUTH(?!OR)"
    r"|CREDENTIAL|_KEY$|_PASS$|_PWD$")
# Names that hold where a secret is, or how it is used, not the secret itself.
_NOT_SECRET_SUFFIX = LazyRegex(
    r"_(FILE|FILES|PATH|DIR|SOCK|SOCKET|URL|URI|ENDPOINT|HOST|MODE|TYPE|METHOD|PROVIDER|ENABLED|REQUIRED"
    r"|HEADER|TTL|TIMEOUT)$")
_NOT_SECRET_PREFIX = ("NO_", "DISABLE_", "ENABLE_", "SKIP_", "ALLOW_", "REQUIRE_", "USE_", "WITH_", "WITHOUT_")
# Go settings whose names match the pattern but hold no secret.
_NOT_SECRET = frozenset({"GONOSUMDB", "GOSUMDB", "GOTOOLCHAIN", "XAUTHORITY"})
_CAMEL = LazyRegex(r"(?<=[a-z0-9])(?=[A-Z])")
_VAR_NAME = LazyRegex(r"^[A-Za-z_][A-Za-z0-9_]*$")


def has_hint(lower: str) -> bool:
    """Cheap pre-filter on a lower-cased text: without one of these words it holds no secret-named
    assignment, flag or symbol (a chain of `in`, faster than any regex on the ~13,000 strings of a scan)."""
    return ("tok" in lower or "pass" in lower or "key" in lower or "secr" in lower or "auth" in lower
            or "pwd" in lower or "cred" in lower)


@lru_cache(maxsize=4096)
def normal_name(name: str) -> str:
    """`dbPassword`, `db-password`, `db.password` -> `DB_PASSWORD`."""
    return _CAMEL.sub("_", name).replace("-", "_").replace(".", "_").upper().strip("_")


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    n = normal_name(name)
    if not n or n in _NOT_SECRET or n.startswith(_NOT_SECRET_PREFIX) or _NOT_SECRET_SUFFIX.search(n):
        return False
    return bool(_SECRET_WORD.search(n))


@lru_cache(maxsize=4096)
def is_secret_var(key: str) -> bool:
    """An evidence or context key that is a variable name holding a secret (`FOO_TOKEN`, `GOAUTH`, also
    qualified: `GOAUTH (GOENV file)`); keys that describe evidence (`key`, `name`, `GOENV key`, `sysctl`)
    never are."""
    word = key.split(" ", 1)[0]
    return bool(_VAR_NAME.match(word)) and is_secret_name(word)


# ---- -X importpath.name=value (go build -ldflags, GOFLAGS) ----------------------------------------------

# The -X flag of the Go linker, alone or inside -ldflags, quoted or not: `-X main.apiKey=v`, `-X=main.k=v`,
# `-X 'main.k=v w'`. The symbol is bounded and holds no `=`, quote or space: one pass, no backtracking.
_BARE_VALUE = LazyRegex(r"[^\s'\"]*")
_XFLAG = LazyRegex(r"(?<![\w-])-X(?:=|[ \t]+)(?P<q>['\"]?)(?P<sym>[^\s='\"]{1,512})=")


def _xflags(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of the value of every secret-named -X symbol in `text`."""
    for m in _XFLAG.finditer(text):
        name = re.split(r"[./]", m["sym"])[-1]
        if not is_secret_name(name):
            continue
        start = m.end()
        yield start, _value_end(text, start, m["q"])


def _value_end(text: str, start: int, quote: str) -> int:
    """Where a value starting at `start` ends: at `quote` if it was opened by one, else at a space or quote
    (a value starting with a quote runs to its closing quote)."""
    if not quote and start < len(text) and text[start] in "'\"":
        quote, start = text[start], start + 1
    if quote:
        end = text.find(quote, start)
        return len(text) if end < 0 else end
    m = _BARE_VALUE.compiled.match(text, start)
    return m.end() if m else start


def xflag_secrets(text: str) -> list[str]:
    """The values of secret-named -X symbols in a GOFLAGS or -ldflags value."""
    return [text[a:b].strip("'\"") for a, b in _xflags(text) if b > a]


# ---- --password X, --token=X (command lines: ExecStart, a process's argv, a check's command) ------------

# Only flags whose name holds a hint are candidates: the scan skips ordinary flags without a Python call.
_FLAG = LazyRegex(r"(?<![\w-])--?(?=[A-Za-z])(?P<name>[\w.-]{0,40}?(?:tok|secr|pass|pwd|key|auth|cred)[\w.-]{0,40})"
                  r"(?P<sep>=|[ \t]+)(?P<q>['\"]?)", re.I)


def _argv_flags(text: str) -> Iterator[tuple[int, int]]:
    for m in _FLAG.finditer(text):
        if not is_secret_name(m["name"]):
            continue
        start = m.end()
        if m["sep"] != "=" and not m["q"] and text.startswith("-", start):
            continue  # `--no-auth --port 80`: the next flag, not a value
        yield start, _value_end(text, start, m["q"])


def _mask_spans(text: str, spans: Callable[[str], Iterator[tuple[int, int]]], mask: str) -> str:
    out: list[str] = []
    pos = 0
    for a, b in spans(text):
        if b <= a or a < pos:
            continue
        out += [text[pos:a], mask]
        pos = b
    return "".join(out) + text[pos:] if out else text


def mask_xflags(text: str, mask: str) -> str:
    if "-X" not in text or _XFLAG.search(text) is None:  # one scan in C for the common case
        return text
    return _mask_spans(text, _xflags, mask)


def mask_argv_flags(text: str, mask: str) -> str:
    if "-" not in text or _FLAG.search(text) is None:
        return text
    return _mask_spans(text, _argv_flags, mask)
