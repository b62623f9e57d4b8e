"""The database as a run sees it: opened once (refresh, not-modified, or the cache), entries read per module.

    db = open_db(configured(args.vulndb, os.environ), env=os.environ, offline=args.offline)
    db.entries("golang.org/x/text")   # every entry naming the module, parsed (read from the cache when fresh)

Opening raises VulnDBError (exit 3) when neither the source nor a cache answers; in offline mode only the
cache is read, and `db.state` says how old it is.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from datetime import datetime, timezone

from gomedic.vulndb import layout as L
from gomedic.vulndb import osv
from gomedic.vulndb.cache import Cache, Meta, root_dir
from gomedic.vulndb.errors import CorruptEntry, NotFound, Unreachable, VulnDBError
from gomedic.vulndb.source import Source, open_source


def _http_date(ts: str) -> str | None:
    import email.utils

    try:
        dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
    except ValueError:
        return None
    return email.utils.format_datetime(dt.astimezone(timezone.utc), usegmt=True)


def age(seconds: float) -> str:
    s = max(0, int(seconds))
    for unit, n in (("d", 86400), ("h", 3600), ("min", 60)):
        if s >= n:
            return f"{s // n}{unit}"
    return f"{s}s"


class Database:
    """An opened database: the module index in memory, entries read lazily and memoized (thread-safe)."""

    def __init__(self, url: str, source: Source | None, cache: Cache, layout: L.Layout, modified: str,
                 index: Mapping[str, object], state: str, checked_at: float) -> None:
        self.url = url
        self.source = source  # None: offline, the cache only
        self.cache = cache
        self.layout = layout
        self.modified = modified
        self.index = index
        self.state = state  # refreshed | not-modified | offline | stale (source unreachable, cache used)
        self.checked_at = checked_at
        self._memo: dict[str, tuple[osv.Entry, ...]] = {}
        self._lock = threading.Lock()

    def describe(self) -> str:
        when = f"checked {age(time.time() - self.checked_at)} ago"
        return f"{self.url} ({self.layout.value} layout, modified {self.modified}, {self.state}, {when})"

    def modules(self) -> frozenset[str]:
        return frozenset(self.index)

    def entries(self, module: str) -> tuple[osv.Entry, ...]:
        if module not in self.index:
            return ()
        with self._lock:
            got = self._memo.get(module)
            if got is None:
                got = self._read_v1(module) if self.layout is L.Layout.V1 else self._read_legacy(module)
                self._memo[module] = got
            return got

    def _fetch(self, rel: str, what: str) -> bytes:
        if self.source is None:
            raise VulnDBError(f"{what} is not in the cache {self.cache.dir} and {self.url} is not read "
                              f"({self.state}): run once with the source reachable and without --offline")
        try:
            return self.source.get(rel).data
        except NotFound:
            raise CorruptEntry(f"{what}: listed in the index of {self.url} but {rel} does not exist") from None

    def _read_v1(self, module: str) -> tuple[osv.Entry, ...]:
        refs = self.index[module]
        assert isinstance(refs, tuple)
        out = []
        for ref in refs:
            rel = L.entry_file(ref.id)
            raw = self.cache.read(rel)
            e = None
            if raw is not None:
                try:
                    e = osv.parse(raw, ref.id)
                except CorruptEntry:
                    e = None
                if e is not None and e.modified != ref.modified and self.source is not None:
                    e = None  # changed since cached
            if e is None:
                raw = self._fetch(rel, f"vulnerability entry {ref.id}")
                e = osv.parse(raw, ref.id)
                self.cache.write(rel, raw)
            out.append(e)
        return tuple(out)

    def _read_legacy(self, module: str) -> tuple[osv.Entry, ...]:
        modified = self.index[module]
        assert isinstance(modified, str)
        rel = L.module_file(module)
        raw = self.cache.legacy_module(module, modified)
        if raw is None:
            raw = self._fetch(rel, f"the entries of module {module}")
            entries = osv.parse_list(raw, f"{self.url}/{rel}")
            self.cache.save_legacy_module(module, modified, raw)
            return tuple(entries)
        return tuple(osv.parse_list(raw, f"{self.cache.dir}/{rel}"))


def _index_from_cache(cache: Cache, layout: L.Layout) -> dict[str, object] | None:
    d = cache.modules()
    if not isinstance(d, dict):
        return None
    if layout is L.Layout.LEGACY:
        return {k: v for k, v in d.items() if isinstance(v, str)}
    out: dict[str, object] = {}
    for k, v in d.items():
        if not isinstance(v, list):
            return None
        out[k] = tuple(L.Ref(str(r[0]), str(r[1])) for r in v if isinstance(r, list) and len(r) == 2)
    return out


def _save_index(cache: Cache, layout: L.Layout, index: Mapping[str, object]) -> None:
    if layout is L.Layout.LEGACY:
        cache.save_modules(dict(index))
    else:
        cache.save_modules({k: [[r.id, r.modified] for r in v] for k, v in index.items()})  # type: ignore[attr-defined]


def _refresh(src: Source, cache: Cache, meta: Meta | None) -> tuple[L.Layout, str, dict[str, object], str]:
    """Read the source's index (only the small db.json when nothing changed)."""
    ims = _http_date(meta.modified) if meta else None
    cached_layout = L.Layout(meta.layout) if meta else None
    order = [L.Layout.V1, L.Layout.LEGACY]
    if cached_layout is L.Layout.LEGACY:
        order.reverse()
    for lay in order:
        head = L.DB_INDEX if lay is L.Layout.V1 else L.LEGACY_INDEX
        try:
            got = src.get(head, ims if lay is cached_layout else None)
        except NotFound:
            continue
        if got.not_modified and meta is not None:
            idx = _index_from_cache(cache, lay)
            if idx is not None:
                return lay, meta.modified, idx, "not-modified"
            got = src.get(head)
        if lay is L.Layout.V1:
            modified = L.db_modified(got.data)
            if meta is not None and lay is cached_layout and modified == meta.modified:
                idx = _index_from_cache(cache, lay)
                if idx is not None:
                    return lay, modified, idx, "not-modified"
            raw = src.get(L.MODULES_INDEX).data
            index: dict[str, object] = dict(L.modules_v1(raw))
        else:
            legacy = L.modules_legacy(got.data)
            modified, index = L.legacy_modified(legacy), dict(legacy)
        _save_index(cache, lay, index)
        return lay, modified, index, "refreshed"
    raise VulnDBError(f"{src.url} is not a Go vulnerability database: neither {L.DB_INDEX} (v1 layout) nor "
                      f"{L.LEGACY_INDEX} (older layout) exists")


def open_db(url: str, env: Mapping[str, str], offline: bool = False) -> Database:
    """Open the database at `url` (see source.configured); raises VulnDBError (exit 3) or UsageError (exit 2)."""
    src = open_source(url)
    cache = Cache(root_dir(env), src.url)
    meta = cache.meta()
    if offline:
        if meta is None or (idx := _index_from_cache(cache, L.Layout(meta.layout))) is None:
            where = cache.dir or "(no cache directory: HOME and XDG_CACHE_HOME unset)"
            raise VulnDBError(f"--offline: no cached copy of {src.url} in {where}: run once without --offline")
        return Database(src.url, None, cache, L.Layout(meta.layout), meta.modified, idx, "offline", meta.checked_at)
    try:
        lay, modified, index, state = _refresh(src, cache, meta)
    except Unreachable as e:
        if meta is None or (idx := _index_from_cache(cache, L.Layout(meta.layout))) is None:
            where = cache.dir or "none: HOME and XDG_CACHE_HOME unset"
            raise VulnDBError(f"the vulnerability database cannot be read: {e}; and there is no cached copy "
                              f"(cache: {where})") from None
        return Database(src.url, None, cache, L.Layout(meta.layout), meta.modified, idx,
                        f"stale: source unreachable ({e})", meta.checked_at)
    now = time.time()
    cache.save_meta(Meta(src.url, lay.value, modified, now))
    return Database(src.url, src, cache, lay, modified, index, state, now)
