"""The GOROOT tree the go command uses: where it is (and where that came from), whether it is a Go tree,
and the releases its VERSION file, bin/go and compiler say. Read through `f.reader`; Go binaries' build
info through binfmt (read, never run)."""

from __future__ import annotations

import os
import stat

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.door import Reader
from gomedic.facts.go import GO_CONFIG, SRC_DEFAULT
from gomedic.facts.host import HOST
from gomedic.values import frozen

ROOT = "/"  # the reader's root: this machine
DERIVED = "derived from the go binary"


def goroot_setting(f: Facts) -> tuple[str, str]:
    """(GOROOT, where it came from): the environment, the GOENV file, or the go binary's own root."""
    s = f.get(GO_CONFIG).get("GOROOT")
    if s.source != SRC_DEFAULT:
        return s.value, s.source
    if s.value:
        return s.value, DERIVED
    raise FactUnavailable("GOROOT is not set and no go binary to derive it from")


@frozen
class GorootTree:
    path: str
    source: str
    exists: bool
    is_dir: bool
    missing: tuple[str, ...]  # of bin/go and src/runtime


def _mode(reader: Reader, path: str) -> int | None:
    try:
        return reader.stat(ROOT, path).st_mode
    except (OSError, ValueError):
        return None


@fact("toolchain.goroot-tree")
def GOROOT_TREE(f: Facts) -> GorootTree:
    goroot, source = goroot_setting(f)
    full = os.path.join(str(f.cwd), goroot)
    mode = _mode(f.reader, full)
    is_dir = mode is not None and stat.S_ISDIR(mode)
    missing = tuple(p for p in ("bin/go", "src/runtime") if is_dir and _mode(f.reader, os.path.join(full, p)) is None)
    return GorootTree(goroot, source, mode is not None, is_dir, missing)


@frozen
class GorootRelease:
    version: str | None  # GOROOT/VERSION's first line, else bin/go's build info
    tooldir: str  # GOTOOLDIR of `go env` when GOROOT is the go binary's own, else GOROOT/pkg/tool/GOOS_GOARCH
    compile_path: str
    compile_version: str | None  # None: no compiler there (or not a Go binary)


def version_file(reader: Reader, goroot: str) -> str | None:
    text = reader.text(ROOT, os.path.join(goroot, "VERSION"), 256)
    first = text.split("\n", 1)[0].strip() if text is not None else ""
    return first or None


@fact("toolchain.goroot-release")
def GOROOT_RELEASE(f: Facts) -> GorootRelease:
    from gomedic.binfmt.buildinfo import go_version_of

    goroot, source = goroot_setting(f)
    full = os.path.join(str(f.cwd), goroot)
    version = version_file(f.reader, full) or go_version_of(os.path.join(full, "bin", "go"))
    host = f.get(HOST)
    tooldir = f.get(GO_CONFIG).value("GOTOOLDIR") if source == DERIVED else ""
    tooldir = tooldir or os.path.join(goroot, "pkg", "tool", f"{host.goos}_{host.goarch}")
    compile_path = os.path.join(tooldir, "compile")
    full_compile = os.path.join(str(f.cwd), compile_path)
    compile_version = go_version_of(full_compile) if f.reader.exists(ROOT, full_compile) else None
    return GorootRelease(version, tooldir, compile_path, compile_version)
