"""The two published layouts of the database, parsed (pure functions of bytes).

v1 (vuln.go.dev since 2023, govulncheck >= 1.0):
    index/db.json       {"modified": "2026-01-02T03:04:05Z"}
    index/modules.json  [{"path": "golang.org/x/text", "vulns": [{"id", "modified", "fixed"}]}]
    ID/<id>.json        one OSV entry
legacy (govulncheck before 1.0, e.g. Debian's 0.0~git20230201):
    index.json          {"golang.org/x/text": "<modified>", ...}
    <module path>.json  an array of the module's OSV entries (upper case escaped as !lower, like the module cache)
    ID/<id>.json, ID/index.json, aliases.json
"""

from __future__ import annotations

import enum
import json
from typing import Any

from gomedic.values import frozen
from gomedic.vulndb.errors import CorruptEntry

DB_INDEX = "index/db.json"
MODULES_INDEX = "index/modules.json"
LEGACY_INDEX = "index.json"


class Layout(enum.Enum):
    V1 = "v1"
    LEGACY = "legacy"


@frozen
class Ref:
    """A vulnerability listed for a module in the v1 index."""

    id: str
    modified: str


def _load(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as e:
        raise CorruptEntry(f"{what}: not valid JSON ({e})") from None


def db_modified(data: bytes) -> str:
    d = _load(data, DB_INDEX)
    if not isinstance(d, dict) or not isinstance(d.get("modified"), str):
        raise CorruptEntry(f"{DB_INDEX}: no \"modified\" time")
    return str(d["modified"])


def modules_v1(data: bytes) -> dict[str, tuple[Ref, ...]]:
    d = _load(data, MODULES_INDEX)
    if not isinstance(d, list):
        raise CorruptEntry(f"{MODULES_INDEX}: not a list of modules")
    out: dict[str, tuple[Ref, ...]] = {}
    for m in d:
        if not isinstance(m, dict) or not isinstance(m.get("path"), str) or not isinstance(m.get("vulns"), list):
            raise CorruptEntry(f"{MODULES_INDEX}: a module without path or vulns: {str(m)[:80]}")
        refs = []
        for v in m["vulns"]:
            if not isinstance(v, dict) or not isinstance(v.get("id"), str):
                raise CorruptEntry(f"{MODULES_INDEX}: module {m['path']}: a vuln without id")
            refs.append(Ref(v["id"], str(v.get("modified", ""))))
        out[m["path"]] = out.get(m["path"], ()) + tuple(refs)
    return out


def modules_legacy(data: bytes) -> dict[str, str]:
    d = _load(data, LEGACY_INDEX)
    if not isinstance(d, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in d.items()):
        raise CorruptEntry(f"{LEGACY_INDEX}: not a map of module path to modified time")
    return dict(d)


def legacy_modified(index: dict[str, str]) -> str:
    return max(index.values(), default="")


def escape_path(module: str) -> str:
    """golang.org/x/mod/module.EscapePath for the legacy <module>.json file name: upper case -> !lower."""
    return "".join("!" + c.lower() if c.isupper() else c for c in module)


def entry_file(eid: str) -> str:
    if not eid or "/" in eid or eid.startswith("."):
        raise CorruptEntry(f"vulnerability id {eid!r} cannot name a file")
    return f"ID/{eid}.json"


def module_file(module: str) -> str:
    if not module or module.startswith("/") or ".." in module.split("/"):
        raise CorruptEntry(f"module path {module!r} cannot name a file")
    return escape_path(module) + ".json"
