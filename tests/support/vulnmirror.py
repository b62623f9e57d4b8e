"""A local Go vulnerability database mirror, in both published layouts, from the real stored entries.

    root = build_mirror(tmp_path / "db")         # file:///<root> works for gomedic and Debian's govulncheck
    root = build_mirror(dir, ids={"GO-2021-0113"}, modified="2026-01-01T00:00:00Z")

Each ID/<id>.json is the stored file byte for byte (tests/vulns/data/osv, from golang/vulndb). The v1
indexes (index/db.json, index/modules.json, index/vulns.json) and the older layout's (index.json,
<module>.json arrays, ID/index.json, aliases.json) are derived from them as vulndb's tooling derives them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "vulns" / "data" / "osv"


def _semver_key(v: str) -> tuple[int, ...]:
    core = v.split("-")[0].split("+")[0]
    return tuple(int(x) for x in core.split(".") if x.isdigit())


def stored_ids() -> list[str]:
    return sorted(p.stem for p in DATA.glob("*.json"))


def build_mirror(root: Path, ids: Iterable[str] | None = None, modified: str | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "ID").mkdir(exist_ok=True)
    (root / "index").mkdir(exist_ok=True)
    chosen = sorted(ids) if ids is not None else stored_ids()
    entries = []
    for eid in chosen:
        src = DATA / f"{eid}.json"
        shutil.copyfile(src, root / "ID" / f"{eid}.json")
        entries.append(json.loads(src.read_bytes()))
    newest = modified or max(e["modified"] for e in entries)
    mods: dict[str, list[dict[str, str]]] = {}
    by_mod: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        for a in e["affected"]:
            name = a["package"]["name"]
            fixed = [ev["fixed"] for r in a.get("ranges", []) for ev in r["events"] if "fixed" in ev]
            ref = {"id": e["id"], "modified": e["modified"]}
            if fixed:
                ref["fixed"] = max(fixed, key=_semver_key)
            if not any(r["id"] == e["id"] for r in mods.get(name, [])):
                mods.setdefault(name, []).append(ref)
                by_mod.setdefault(name, []).append(e)
    (root / "index" / "db.json").write_text(json.dumps({"modified": newest}))
    (root / "index" / "modules.json").write_text(json.dumps([{"path": m, "vulns": v} for m, v in sorted(mods.items())]))
    (root / "index" / "vulns.json").write_text(json.dumps(
        [{"id": e["id"], "modified": e["modified"], "aliases": e.get("aliases", [])} for e in entries]))
    # the older layout
    (root / "index.json").write_text(json.dumps({m: max(x["modified"] for x in v) for m, v in by_mod.items()}))
    for m, es in by_mod.items():
        f = root / (m + ".json")
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(es))
    (root / "ID" / "index.json").write_text(json.dumps(chosen))
    aliases: dict[str, list[str]] = {}
    for e in entries:
        for al in e.get("aliases", []):
            aliases.setdefault(al, []).append(e["id"])
    (root / "aliases.json").write_text(json.dumps(aliases))
    return root
