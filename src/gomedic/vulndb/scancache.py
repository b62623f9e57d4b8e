"""Findings per binary kept between runs, so re-checking an unchanged fleet reads no function tables.

One file per database cache directory, `scans.json`:

    {"db": "format:database key",
     "paths": {path: {"key": [...], "mods": [[module, version, shown, count], ...], "found": index in founds}},
     "founds": [[[mod index, advisory index, [pkg.Symbol, ...], reach], ...], ...],
     "groups": {"module version goos goarch": [[id, fixed], ...]},
     "entries": {id: [modified, summary, aliases]}, "listed": {"id module goos goarch": index in lists},
     "lists": [[pkg.Symbol, ...], ...]}

The key is the file's identity (device, inode, size, mtime, ctime), its platform, the database's modified
time, layout and URL, and the format version: any change to the binary or the database recomputes it. What a
finding shows of its advisory (summary, aliases, symbols) is kept with it, so an unchanged fleet needs no
entry parsed. A group lists the advisories affecting one module version on one platform, in the order a
scan finds them, once for every binary that records that version (a fleet's binaries share Go releases);
a binary keeps only its modules and the findings that are not "absent" (found symbols, or unknown), those
listed once in "founds" for all the binaries that have them alike (a fleet's copies, a release's builds);
the symbols an advisory lists are kept once in "lists" for all the platforms that see them alike. The
shared parts belong to the database named by "db": written for another, the file is started afresh.
"""

from __future__ import annotations

import json
import os
from typing import Any

from gomedic.vulndb.cache import Cache
from gomedic.vulndb.osv import Entry
from gomedic.vulndb.scan import Hit, Mod, Reach

FORMAT = 5
FILE = "scans.json"
MAX_PATHS = 20_000
_REACH = {r.value: r for r in Reach}


def file_key(path: str, db_key: str, platform: tuple[str, str]) -> list[Any] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [FORMAT, db_key, *platform, st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _segments(hits: tuple[Hit, ...]) -> list[list[Hit]]:
    """The hits of each module, in order (a scan lists them module by module)."""
    out: list[list[Hit]] = []
    for h in hits:
        if not out or out[-1][0].mod is not h.mod:
            out.append([])
        out[-1].append(h)
    return out


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
        if not isinstance(data, dict) or data.get("db") != f"{FORMAT}:{db_key}":
            data = None  # another database: its findings and groups do not apply
        self.paths = _dict(data, "paths")
        self.groups = _dict(data, "groups")
        self.entries = _dict(data, "entries")
        self.listed = _dict(data, "listed")
        founds, lists = (data.get("founds"), data.get("lists")) if data is not None else (None, None)
        self.founds: list[Any] = founds if isinstance(founds, list) else []
        self.lists: list[Any] = lists if isinstance(lists, list) else []
        self._list_at: dict[tuple[str, ...], int] | None = None  # a list of symbols -> its index (put)
        self._found_at: dict[tuple[Any, ...], int] = {}  # a binary's findings (put) -> their index in founds
        self._found: dict[int, dict[tuple[int, int], tuple[tuple[str, ...], Reach]]] = {}  # founds decoded
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
            at = self.listed[k]
            if type(at) is not int or at < 0:
                raise ValueError("listed: not an index")
            got = self._lists[k] = tuple(str(x) for x in self.lists[at])
        return got

    def _mod(self, path: Any, version: Any, shown: Any) -> Mod:
        k = (str(path), str(version), str(shown))
        got = self._mods.get(k)
        if got is None:
            got = self._mods[k] = Mod(*k)
        return got

    def _founds(self, k: Any) -> dict[tuple[int, int], tuple[tuple[str, ...], Reach]]:
        if type(k) is not int or k < 0:
            raise ValueError("found: not an index")
        got = self._found.get(k)
        if got is None:
            got = self._found[k] = {(int(i), int(j)): (tuple(str(x) for x in syms), _REACH[reach])
                                    for i, j, syms, reach in self.founds[k]}
        return got

    def _load(self, saved: dict[str, Any], platform: tuple[str, str]) -> tuple[Hit, ...] | None:
        found = self._founds(saved["found"])
        tail = f" {platform[0]} {platform[1]}"
        out = []
        for i, (path, version, shown, count) in enumerate(saved["mods"]):
            mod = self._mod(path, version, shown)
            group = self.groups[f"{mod.path} {mod.version}{tail}"]
            if len(group) != count:
                return None
            for j, (eid, fixed) in enumerate(group):
                syms, reach = found.get((i, j), ((), Reach.ABSENT))
                out.append(Hit(self._entry(eid), mod, fixed, self._listed(f"{eid} {mod.path}{tail}"), syms, reach))
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
        except (TypeError, ValueError, KeyError, IndexError, AttributeError):
            return None
        if hits is not None:
            self._run[tuple(key)] = hits
        return hits

    def put(self, path: str, platform: tuple[str, str], hits: tuple[Hit, ...]) -> None:
        key = file_key(path, self.db_key, platform)
        if key is None:
            return
        tail = f" {platform[0]} {platform[1]}"
        mods: list[list[Any]] = []
        found: list[tuple[Any, ...]] = []
        for i, seg in enumerate(_segments(hits)):
            mod = seg[0].mod
            mods.append([mod.path, mod.version, mod.shown, len(seg)])
            group = f"{mod.path} {mod.version}{tail}"
            if group not in self._written:  # once per run (the same for every binary of the version)
                self._written.add(group)
                self.groups[group] = [[h.entry.id, h.fixed] for h in seg]
                self._list(seg, f" {mod.path}{tail}")
            found += [(i, j, h.found, h.reach.value) for j, h in enumerate(seg)
                      if h.reach is not Reach.ABSENT or h.found]
        k = tuple(found)
        at = self._found_at.get(k)
        if at is None:
            at = self._found_at[k] = len(self.founds)
            self.founds.append([[i, j, list(syms), reach] for i, j, syms, reach in found])
        self._run[tuple(key)] = hits
        self.paths[path] = {"key": key, "mods": mods, "found": at}
        self.dirty = True

    def _list(self, seg: list[Hit], tail: str) -> None:
        """What the findings of a group show of their advisories (shared by groups of one module)."""
        for h in seg:
            listed = f"{h.entry.id}{tail}"
            if listed not in self._written:
                self._written.add(listed)
                e = h.entry
                self.entries[e.id] = [e.modified, e.summary, list(e.aliases)]
                self.listed[listed] = self._list_index(h.symbols)

    def save(self) -> None:
        if not self.dirty:
            return
        paths = self.paths
        if len(paths) > MAX_PATHS:  # keep the newest (dicts keep insertion order)
            paths = dict(list(paths.items())[-MAX_PATHS:])
        paths, founds = self._compact(paths)
        doc = {"db": f"{FORMAT}:{self.db_key}", "paths": paths, "founds": founds, "groups": self.groups,
               "entries": self.entries, "listed": self.listed, "lists": self.lists}
        self.cache.write(FILE, json.dumps(doc, separators=(",", ":")).encode())

    def _list_index(self, symbols: tuple[str, ...]) -> int:
        if self._list_at is None:  # the lists kept: an advisory scanned again is not listed twice
            self._list_at = {}
            for n, kept in enumerate(self.lists):
                if isinstance(kept, list):
                    self._list_at.setdefault(tuple(map(str, kept)), n)
        at = self._list_at.get(symbols)
        if at is None:
            at = self._list_at[symbols] = len(self.lists)
            self.lists.append(list(symbols))
        return at

    def _compact(self, paths: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
        """The rows kept and only the founds they name, renumbered (a binary scanned again, or dropped, leaves
        its old findings unnamed); a row naming none is left out (it would be scanned again anyway)."""
        out: dict[str, Any] = {}
        founds: list[Any] = []
        renumbered: dict[int, int] = {}
        for path, row in paths.items():
            k = row.get("found") if isinstance(row, dict) else None
            if type(k) is not int or not 0 <= k < len(self.founds):
                continue
            n = renumbered.get(k)
            if n is None:
                n = renumbered[k] = len(founds)
                founds.append(self.founds[k])
            out[path] = row if n == k else {**row, "found": n}
        return out, founds
