"""The local copy of what was read from a source: $XDG_CACHE_HOME/gomedic/vulndb/<hash of the source URL>/.

    meta.json          {"source", "layout", "modified" (the database's), "checked_at" (last time the source answered)}
    modules.json       v1: {module: [[id, modified], ...]}; legacy: {module: modified}
    ID/<id>.json       entries as served (v1)
    mod/<hash>.json    legacy module files as served, with the modified time they were read at in mod/<hash>.t

Written atomically (gomedic.fsutil.replace_file), directories 0700. A cache that cannot be written is not an
error: the run goes on without one. Corrupt cache files are treated as absent (read again from the source).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any

from gomedic.fsutil import replace_file
from gomedic.values import frozen

MAX_FILE = 64 << 20


def root_dir(env: Mapping[str, str]) -> str | None:
    """The user's cache directory as os.UserCacheDir finds it ($XDG_CACHE_HOME, else $HOME/.cache)."""
    xdg = env.get("XDG_CACHE_HOME", "")
    if xdg and os.path.isabs(xdg):
        return os.path.join(xdg, "gomedic", "vulndb")
    home = env.get("HOME", "")
    if home and os.path.isabs(home):
        return os.path.join(home, ".cache", "gomedic", "vulndb")
    return None


def _hash(s: str) -> str:
    return hashlib.sha256(s.encode()).hexdigest()[:16]


@frozen
class Meta:
    source: str
    layout: str
    modified: str
    checked_at: float  # unix time the source last answered (refresh or not-modified)


class Cache:
    def __init__(self, base: str | None, source: str) -> None:
        self.dir = os.path.join(base, _hash(source)) if base else None
        self.source = source
        self.write_error: str | None = None

    def _path(self, rel: str) -> str | None:
        return os.path.join(self.dir, *rel.split("/")) if self.dir else None

    def read(self, rel: str) -> bytes | None:
        p = self._path(rel)
        if p is None:
            return None
        try:
            with open(p, "rb") as fh:  # sized by the file: read(MAX_FILE + 1) allocates 64 MiB for each entry
                data = fh.read(min(os.fstat(fh.fileno()).st_size, MAX_FILE) + 1)
        except OSError:
            return None
        return data if len(data) <= MAX_FILE else None

    def write(self, rel: str, data: bytes) -> None:
        p = self._path(rel)
        if p is None or self.write_error:
            return
        try:
            os.makedirs(os.path.dirname(p), mode=0o700, exist_ok=True)
            replace_file(p, data, mode=0o600)
        except OSError as e:
            self.write_error = f"cannot write the cache {self.dir}: {e.strerror or e}"

    def _json(self, rel: str) -> Any:
        raw = self.read(rel)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def meta(self) -> Meta | None:
        d = self._json("meta.json")
        if not isinstance(d, dict) or d.get("source") != self.source:
            return None
        try:
            return Meta(str(d["source"]), str(d["layout"]), str(d["modified"]), float(d["checked_at"]))
        except (KeyError, TypeError, ValueError):
            return None

    def save_meta(self, m: Meta) -> None:
        self.write("meta.json", json.dumps({"source": m.source, "layout": m.layout, "modified": m.modified,
                                            "checked_at": m.checked_at}).encode())

    def modules(self) -> Any:
        return self._json("modules.json")

    def save_modules(self, d: Any) -> None:
        self.write("modules.json", json.dumps(d, separators=(",", ":")).encode())

    def legacy_module(self, module: str, modified: str) -> bytes | None:
        """The cached legacy module file if it was read when the index said `modified`."""
        t = self.read(f"mod/{_hash(module)}.t")
        if t is None or t.decode(errors="replace") != modified:
            return None
        return self.read(f"mod/{_hash(module)}.json")

    def save_legacy_module(self, module: str, modified: str, data: bytes) -> None:
        self.write(f"mod/{_hash(module)}.json", data)
        self.write(f"mod/{_hash(module)}.t", modified.encode())
