"""Findings per binary kept between runs, so re-checking an unchanged fleet reads no function tables.

One file per database cache directory, `scans.json`: {path: {"key": [...], "hits": [...]}}. The key is the
file's identity (device, inode, size, mtime, ctime), the database's modified time and layout, and the
format version: any change to the binary or the database recomputes it. Hits are stored by advisory id and
re-bound to the parsed entries of the current database, so a stored finding can never outlive its entry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from typing import Any

from gomedic.vulndb.cache import Cache
from gomedic.vulndb.osv import Entry
from gomedic.vulndb.scan import Hit, Mod, Reach

FORMAT = 2
FILE = "scans.json"
MAX_PATHS = 20_000


def file_key(path: str, db_key: str, platform: tuple[str, str]) -> list[Any] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [FORMAT, db_key, *platform, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _dump(h: Hit) -> list[Any]:
    return [h.entry.id, h.mod.path, h.mod.version, h.mod.shown, h.fixed, list(h.found), h.reach.value]


def _listed(e: Entry, module: str, goos: str, goarch: str) -> tuple[str, ...]:
    for a in e.affected:
        if a.module == module:
            return tuple(f"{p.path}.{s}" for p in a.packages for s in p.symbols
                         if (not p.goos or goos in p.goos) and (not p.goarch or goarch in p.goarch))
    return ()


class ScanCache:
    def __init__(self, cache: Cache, db_key: str) -> None:
        self.cache = cache
        self.db_key = db_key
        raw = cache.read(FILE)
        data: Any = None
        if raw is not None:
            try:
                data = json.loads(raw)
            except ValueError:
                data = None
        self.rows: dict[str, Any] = data if isinstance(data, dict) else {}
        self.dirty = False
        self._by_id: dict[str, dict[str, Entry]] = {}
        self._listed: dict[tuple[str, str, str, str], tuple[str, ...]] = {}

    def _entry(self, module: str, eid: str, entries_for: Callable[[str], tuple[Entry, ...]]) -> Entry | None:
        ids = self._by_id.get(module)
        if ids is None:
            ids = self._by_id[module] = {e.id: e for e in entries_for(module)}
        return ids.get(eid)

    def _load(self, row: Any, platform: tuple[str, str], entries_for: Callable[[str], tuple[Entry, ...]]) -> Hit | None:
        eid, mpath, version, shown, fixed, found, reach = row
        entry = self._entry(mpath, eid, entries_for)
        if entry is None:
            return None
        lk = (eid, mpath, *platform)
        listed = self._listed.get(lk)
        if listed is None:
            listed = self._listed[lk] = _listed(entry, mpath, *platform)
        return Hit(entry, Mod(mpath, version, shown), fixed, listed, tuple(found), Reach(reach))

    def get(self, path: str, platform: tuple[str, str],
            entries_for: Callable[[str], tuple[Entry, ...]]) -> tuple[Hit, ...] | None:
        row = self.rows.get(path)
        key = file_key(path, self.db_key, platform)
        if key is None or not isinstance(row, dict) or row.get("key") != key:
            return None
        try:
            hits = [self._load(r, platform, entries_for) for r in row["hits"]]
        except (TypeError, ValueError, KeyError):
            return None
        return None if any(h is None for h in hits) else tuple(h for h in hits if h is not None)

    def put(self, path: str, platform: tuple[str, str], hits: tuple[Hit, ...]) -> None:
        key = file_key(path, self.db_key, platform)
        if key is None:
            return
        self.rows[path] = {"key": key, "hits": [_dump(h) for h in hits]}
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        rows: Mapping[str, Any] = self.rows
        if len(rows) > MAX_PATHS:  # keep the newest entries (dicts keep insertion order)
            rows = dict(list(rows.items())[-MAX_PATHS:])
        self.cache.write(FILE, json.dumps(rows, separators=(",", ":")).encode())
