"""The VS Code Go extension's compatibility table (data/vscode-go-compat.json, from vscode-go's
docs/compatibility.md): the last extension version known to work with each old Go release. Pure."""

from __future__ import annotations

import functools
import json
import os

from gomedic.binfmt import goversion
from gomedic.errors import ConfigError
from gomedic.values import frozen


@frozen
class Compat:
    rows: tuple[tuple[str, str], ...]  # (go lang "go1.18", last extension "0.41.3"), oldest Go first
    source: str

    @property
    def oldest(self) -> str:
        return self.rows[0][0]

    @property
    def newest(self) -> str:
        return self.rows[-1][0]

    def last_for(self, go: str) -> str | None:
        """The last extension version for this Go release; None when every version supports it (newer Go)."""
        lang = goversion.lang(go)
        for g, ext in self.rows:
            if goversion.compare(lang, g) <= 0:
                return ext
        return None


def ext_tuple(v: str) -> tuple[int, ...]:
    """"0.46.1" -> (0, 46, 1); a pre-release suffix is ignored."""
    return tuple(int("".join(c for c in p if c.isdigit()) or 0) for p in v.split("-")[0].split(".")[:3])


@functools.lru_cache(maxsize=1)
def compat() -> Compat:
    # beside the module, not through importlib.resources (pathlib, typing, tempfile: start-up time)
    with open(os.path.join(os.path.dirname(__file__), "data", "vscode-go-compat.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    found: list[tuple[str, str]] = []
    for r in doc.get("last_for_go") or []:
        go, ext = (r.get("go"), r.get("extension")) if isinstance(r, dict) else (None, None)
        if not (isinstance(go, str) and goversion.is_valid(go) and isinstance(ext, str)):
            raise ConfigError(f"vscode-go-compat.json: last_for_go must list {{go, extension}} strings: {r!r:.60}")
        found.append((go, ext))
    if not found:
        raise ConfigError("vscode-go-compat.json: last_for_go is empty")
    pairs = tuple(sorted(found, key=lambda r: goversion.minor(r[0]) or 0))
    return Compat(pairs, str(doc.get("source", "")))
