"""Named macOS targets (`macos-14-arm64`, `macos-12-amd64`) from data/macos.json, validated when loaded: a
malformed data file is a ConfigError naming the release and field, never a crash.

A macOS target has no loader, libc or kernel to look up: the binary checks compare a Mach-O's architecture,
LC_BUILD_VERSION minos, code signature and dylibs with it.
"""

from __future__ import annotations

import functools
import json
import os
from types import MappingProxyType

from gomedic.errors import ConfigError, UsageError
from gomedic.targets.model import Libc, Target, parse_version, vstr
from gomedic.targets.rootfs import VirtualRoot
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Any

SCHEMA = "gomedic/macos-targets/v1"
ARCHES = ("arm64", "amd64")
_FIELDS: dict[str, type] = {"version": str, "name": str, "arches": list, "source": str}


@frozen
class MacRelease:
    label: str  # as written in the data: "14"
    version: tuple[int, ...]
    name: str
    arches: tuple[str, ...]
    source: str

    def target_name(self, goarch: str) -> str:
        return f"macos-{self.label}-{goarch}"


def _validate(raw: Any) -> MacRelease:
    if not isinstance(raw, dict):
        raise ConfigError(f"macOS targets data: a release is not an object: {raw!r:.60}")
    label = raw.get("version", "?")
    for key, typ in _FIELDS.items():
        if not isinstance(raw.get(key), typ):
            raise ConfigError(f"macOS target {label}: field {key!r} is missing or not a {typ.__name__}")
    extra = set(raw) - set(_FIELDS)
    if extra:
        raise ConfigError(f"macOS target {label}: unknown field(s) {', '.join(sorted(extra))}")
    version = parse_version(raw["version"])
    if version is None or version < (10, 13, 0):
        raise ConfigError(f"macOS target {label}: version {raw['version']!r} is not a macOS version (10.13 or later)")
    bad = [a for a in raw["arches"] if a not in ARCHES]
    if not raw["arches"] or bad:
        raise ConfigError(f"macOS target {label}: arches must be arm64 and/or amd64 (got {raw['arches']})")
    if "arm64" in raw["arches"] and version < (11, 0, 0):
        raise ConfigError(f"macOS target {label}: no arm64 Mac runs a macOS older than 11")
    return MacRelease(raw["version"], version, raw["name"], tuple(raw["arches"]), raw["source"])


def load_text(text: str) -> dict[str, tuple[MacRelease, str]]:
    """Target name (`macos-14-arm64`) -> (release, GOARCH)."""
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"macOS targets data is not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ConfigError(f"macOS targets data: expected schema {SCHEMA!r}")
    out: dict[str, tuple[MacRelease, str]] = {}
    for raw in doc.get("releases") or []:
        rel = _validate(raw)
        for arch in rel.arches:
            name = rel.target_name(arch)
            if name in out:
                raise ConfigError(f"macOS target {name} is defined twice")
            out[name] = (rel, arch)
    if not out:
        raise ConfigError("macOS targets data defines no releases")
    return out


@functools.lru_cache(maxsize=1)
def macos_targets() -> dict[str, tuple[MacRelease, str]]:
    # beside the module, not through importlib.resources (pathlib, tempfile, shutil: ~7 ms of `binary`)
    with open(os.path.join(os.path.dirname(__file__), "data", "macos.json"), encoding="utf-8") as fh:
        return load_text(fh.read())


def _show(v: tuple[int, ...]) -> str:
    """(14, 0, 0) -> "14", (13, 5, 0) -> "13.5": as Apple writes macOS versions."""
    return vstr(v).removesuffix(".0")


def target_of(name: str, overrides: dict[str, str]) -> Target:
    """The named macOS target; `arch=` picks the other architecture of the release, `macos=13.5` a point release."""
    rel, goarch = macos_targets()[name]
    src = {"arch": "profile", "macos": "profile"}
    bad = sorted(set(overrides) - {"arch", "macos"})
    if bad:
        raise UsageError(f"--target {name}: {', '.join(bad)}= does not apply to a macOS target (arch=, macos= do)")
    if "arch" in overrides:
        goarch, src["arch"] = overrides["arch"], "override"
        if goarch not in rel.arches:
            raise UsageError(f"target {name} is not made for arch={goarch} (it is for: {', '.join(rel.arches)})")
    version = rel.version
    if "macos" in overrides:
        v = parse_version(overrides["macos"])
        if v is None or v[0] != rel.version[0]:
            raise UsageError(f"--target {name}: macos={overrides['macos']} is not a macOS {rel.version[0]} version")
        version, src["macos"] = v, "override"
    cpu = "Apple Silicon" if goarch == "arm64" else "Intel"
    return Target(
        name=rel.target_name(goarch), description=f"macOS {_show(version)} {rel.name} on {cpu} ({goarch})",
        goarch=goarch, libc=Libc.NONE, libc_version=None, kernel=None, cpu_level=None,
        fs=VirtualRoot(set(), description=f"the {rel.target_name(goarch)} profile"), layout="distroless",
        goos="darwin", sources=MappingProxyType(src), macos_version=version,
    )
