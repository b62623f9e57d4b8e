"""Redaction, in one place: every renderer sees a report that went through `redact_report`.

What is hidden: credentials in URLs (`https://user:token@proxy` -> `https://user:***@proxy`), the values
of variables named like *TOKEN*, *SECRET*, *PASSWORD*, *KEY* (and GOAUTH), wherever they appear in
evidence, summaries and fixes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from gomedic.model import frozen_map

if TYPE_CHECKING:
    from gomedic.model import Report, Result

MASK = "***"
SECRET_NAME = re.compile(r"(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|_KEY$|^KEY$|AUTH|CREDENTIAL)", re.I)
_URL_CREDS = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<user>[^/@:\s'\"]*):(?P<pw>[^/@\s'\"]+)@")
_URL_TOKEN = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<tok>[^/@:\s'\"]{16,})@")
_ASSIGN = re.compile(r"\b(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<val>\"[^\"]*\"|'[^']*'|[^\s,;]*)")


def is_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and name.upper() not in _NOT_SECRET


# Go settings whose names match the pattern but hold no secret.
_NOT_SECRET = frozenset({"GONOSUMDB", "GOSUMDB", "GOTOOLCHAIN"})


def redact_text(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Hide URL credentials, NAME=value assignments of secret-looking names, and known secret values."""
    if not text:
        return text
    text = _URL_CREDS.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    text = _URL_TOKEN.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    text = _ASSIGN.sub(lambda m: f"{m['name']}={MASK}" if is_secret_name(m["name"]) and m["val"] else m.group(0), text)
    for s in secrets:
        if len(s) >= 4:
            text = text.replace(s, MASK)
    return text


def redact_mapping(items: Mapping[str, str], secrets: tuple[str, ...] = ()) -> dict[str, str]:
    return {k: (MASK if is_secret_name(k) and v else redact_text(v, secrets)) for k, v in items.items()}


def redact_result(r: Result, secrets: tuple[str, ...] = ()) -> Result:
    return replace(
        r,
        summary=redact_text(r.summary, secrets),
        subject=redact_text(r.subject, secrets) if r.subject else r.subject,
        evidence=frozen_map(redact_mapping(r.evidence, secrets)),
        fix=redact_text(r.fix, secrets) if r.fix else r.fix,
    )


def _redact_any(v: object, secrets: tuple[str, ...]) -> object:
    if isinstance(v, str):
        return redact_text(v, secrets)
    if isinstance(v, Mapping):
        return {k: (MASK if isinstance(k, str) and is_secret_name(k) and v2 else _redact_any(v2, secrets))
                for k, v2 in v.items()}
    if isinstance(v, (list, tuple)):
        return [_redact_any(x, secrets) for x in v]
    return v


def redact_report(report: Report, secrets: tuple[str, ...] = ()) -> Report:
    ctx = _redact_any(dict(report.context), secrets)
    return replace(
        report,
        results=tuple(redact_result(r, secrets) for r in report.results),
        context=ctx if isinstance(ctx, dict) else {},
    )
