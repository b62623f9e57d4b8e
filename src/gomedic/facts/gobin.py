"""Where `go install` puts programs (GOBIN, else GOPATH's first entry's bin) and what is in it."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.door import Reader
from gomedic.facts.go import GO_CONFIG, SRC_DEFAULT, Setting
from gomedic.facts.pathscan import path_dirs
from gomedic.values import frozen

ROOT = Path("/")


def install_dir(cfg_gobin: Setting, cfg_gopath: Setting) -> tuple[str, str]:
    """Where `go install` writes: GOBIN, else the first GOPATH entry's bin."""
    if cfg_gobin.value and cfg_gobin.source != SRC_DEFAULT:
        return cfg_gobin.value, f"GOBIN, {cfg_gobin.source}"
    first = cfg_gopath.value.split(os.pathsep)[0] if cfg_gopath.value else ""
    if not first:
        raise FactUnavailable("neither GOBIN nor GOPATH is set (no HOME?)")
    return os.path.join(first, "bin"), f"GOPATH/bin, GOPATH {cfg_gopath.source}"


@frozen
class InstallDir:
    path: str
    source: str  # "GOBIN, <where set>" or "GOPATH/bin, GOPATH <where set>"
    is_dir: bool
    tools: tuple[str, ...]  # the executables in it, sorted
    first: Mapping[str, str | None]  # each tool's name -> the first executable of that name on PATH


def executables(reader: Reader, d: str) -> list[str]:
    """Names of the executable files in directory `d` (absolute), or [] when it cannot be listed."""
    try:
        return [n for n in reader.listdir(ROOT, d) if reader.is_executable(ROOT, os.path.join(d, n))]
    except OSError:
        return []


def first_on_path(reader: Reader, name: str, env: Mapping[str, str], cwd: str) -> str | None:
    """The first executable `name` on env's PATH (relative entries are relative to cwd), as PATH names it."""
    for d in path_dirs(env):
        p = os.path.join(d, name)
        if reader.is_executable(ROOT, os.path.join(cwd, p)):
            return p
    return None


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
    first = {n: first_on_path(r, n, f.env, cwd) for n in tools}
    return InstallDir(d, source, is_dir, tools, MappingProxyType(first))

