"""Findings per binary kept between runs, so re-checking an unchanged fleet reads no function tables.

One file per database cache directory, `scans.json`:

    {"paths": {path: {"key": [...], "hits": [[id, module, version, shown, fixed, found, reach], ...]}},
     "entries": {id: [modified, summary, aliases]}, "listed": {"id module goos goarch": [pkg.Symbol, ...]}}

The key is the file's identity (device, inode, size, mtime, ctime), its platform, the database's modified
time, layout and URL, and the format version: any change to the binary or the database recomputes it. What a
finding shows of its advisory (summary, aliases, symbols) is kept with it, so an unchanged fleet needs no
entry parsed; those fields belong to the same database version as the key.
"""

from __future__ import annotations

import json
import os
from typing import Any

from gomedic.vulndb.cache import Cache
from gomedic.vulndb.osv import Entry
from gomedic.vulndb.scan import Hit, Mod, Reach

FORMAT = 3
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


def _dict(d: Any, key: str) -> dict[str, Any]:
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, dict) else {}


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
        self.paths = _dict(data, "paths")
        self.entries = _dict(data, "entries")
        self.listed = _dict(data, "listed")
        self.dirty = False
        self._made: dict[str, Entry] = {}

    def _entry(self, eid: str) -> Entry:
        e = self._made.get(eid)
        if e is None:
            modified, summary, aliases = self.entries[eid]
            e = self._made[eid] = Entry(str(eid), str(modified), str(summary), tuple(str(a) for a in aliases))
        return e

    def _load(self, row: Any, platform: tuple[str, str]) -> Hit:
        eid, mpath, version, shown, fixed, found, reach = row
        listed = self.listed[f"{eid} {mpath} {platform[0]} {platform[1]}"]
        return Hit(self._entry(eid), Mod(mpath, version, shown), fixed, tuple(listed), tuple(found), Reach(reach))

    def get(self, path: str, platform: tuple[str, str]) -> tuple[Hit, ...] | None:
        row = self.paths.get(path)
        key = file_key(path, self.db_key, platform)
        if key is None or not isinstance(row, dict) or row.get("key") != key:
            return None
        try:
            return tuple(self._load(r, platform) for r in row["hits"])
        except (TypeError, ValueError, KeyError):
            return None

    def put(self, path: str, platform: tuple[str, str], hits: tuple[Hit, ...]) -> None:
        key = file_key(path, self.db_key, platform)
        if key is None:
            return
        for h in hits:
            e = h.entry
            self.entries[e.id] = [e.modified, e.summary, list(e.aliases)]
            self.listed[f"{e.id} {h.mod.path} {platform[0]} {platform[1]}"] = list(h.symbols)
        self.paths[path] = {"key": key, "hits": [_dump(h) for h in hits]}
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        paths = self.paths
        if len(paths) > MAX_PATHS:  # keep the newest (dicts keep insertion order)
            paths = dict(list(paths.items())[-MAX_PATHS:])
        doc = {"paths": paths, "entries": self.entries, "listed": self.listed}
        self.cache.write(FILE, json.dumps(doc, separators=(",", ":")).encode())
