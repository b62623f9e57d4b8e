"""Where `go install` puts programs (GOBIN, else GOPATH's first entry's bin) and what is in it."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from types import MappingProxyType

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.access import Access, Principal, W, X, can, current_principal, dangling_link
from gomedic.facts.door import Reader
from gomedic.facts.go import GO_CONFIG, SRC_DEFAULT, Setting
from gomedic.facts.pathscan import first_on_path, path_dirs
from gomedic.values import frozen

ROOT = "/"  # the reader's root: this machine


def install_dir(cfg_gobin: Setting, cfg_gopath: Setting) -> tuple[str, str]:
    """Where `go install` writes: GOBIN, else the first GOPATH entry's bin."""
    if cfg_gobin.value and cfg_gobin.source != SRC_DEFAULT:
        return cfg_gobin.value, f"GOBIN, {cfg_gobin.source}"
    first = cfg_gopath.value.split(os.pathsep)[0] if cfg_gopath.value else ""
    if not first:
        raise FactUnavailable("neither GOBIN nor GOPATH is set (no HOME?)")
    return os.path.join(first, "bin"), f"GOPATH/bin, GOPATH {cfg_gopath.source}"


@fact("paths.user")
def USER(f: Facts) -> Principal:
    """The effective user and groups gomedic runs as: who `go` would run as."""
    return current_principal()


def writable_dir(path: str, who: Principal) -> Access:
    """Can `who` create entries in directory `path` (or create it, when it does not exist yet)?"""
    return can(path, who, W | X, create=True)


@frozen
class InstallDir:
    path: str
    source: str  # "GOBIN, <where set>" or "GOPATH/bin, GOPATH <where set>"
    writable: Access  # for the user gomedic runs as
    is_dir: bool
    tools: tuple[str, ...]  # the executables in it, sorted
    on_path: bool  # an absolute PATH entry is this directory (the same name, or the same directory by inode)
    shadowed: tuple[tuple[str, str], ...]  # (tool, the executable of that name earlier on PATH, elsewhere)


def executables(reader: Reader, d: str) -> list[str]:
    """Names of the executable files in directory `d` (absolute), or [] when it cannot be listed."""
    try:
        return [n for n in reader.listdir(ROOT, d) if reader.is_executable(ROOT, os.path.join(d, n))]
    except OSError:
        return []


def same_dir(reader: Reader, a: str, b: str) -> bool:
    """The same directory: the same name once normalised, or the same inode (os.path.samefile)."""
    if os.path.normpath(a) == os.path.normpath(b):
        return True
    try:
        sa, sb = reader.stat(ROOT, a), reader.stat(ROOT, b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


@fact("paths.install-dir")
def INSTALL_DIR(f: Facts) -> InstallDir:
    cfg, r, cwd = f.get(GO_CONFIG), f.reader, str(f.cwd)
    d, source = install_dir(cfg.get("GOBIN"), cfg.get("GOPATH"))
    full = os.path.join(cwd, d)
    try:
        is_dir = stat.S_ISDIR(r.stat(ROOT, full).st_mode)
    except OSError:
        is_dir = False
    tools = tuple(sorted(executables(r, full)))
    on_path = any(same_dir(r, p, full) for p in path_dirs(f.env) if os.path.isabs(p))
    shadowed = []
    for name in tools if on_path else ():
        first = first_on_path(r, name, f.env, cwd)
        if first and not same_dir(r, os.path.join(cwd, os.path.dirname(first)), full):
            shadowed.append((name, first))
    return InstallDir(d, source, writable_dir(d, f.get(USER)), is_dir, tools, on_path, tuple(shadowed))


@frozen
class DirState:
    is_dir: bool
    real: str  # with every symlink resolved
    dangling: tuple[str, str] | None = None  # (link, missing target): the first component that is a dangling link
    writable: Access | None = None  # for the user gomedic runs as (None: a relative path, not evaluated)


@fact("paths.cache-dirs")
def CACHE_DIRS(f: Facts) -> Mapping[str, DirState]:
    """GOCACHE, GOMODCACHE and GOMODCACHE/cache/download (by their values; a relative one from the working
    directory): directory or not, real path."""
    cfg, r = f.get(GO_CONFIG), f.reader
    out: dict[str, DirState] = {}
    mod = cfg.value("GOMODCACHE")
    for p in (cfg.value("GOCACHE"), mod, os.path.join(mod, "cache", "download") if mod else ""):
        if p:
            full = os.path.join(str(f.cwd), p)
            try:
                is_dir = stat.S_ISDIR(r.stat(ROOT, full).st_mode)
            except (OSError, ValueError):
                is_dir = False
            absolute = os.path.isabs(p)
            out[p] = DirState(is_dir, r.realpath(ROOT, full), dangling_link(p) if absolute else None,
                              writable_dir(p, f.get(USER)) if absolute else None)
    return MappingProxyType(out)

