"""SARIF 2.1.0 for code scanning: one run, a rule per check, a result per problem tied to a file.

Only warn, fail and error results that name a file become SARIF results (GitHub drops results without a
location). The file is the result's own `file` and `line`, set by the check that read it (CONTRIBUTING.md,
"Results that name a file"); nothing here guesses it from the evidence. Absolute paths become `file://`
URIs; relative paths stay relative (to the directory gomedic ran in, usually the repository root).

Rules carry the check's title and its `gomedic explain` text as help. Fingerprints are a hash of check id,
subject, file and line (never of the summary, which names changing values), so an alert keeps its identity
across runs while the problem lasts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from gomedic import __version__
from gomedic.model import Severity, Status

if TYPE_CHECKING:
    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://github.com/gomedic/gomedic"
FINGERPRINT_KEY = "gomedic/v1"
LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}
PROBLEM = {
    Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning",
    Severity.LOW: "recommendation", Severity.INFO: "recommendation",
}
MAX_TEXT = 1024  # GitHub's limit for fullDescription


def location_of(r: Result) -> tuple[str, int | None] | None:
    """(path, line) a result is about, or None when it names no file (the check sets them: Result.file/line)."""
    return (r.file, r.line) if r.file else None


def to_uri(path: str) -> str:
    if path.startswith("/"):
        return "file://" + quote(path, safe="/-._~")
    return quote(str(PurePosixPath(path)), safe="/-._~")


def fingerprint(r: Result, path: str, line: int | None) -> str:
    key = "\x00".join([r.id, r.subject or "", path, str(line or 0)])
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "…"


def _doc(check_id: str, area: str) -> str:
    """The check's docstring (`gomedic explain`), when its module can be loaded; else ""."""
    try:
        from gomedic.registry import REGISTRY, load_areas

        if check_id not in REGISTRY:
            load_areas([area])
        return REGISTRY.get(check_id).doc if check_id in REGISTRY else ""
    except Exception:  # a custom check, or an area module that is not there: the title is the help
        return ""


def _rule(r: Result) -> dict[str, Any]:
    doc = _doc(r.id, r.area) or r.title
    first = doc.split("\n\n", 1)[0].replace("\n", " ")
    return {
        "id": r.id,
        "name": "".join(p.capitalize() for p in r.id.replace(".", "-").split("-")),
        "shortDescription": {"text": _clip(r.title)},
        "fullDescription": {"text": _clip(first)},
        "help": {"text": doc, "markdown": f"**{r.title}**\n\n{doc}\n\nRun `gomedic explain {r.id}` for more."},
        "defaultConfiguration": {"level": "error" if r.severity.rank >= Severity.HIGH.rank else "warning"},
        "properties": {
            "tags": list(dict.fromkeys([r.area, r.category.value])),
            "problem.severity": PROBLEM[r.severity],
        },
    }


def _message(r: Result) -> str:
    parts = [r.summary]
    if r.fix:
        parts.append(f"Fix: {r.fix}")
    return "\n".join(parts)


def _result(r: Result, rule_index: int, path: str, line: int | None) -> dict[str, Any]:
    phys: dict[str, Any] = {"artifactLocation": {"uri": to_uri(path)}}
    if line is not None:
        phys["region"] = {"startLine": line}
    out: dict[str, Any] = {
        "ruleId": r.id,
        "ruleIndex": rule_index,
        "level": "note" if r.shadow else LEVEL[r.status],
        "message": {"text": _message(r)},
        "locations": [{"physicalLocation": phys}],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(r, path, line)},
        "properties": {"status": r.status.value, "severity": r.severity.value, "evidence": dict(r.evidence)},
    }
    if r.subject:
        out["properties"]["subject"] = r.subject
    if r.shadow:
        out["properties"]["shadow"] = True
    return out


def to_sarif(report: Report) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for r in report.results:
        if r.status not in LEVEL:
            continue
        loc = location_of(r)
        if loc is None:
            continue
        if r.id not in index:
            index[r.id] = len(rules)
            rules.append(_rule(r))
        results.append(_result(r, index[r.id], *loc))
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gomedic", "semanticVersion": __version__, "version": __version__,
                                "informationUri": INFO_URI, "rules": rules}},
            "automationDetails": {"id": f"gomedic/{report.command}/"},
            "invocations": [{"executionSuccessful": report.exit != 3, "exitCode": report.exit,
                             "startTimeUtc": report.started_at}],
            "results": results,
        }],
    }


def render(report: Report, opts: RenderOptions) -> str:
    text = json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
    return text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates (undecodable names) -> "?"
