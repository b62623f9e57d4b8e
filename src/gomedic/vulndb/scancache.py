"""Findings per binary kept between runs, so re-checking an unchanged fleet reads no function tables.

One file per database cache directory, `scans.json`:

    {"paths": {path: {"key": [...], "mods": [[module, version, shown], ...],
                      "hits": [[id, index in mods, fixed, found, reach], ...]}},
     "entries": {id: [modified, summary, aliases]}, "listed": {"id module goos goarch": [pkg.Symbol, ...]}}

The key is the file's identity (device, inode, size, mtime, ctime), its platform, the database's modified
time, layout and URL, and the format version: any change to the binary or the database recomputes it. What a
finding shows of its advisory (summary, aliases, symbols) is kept with it, so an unchanged fleet needs no
entry parsed; those fields belong to the same database version as the key. A binary's modules are
written once, not once per finding, and loading shares modules, entries and symbol lists between findings
(a fleet's binaries share Go releases): an unchanged fleet costs little more than reading the file.
"""

from __future__ import annotations

import json
import os
from typing import Any

from gomedic.vulndb.cache import Cache
from gomedic.vulndb.osv import Entry
from gomedic.vulndb.scan import Hit, Mod, Reach

FORMAT = 4
FILE = "scans.json"
MAX_PATHS = 20_000
_REACH = {r.value: r for r in Reach}


def file_key(path: str, db_key: str, platform: tuple[str, str]) -> list[Any] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [FORMAT, db_key, *platform, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _dump(hits: tuple[Hit, ...]) -> dict[str, Any]:
    mods: dict[Mod, int] = {}
    rows = [[h.entry.id, mods.setdefault(h.mod, len(mods)), h.fixed, list(h.found), h.reach.value] for h in hits]
    return {"mods": [[m.path, m.version, m.shown] for m in mods], "hits": rows}


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
        self._lists: dict[str, tuple[str, ...]] = {}
        self._mods: dict[tuple[str, str, str], Mod] = {}
        self._written: set[str] = set()
        self._run: dict[tuple[Any, ...], tuple[Hit, ...]] = {}  # by file key: the findings of this run

    def _entry(self, eid: str) -> Entry:
        e = self._made.get(eid)
        if e is None:
            modified, summary, aliases = self.entries[eid]
            e = self._made[eid] = Entry(str(eid), str(modified), str(summary), tuple(str(a) for a in aliases))
        return e

    def _listed(self, k: str) -> tuple[str, ...]:
        got = self._lists.get(k)
        if got is None:
            got = self._lists[k] = tuple(self.listed[k])
        return got

    def _mod(self, row: Any) -> Mod:
        path, version, shown = row
        k = (str(path), str(version), str(shown))
        got = self._mods.get(k)
        if got is None:
            got = self._mods[k] = Mod(*k)
        return got

    def _load(self, saved: dict[str, Any], platform: tuple[str, str]) -> tuple[Hit, ...]:
        mods = [self._mod(m) for m in saved["mods"]]
        tail = f" {platform[0]} {platform[1]}"
        out = []
        for eid, i, fixed, found, reach in saved["hits"]:
            mod = mods[i]
            out.append(Hit(self._entry(eid), mod, fixed, self._listed(f"{eid} {mod.path}{tail}"), tuple(found),
                           _REACH[reach]))
        return tuple(out)

    def get(self, path: str, platform: tuple[str, str]) -> tuple[Hit, ...] | None:
        key = file_key(path, self.db_key, platform)
        if key is None:
            return None
        row = self.paths.get(path)
        kept = row if isinstance(row, dict) and row.get("key") == key else None
        same = self._run.get(tuple(key))
        if same is not None:  # another name (a hard link) of a file seen in this run
            if kept is None:
                self.put(path, platform, same)
            return same
        if kept is None:
            return None
        try:
            hits = self._load(kept, platform)
        except (TypeError, ValueError, KeyError, IndexError):
            return None
        self._run[tuple(key)] = hits
        return hits

    def put(self, path: str, platform: tuple[str, str], hits: tuple[Hit, ...]) -> None:
        key = file_key(path, self.db_key, platform)
        if key is None:
            return
        for h in hits:
            e = h.entry
            listed = f"{e.id} {h.mod.path} {platform[0]} {platform[1]}"
            if listed not in self._written:  # once per run: what older runs wrote may be of another database
                self._written.add(listed)
                self.entries[e.id] = [e.modified, e.summary, list(e.aliases)]
                self.listed[listed] = list(h.symbols)
        self._run[tuple(key)] = hits
        self.paths[path] = {"key": key, **_dump(hits)}
        self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        paths = self.paths
        if len(paths) > MAX_PATHS:  # keep the newest (dicts keep insertion order)
            paths = dict(list(paths.items())[-MAX_PATHS:])
        doc = {"paths": paths, "entries": self.entries, "listed": self.listed}
        self.cache.write(FILE, json.dumps(doc, separators=(",", ":")).encode())
