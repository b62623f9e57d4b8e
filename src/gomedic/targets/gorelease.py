"""What the Go project supports, as validated data (data/go-releases.json): the latest patch of each
minor, how many minors are supported, and the OS minimums of each release.
"""

from __future__ import annotations

import functools
import json
import os
import re

from gomedic.binfmt import goversion
from gomedic.errors import ConfigError
from gomedic.targets.model import parse_version
from gomedic.values import frozen

SCHEMA = "gomedic/go-releases/v1"


@frozen
class GoReleases:
    as_of: str
    latest: dict[str, str]  # "1.27" -> "1.27.3"
    supported_minors: int
    kernel_min: tuple[tuple[str, tuple[int, ...]], ...]  # newest first: (go lang version, kernel)
    kernel_min_arch: dict[str, tuple[int, ...]]
    macos_min: tuple[tuple[str, str], ...]
    windows_min: tuple[tuple[str, str], ...]

    def supported(self) -> list[str]:
        """The supported minors, newest first (`1.27`, `1.26`)."""
        minors = sorted(self.latest, key=lambda m: tuple(int(x) for x in m.split(".")), reverse=True)
        return minors[: self.supported_minors]

    def min_kernel(self, go: str, goarch: str) -> tuple[int, ...] | None:
        for lang, kernel in self.kernel_min:
            if goversion.compare(go, "go" + lang) >= 0 or goversion.lang(go) == "go" + lang:
                arch = self.kernel_min_arch.get(goarch)
                return max(kernel, arch) if arch else kernel
        return None

    def _os_min(self, table: tuple[tuple[str, str], ...], go: str) -> str | None:
        for lang, value in table:
            if goversion.compare(go, "go" + lang) >= 0 or goversion.lang(go) == "go" + lang:
                return value
        return None

    def macos(self, go: str) -> str | None:
        return self._os_min(self.macos_min, go)

    def windows(self, go: str) -> str | None:
        return self._os_min(self.windows_min, go)


def _pairs(doc: dict[str, object], key: str, field: str) -> list[tuple[str, str]]:
    rows = doc.get(key)
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and isinstance(r.get("go"), str) and isinstance(r.get(field), str) for r in rows
    ):
        raise ConfigError(f"go-releases data: {key} must be a list of {{go, {field}}} strings")
    out = [(str(r["go"]), str(r[field])) for r in rows]
    for lang, _ in out:
        if not re.fullmatch(r"1\.\d+", lang):
            raise ConfigError(f"go-releases data: {key}: {lang!r} is not a Go language version")
    return out


def load_text(text: str) -> GoReleases:
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"go-releases data is not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ConfigError(f"go-releases data: expected schema {SCHEMA!r}")
    latest = doc.get("latest")
    if not isinstance(latest, dict) or not latest or not all(
        isinstance(v, str) and goversion.is_valid("go" + v) and goversion.lang(v) == k for k, v in latest.items()
    ):
        raise ConfigError("go-releases data: latest must map `1.N` to a `1.N.P` release of that minor")
    n = doc.get("supported_minors")
    if not isinstance(n, int) or not 1 <= n <= 5:
        raise ConfigError("go-releases data: supported_minors must be an integer 1-5")
    kernels = []
    for lang, k in _pairs(doc, "linux_kernel_min", "kernel"):
        v = parse_version(k)
        if v is None:
            raise ConfigError(f"go-releases data: kernel {k!r} is not a version")
        kernels.append((lang, v))
    arch_raw = doc.get("linux_kernel_min_arch") or {}
    if not isinstance(arch_raw, dict):
        raise ConfigError("go-releases data: linux_kernel_min_arch must be an object")
    arch: dict[str, tuple[int, ...]] = {}
    for a, k in arch_raw.items():
        v = parse_version(str(k))
        if v is None:
            raise ConfigError(f"go-releases data: kernel {k!r} for {a} is not a version")
        arch[str(a)] = v
    return GoReleases(
        str(doc.get("as_of", "")), {str(k): str(v) for k, v in latest.items()}, n, tuple(kernels), arch,
        tuple(_pairs(doc, "macos_min", "macos")), tuple(_pairs(doc, "windows_min", "windows")),
    )


@functools.lru_cache(maxsize=1)
def releases() -> GoReleases:
    # read beside this module: importlib.resources.files() imports zipfile and its readers (~10 ms)
    with open(os.path.join(os.path.dirname(__file__), "data", "go-releases.json"), encoding="utf-8") as f:
        return load_text(f.read())
