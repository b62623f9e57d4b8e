"""Which checks `gomedic fix` can fix automatically: check id -> fixer. A fixer returns a Plan for a
failing or warning Result; checks without a fixer get a manual plan (their own `fix` text)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gomedic.fix import goenv, paths
from gomedic.fix.plan import Fixer

FIXERS: Mapping[str, Fixer] = MappingProxyType({
    "paths.gocache": paths.gocache,
    "paths.gomodcache": paths.gomodcache,
    "paths.gobin-on-path": paths.gobin_on_path,
    "build.cache": paths.build_cache,
    "goenv.file": goenv.goenv_file,
    "goenv.shadowed": goenv.goenv_shadowed,
    "toolchain.host-target": goenv.host_target,
})
