"""Redaction, in one place: every renderer sees a report that went through `redact_report`.

What is hidden, in summaries, titles, subjects, evidence, fixes and the report context:

- credentials in URLs (`https://user:token@proxy` -> `https://user:***@proxy`), with or without a
  scheme in the host lists GOPROXY, GONOPROXY, GONOSUMDB, GOPRIVATE, GOINSECURE, GOSUMDB;
- the values of secret-named variables (gomedic.secretnames: *TOKEN*, *SECRET*, *PASSWORD*, *AUTH*,
  *CREDENTIAL*, *API_KEY*, *_KEY, *_PASS, *_PWD, ...; GOAUTH included) as `NAME=value` assignments and
  as evidence/context entries of that name;
- the values of secret-named Go linker symbols (`-X main.apiKey=...`, in GOFLAGS, -ldflags, quoted or not)
  and of secret-named command-line flags (`--password X`, `--token=X`, `-db-password X`; never `-p`);
- known secret values wherever they appear verbatim (also cut short by `...`): values of such variables
  in the environment, the commands of GOAUTH, -X values in GOFLAGS, URL passwords in GO* host lists and
  proxy variables (environment and GOENV file), the login/password/account tokens of ~/.netrc (or $NETRC),
  and values `remember`ed by the code that used them (a check file's variables filled from a secret-named
  environment variable). The .netrc file is read here only to know what to hide; `netrc_machines` is the
  only reader that returns anything from it: machine names.

Field names are never secrets: evidence keys such as `key`, `name`, `GOENV key` or `sysctl` describe
evidence (a sysctl name, a GOENV key) and are shown. What is masked is decided by what a value is.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from gomedic import safeio
from gomedic.lazyre import LazyRegex
from gomedic.model import frozen_map
from gomedic.secretnames import (
    has_hint,
    is_secret_name,
    is_secret_var,
    mask_argv_flags,
    mask_xflags,
    xflag_secrets,
)
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import replace

if TYPE_CHECKING:
    from gomedic.model import Report, Result

MASK = "***"
# A scheme starts a word (the lookbehind) and is short: linear time on hostile input (long letter runs).
_SCHEME = r"(?P<scheme>(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]{0,31}://)"
_URL_CREDS = LazyRegex(_SCHEME + r"(?P<user>[^/@:\s'\"]*):(?P<pw>[^/@\s'\"]+)@")
_URL_TOKEN = LazyRegex(_SCHEME + r"(?P<tok>[^/@:\s'\"]{16,})@")
# user:password@host without a scheme (a GONOSUMDB/GOPRIVATE entry written like a URL).
_BARE_CREDS = LazyRegex(r"(?<![\w.~%+/:@-])(?P<user>[\w.~%+-]+):(?P<pw>[^\s@/,|'\":]+)@(?=[\w-]+(\.[\w-]+)+)")
_ASSIGN = LazyRegex(r"\b(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<val>\"[^\"]*\"|'[^']*'|[^\s,;]*)")
_NETRC_PAIR = LazyRegex(r"\b(?P<kw>password|passwd|account|login)(?P<sp>\s+)(?P<val>\S+)")
# a netrc record: `machine HOST` (or `default`) followed by its login/password/account pairs
_NETRC_RECORD = LazyRegex(
    r"\b(?:machine[ \t\r\n]+\S+|default)(?:[ \t\r\n]+(?:login|password|passwd|account)[ \t\r\n]+\S+)+"
)

# "password hunter2" in prose; not the file /etc/passwd ("/etc/passwd holds no ..." is not a secret)
_PASSWORD_WORD = LazyRegex(r"(?<![\w/.-])(password|passwd)([ \t]+)(?!\*\*\*)(\S+)")

# Settings holding lists of hosts or URLs: userinfo in any element is a credential.
HOST_LISTS = frozenset({"GOPROXY", "GONOPROXY", "GONOSUMDB", "GOPRIVATE", "GOINSECURE", "GOSUMDB", "GOAUTH",
                        "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"})
# GOAUTH words that are keywords, not secrets.
_GOAUTH_WORDS = frozenset({"off", "netrc", "git"})
MIN_SECRET = 4  # shorter known values are not masked verbatim (they would mask ordinary words)
MIN_ENV_SECRET = 6
CUT_WINDOW = 128
_ELLIPSIS = LazyRegex(r"\.\.\.")
MAX_NETRC = 1 << 20
# An evidence entry naming a variable (`key: FOO_TOKEN`) makes the entries holding its value secret.
_NAMING_FIELDS = ("key", "var", "variable", "name")
_VALUE_FIELDS = frozenset({"value", "file value", "environment value"})
MAX_NESTED = 4  # `GOFLAGS=-toolexec=FOO_TOKEN=x`: assignments inside a non-secret value, this deep
_remembered: set[str] = set()
MAX_REMEMBERED = 4096  # a long-running exporter re-reads units and processes: bounded


def remember(values: Iterable[str]) -> None:
    """Values that must be hidden in this process's output from now on (a check file's variable filled
    from a secret-named environment variable, substituted into argv, URLs, titles...)."""
    for v in values:
        if len(v) >= MIN_SECRET and len(_remembered) < MAX_REMEMBERED:
            _remembered.add(v)


def remembered() -> tuple[str, ...]:
    return tuple(_remembered)


def _assign(text: str, depth: int = 0) -> str:
    def one(m: re.Match[str]) -> str:
        if m["val"] in ("", "''", '""'):  # an empty value hides nothing (`GOAUTH=''` of an older go)
            return m.group(0)
        if is_secret_name(m["name"]):
            val = m["val"]
            closing = val[len(val.rstrip("'\"")):] if val[0] not in "'\"" else ""  # of an enclosing quote
            return f"{m['name']}={MASK}{closing}"
        if depth < MAX_NESTED and "=" in m["val"]:
            return f"{m['name']}={_assign(m['val'], depth + 1)}"
        return m.group(0)

    return _ASSIGN.sub(one, text)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Hide URL credentials, NAME=value assignments of secret-looking names, netrc tokens and known values."""
    if not text:
        return text
    # Each pattern runs only when its anchor is in the text: a 2,000-result binary scan redacts ~13,000
    # strings, and almost none of them contain `@`, `=` or `pass`.
    if "@" in text:
        if "://" in text:
            text = _URL_CREDS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
            text = _URL_TOKEN.sub(lambda m: f"{m['scheme']}{MASK}@", text)
        text = _BARE_CREDS.sub(lambda m: f"{m['user']}:{MASK}@", text)
    lower = text.lower()
    if has_hint(lower):  # every secret name holds one of these words
        text = mask_xflags(text, MASK)
        text = mask_argv_flags(text, MASK)
        if "=" in text:
            text = _assign(text)
    if "machine" in lower or "default" in lower:
        text = _NETRC_RECORD.sub(lambda m: _NETRC_PAIR.sub(lambda p: f"{p['kw']}{p['sp']}{MASK}", m.group(0)), text)
    if "passw" in lower:
        text = _PASSWORD_WORD.sub(lambda m: f"{m[1]}{m[2]}{MASK}", text)
    for sec in _by_length(tuple(secrets)):
        if sec in text:
            text = text.replace(sec, MASK)
        if "..." in text:
            text = _cut_short(text, sec)
    return text


def _cut_short(text: str, sec: str) -> str:
    """Mask the start of `sec` where output was cut short right after it (`abcd...` of a long value shown
    to 120 characters). Only the last CUT_WINDOW characters before each `...` are looked at."""
    head4 = sec[:MIN_SECRET]
    out, pos = [], 0
    for m in _ELLIPSIS.finditer(text):
        head = text[pos:m.start()]
        lo = max(0, len(head) - CUT_WINDOW)
        i = head.find(head4, lo)
        while i >= 0:
            if sec.startswith(head[i:]):
                head = head[:i] + MASK
                break
            i = head.find(head4, i + 1)
        out.append(head + "...")
        pos = m.end()
    return "".join(out) + text[pos:]


@lru_cache(maxsize=64)
def _by_length(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Known secret values worth masking, longest first (so a secret containing another is masked whole)."""
    return tuple(sorted({x for x in secrets if len(x) >= MIN_SECRET}, key=len, reverse=True))


def redact_value(key: str, value: str, secrets: Iterable[str] = ()) -> str:
    """One setting's value as it may be shown: masked entirely for secret names, userinfo hidden in host lists."""
    if is_secret_var(key) and value:
        return MASK
    return redact_text(value, secrets)


def redact_mapping(items: Mapping[str, str], secrets: Iterable[str] = ()) -> dict[str, str]:
    s = tuple(secrets)
    named = False
    for f in _NAMING_FIELDS:
        v = items.get(f)
        if isinstance(v, str) and is_secret_name(v):
            named = True
    return {k: MASK if named and k in _VALUE_FIELDS and v else redact_value(k, v, s) for k, v in items.items()}


def redact_result(r: Result, secrets: Iterable[str] = ()) -> Result:
    s = tuple(secrets)
    return replace(
        r,
        title=redact_text(r.title, s),
        summary=redact_text(r.summary, s),
        subject=redact_text(r.subject, s) if r.subject else r.subject,
        evidence=frozen_map(redact_mapping(r.evidence, s)),
        fix=redact_text(r.fix, s) if r.fix else r.fix,
        file=redact_text(r.file, s) if r.file else r.file,
    )


def _redact_any(v: object, secrets: tuple[str, ...]) -> object:
    if isinstance(v, str):
        return redact_text(v, secrets)
    if isinstance(v, Mapping):
        return {k: (MASK if isinstance(k, str) and is_secret_var(k) and v2 else _redact_any(v2, secrets))
                for k, v2 in v.items()}
    if isinstance(v, (list, tuple)):
        return [_redact_any(x, secrets) for x in v]
    return v


class _Memo(dict[str, str]):
    """redact_text and redact_mapping over one report, each distinct string redacted once: a 2,000-result
    binary scan repeats its titles, evidence values (architectures, versions, library names) and most
    summaries hundreds of times. A result with nothing to hide is kept as it is (no copy). A dict whose
    missing keys are redacted on first use: a repeated string costs one lookup, no Python call."""

    __slots__ = ("secrets",)

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self.secrets = secrets

    def __missing__(self, t: str) -> str:
        out = self[t] = redact_text(t, self.secrets)
        return out

    def mapping(self, items: Mapping[str, str]) -> Mapping[str, str]:
        named = not items.keys().isdisjoint(_NAMING_FIELDS) and any(
            isinstance(v, str) and is_secret_name(v) for f in _NAMING_FIELDS if (v := items.get(f)))
        out = {k: MASK if v and ((named and k in _VALUE_FIELDS) or is_secret_var(k)) else self[v]
               for k, v in items.items()}
        return items if out == items else frozen_map(out)

    def result(self, r: Result) -> Result:
        title, summary, evidence = self[r.title], self[r.summary], self.mapping(r.evidence)
        subject = self[r.subject] if r.subject else r.subject
        fix = self[r.fix] if r.fix else r.fix
        if (title, summary, subject, fix) == (r.title, r.summary, r.subject, r.fix) and evidence is r.evidence:
            return r
        return replace(r, title=title, summary=summary, subject=subject, evidence=evidence, fix=fix)


def redact_report(report: Report, secrets: Iterable[str] | None = None) -> Report:
    """The report with every secret hidden; `secrets=None` means the secrets known on this machine."""
    s = known_secrets() if secrets is None else tuple(secrets)
    ctx = _redact_any(dict(report.context), s)
    memo = _Memo(s)
    return replace(
        report,
        results=tuple(memo.result(r) for r in report.results),
        context=ctx if isinstance(ctx, dict) else {},
    )


# ---- what counts as a known secret on this machine ------------------------------------------------------

def url_secrets(value: str) -> list[str]:
    """Passwords and token-like user names in the userinfo of every URL or host in `value`."""
    out: list[str] = []
    for m in _URL_CREDS.finditer(value):
        out.append(m["pw"])
        if len(m["user"]) >= 16:
            out.append(m["user"])
    out += [m["tok"] for m in _URL_TOKEN.finditer(value)]
    for m in _BARE_CREDS.finditer(value):
        out.append(m["pw"])
    return out


def goauth_secrets(value: str) -> list[str]:
    """GOAUTH is `;`-separated commands (`netrc`, `git DIR`, `CMD ARGS...`): each command is a secret, as is
    every long word of it that is not a path (a token passed as an argument)."""
    out: list[str] = []
    for cmd in value.split(";"):
        c = cmd.strip()
        if not c or c in _GOAUTH_WORDS:
            continue
        out.append(c)
        out += [w for w in c.split() if len(w) >= 12 and "/" not in w]
    return out


def netrc_tokens(text: str) -> list[tuple[str, str]]:
    """(keyword, value) pairs of a .netrc text, as the netrc grammar tokenizes it (macdef bodies skipped)."""
    toks = text.split()
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(toks):
        kw = toks[i]
        if kw == "macdef":
            break  # a macro body runs to a blank line; nothing after it is parsed by most readers either
        if kw in ("machine", "login", "password", "account") and i + 1 < len(toks):
            out.append((kw, toks[i + 1]))
            i += 2
            continue
        i += 1
    return out


def netrc_machines(text: str) -> list[str]:
    """The machine names of a .netrc text: all gomedic ever reports from that file."""
    return [v for k, v in netrc_tokens(text) if k == "machine"]


def netrc_secrets(text: str) -> list[str]:
    return [v for k, v in netrc_tokens(text) if k in ("password", "account") or (k == "login" and len(v) >= 8)]


def netrc_path(env: Mapping[str, str]) -> str | None:
    if env.get("NETRC"):
        return env["NETRC"]
    home = env.get("HOME", "")
    return os.path.join(home, ".netrc") if home else None


def _read_small(path: str | None) -> str:
    if not path:
        return ""
    try:
        with safeio.open_binary(path) as fh:
            return fh.read(MAX_NETRC).decode("utf-8", "replace")
    except OSError:
        return ""


def _goenv_file_text(env: Mapping[str, str]) -> str:
    from gomedic.facts.envfile import goenv_location

    path, _ = goenv_location(env)
    return _read_small(path) if path else ""


def secrets_in_settings(settings: Mapping[str, str]) -> list[str]:
    """Secret values in a set of variables (an environment, or a GOENV file's entries)."""
    out: list[str] = []
    for k, v in settings.items():
        if not v:
            continue
        if k == "GOAUTH":
            out += goauth_secrets(v)
        elif is_secret_var(k) and len(v) >= MIN_ENV_SECRET:
            out.append(v)
        if "-X" in v:
            out += xflag_secrets(v)
        if k in HOST_LISTS:
            out += url_secrets(v)
    return out


def known_secrets(env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every secret value this machine's settings hold: what must never appear in any output."""
    e = os.environ if env is None else env
    found = secrets_in_settings(e)
    file_settings: dict[str, str] = {}
    for line in _goenv_file_text(e).split("\n"):
        key, sep, val = line.partition("=")
        if sep and key[:1].isupper():
            file_settings[key] = val
    found += secrets_in_settings(file_settings)
    found += netrc_secrets(_read_small(netrc_path(e)))
    found += _remembered
    return tuple(sorted({s for s in found if len(s) >= MIN_SECRET}, key=len, reverse=True))
