"""Named target profiles (debian-12, rhel-8, alpine-3.20, distroless-static, ...) shipped as data and
validated when loaded: a malformed data file is a ConfigError naming the profile and field, never a crash.
"""

from __future__ import annotations

import functools
import json
import os
from types import MappingProxyType

from gomedic.errors import ConfigError, UsageError
from gomedic.targets.model import (
    GLIBC_LOADERS,
    LAYOUTS,
    MUSL_ARCH,
    TRIPLETS,
    Libc,
    Target,
    lib_dirs,
    musl_loader,
    parse_version,
)
from gomedic.targets.rootfs import VirtualRoot
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Any

SCHEMA = "gomedic/targets/v1"
_FIELDS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "description": (str,),
    "layout": (str,),
    "libc": (str,),
    "libc_version": (str, type(None)),
    "kernel": (str, type(None)),
    "arches": (list,),
    "cpu": (str,),
    "libs": (str,),
    "ca_bundle": (str, type(None)),
    "zoneinfo": (bool,),
    "nsswitch": (str, type(None)),
    "passwd": (bool,),
    "libs_from": (str,),  # where the library set comes from (see libset_sources in the data file)
}


@frozen
class Profile:
    name: str
    description: str
    layout: str
    libc: Libc
    libc_version: tuple[int, ...] | None
    kernel: tuple[int, ...] | None
    arches: tuple[str, ...]
    cpu: int
    libs: tuple[str, ...]
    ca_bundle: str | None
    zoneinfo: bool
    nsswitch: str | None
    passwd: bool
    libs_from: str = ""


def _validate(raw: Any, libsets: dict[str, list[str]]) -> Profile:
    if not isinstance(raw, dict):
        raise ConfigError(f"targets data: a profile is not an object: {raw!r:.60}")
    name = raw.get("name", "?")
    for key, types in _FIELDS.items():
        if key not in raw:
            raise ConfigError(f"target profile {name}: missing field {key!r}")
        if not isinstance(raw[key], types):
            raise ConfigError(f"target profile {name}: field {key!r} has the wrong type ({type(raw[key]).__name__})")
    extra = set(raw) - set(_FIELDS)
    if extra:
        raise ConfigError(f"target profile {name}: unknown field(s) {', '.join(sorted(extra))}")
    if raw["layout"] not in LAYOUTS:
        raise ConfigError(f"target profile {name}: layout {raw['layout']!r} is not one of {', '.join(LAYOUTS)}")
    try:
        libc = Libc(raw["libc"])
    except ValueError:
        raise ConfigError(f"target profile {name}: libc {raw['libc']!r} is not glibc, musl or none") from None
    ver = parse_version(raw["libc_version"]) if raw["libc_version"] else None
    if (libc is Libc.NONE) != (ver is None):
        raise ConfigError(f"target profile {name}: libc_version must be set exactly when libc is not none")
    kernel = parse_version(raw["kernel"]) if raw["kernel"] else None
    if raw["kernel"] and kernel is None:
        raise ConfigError(f"target profile {name}: kernel {raw['kernel']!r} is not a version")
    bad = [a for a in raw["arches"] if a not in GLIBC_LOADERS and a not in MUSL_ARCH]
    if not raw["arches"] or bad:
        raise ConfigError(f"target profile {name}: unknown or no arches {bad}")
    cpu = parse_cpu(raw["cpu"])
    if cpu is None:
        raise ConfigError(f"target profile {name}: cpu {raw['cpu']!r} is not x86-64-v1..v4")
    if raw["libs"] not in libsets:
        raise ConfigError(f"target profile {name}: library set {raw['libs']!r} is not defined")
    return Profile(
        name, raw["description"], raw["layout"], libc, ver, kernel, tuple(raw["arches"]), cpu,
        tuple(libsets[raw["libs"]]), raw["ca_bundle"], raw["zoneinfo"], raw["nsswitch"], raw["passwd"],
        raw["libs_from"],
    )


def parse_cpu(text: str) -> int | None:
    t = text.strip().lower().removeprefix("x86-64-").removeprefix("x86_64-")
    return int(t[1]) if len(t) == 2 and t[0] == "v" and t[1] in "1234" else None


def load_text(text: str) -> dict[str, Profile]:
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ConfigError(f"targets data is not JSON: {e}") from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise ConfigError(f"targets data: expected schema {SCHEMA!r}")
    libsets = doc.get("libsets")
    if not isinstance(libsets, dict) or not all(
        isinstance(v, list) and all(isinstance(x, str) for x in v) for v in libsets.values()
    ):
        raise ConfigError("targets data: libsets must map names to lists of library names")
    sources = doc.get("libset_sources")
    if not isinstance(sources, dict) or set(sources) != set(libsets):
        raise ConfigError("targets data: libset_sources must say, for every library set, where it comes from")
    out: dict[str, Profile] = {}
    for raw in doc.get("profiles") or []:
        p = _validate(raw, libsets)
        if p.name in out:
            raise ConfigError(f"target profile {p.name} is defined twice")
        out[p.name] = p
    if not out:
        raise ConfigError("targets data defines no profiles")
    return out


@functools.lru_cache(maxsize=1)
def profiles() -> dict[str, Profile]:
    # read beside this module: importlib.resources.files() imports zipfile and its readers (~10 ms)
    with open(os.path.join(os.path.dirname(__file__), "data", "profiles.json"), encoding="utf-8") as f:
        return load_text(f.read())


def files_of(p: Profile, goarch: str, libc: Libc, layout: str) -> tuple[set[str], dict[str, str]]:
    """The files a profile's root holds for one arch: loader, libraries, runtime files."""
    files: set[str] = set()
    dirs = lib_dirs(layout, goarch)
    libs = [lib.replace("{march}", MUSL_ARCH.get(goarch, goarch)) for lib in p.libs]
    # "/usr/lib/{multiarch}/systemd/libsystemd-shared-252.so": a private directory a DT_RUNPATH names
    private = {lib.replace("{multiarch}", TRIPLETS.get(goarch, goarch)) for lib in libs if lib.startswith("/")}
    libs = [lib for lib in libs if not lib.startswith("/")]
    if libc is Libc.GLIBC:
        files.add(GLIBC_LOADERS.get(goarch, f"/lib/ld-linux-{goarch}.so"))
        files.update(f"{dirs[0]}/{lib}" for lib in libs)
        files.update(f"{dirs[1]}/{lib}" for lib in libs)
        files.update(private)
    elif libc is Libc.MUSL:
        files.add(musl_loader(goarch))
        files.update(f"/lib/{lib}" for lib in libs)
    if p.ca_bundle:
        files.add(p.ca_bundle)
    if p.zoneinfo:
        files.update({"/usr/share/zoneinfo/UTC", "/usr/share/zoneinfo/Europe/Berlin"})
    if p.passwd:
        files.update({"/etc/passwd", "/etc/group"})
    texts = {"/etc/nsswitch.conf": p.nsswitch + "\n"} if p.nsswitch else {}
    return files, texts


def target_of(p: Profile, overrides: dict[str, str] | None = None, sources: dict[str, str] | None = None) -> Target:
    """The profile as a Target, with already-validated `key=value` overrides applied."""
    o = overrides or {}
    goarch = o.get("arch", p.arches[0])
    if goarch not in p.arches:
        raise UsageError(f"target {p.name} is not made for arch={goarch} (it is for: {', '.join(p.arches)})")
    libc = Libc(o["libc"]) if "libc" in o else p.libc
    layout = p.layout if libc is p.libc else ("alpine" if libc is Libc.MUSL else p.layout)
    ver = parse_version(o["libc_version"]) if "libc_version" in o else (p.libc_version if libc is p.libc else None)
    kernel = parse_version(o["kernel"]) if "kernel" in o else p.kernel
    cpu = parse_cpu(o["cpu"]) if "cpu" in o else p.cpu
    files, texts = files_of(p, goarch, libc, layout)
    src = {"arch": "profile", "libc": "profile", "kernel": "profile", "cpu": "profile (the distribution's baseline)"}
    src.update(sources or {})
    return Target(
        name=p.name, description=p.description, goarch=goarch, libc=libc, libc_version=ver, kernel=kernel,
        cpu_level=cpu if goarch == "amd64" else None,
        fs=VirtualRoot(files, texts=texts, description=f"the {p.name} profile"),
        layout=layout, sources=MappingProxyType(src),
    )
