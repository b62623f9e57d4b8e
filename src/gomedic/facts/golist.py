"""`go list -deps` of the module in the current directory: which packages in the build graph need cgo.

One `go list -e -deps -json=...` with the user's settings and a timeout. A package needs cgo when a
file that imports "C" was dropped by build constraints (CGO_ENABLED=0) and nothing replaces it: either
no Go file is left ("build constraints exclude all Go files"), or no remaining file is built for !cgo.
Standard-library packages are left out: net, os/user and friends have pure-Go fallbacks.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass

from gomedic import execx
from gomedic.errors import CommandError, FactUnavailable
from gomedic.facts import Facts, fact

LIST_TIMEOUT = 25.0
FIELDS = "ImportPath,Standard,Dir,GoFiles,CgoFiles,IgnoredGoFiles,Error"
_IMPORT_C = re.compile(rb'(?m)^\s*import\s+"C"|^\s*(?:import\s*\(\s*)?"C"\s*$')
_NOT_CGO = re.compile(rb"(?m)^//go:build\s.*!\s*cgo")
MAX_SOURCE = 1 << 20


@dataclass(frozen=True, slots=True)
class Package:
    import_path: str
    standard: bool
    dir: str
    go_files: tuple[str, ...]
    ignored: tuple[str, ...]
    error: str


@dataclass(frozen=True, slots=True)
class CgoNeed:
    import_path: str
    files: tuple[str, ...]  # the dropped files that import "C"
    reason: str


def parse_stream(text: str) -> list[Package]:
    """The concatenated JSON objects `go list -json` prints (pure; malformed tails are dropped)."""
    dec = json.JSONDecoder()
    out: list[Package] = []
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        try:
            obj, i = dec.raw_decode(text, i)
        except ValueError:
            break
        if not isinstance(obj, dict):
            continue
        err = obj.get("Error")
        out.append(Package(
            str(obj.get("ImportPath", "")), bool(obj.get("Standard", False)), str(obj.get("Dir", "")),
            tuple(str(x) for x in obj.get("GoFiles") or () if isinstance(x, str)),
            tuple(str(x) for x in obj.get("IgnoredGoFiles") or () if isinstance(x, str)),
            str(err.get("Err", "")) if isinstance(err, dict) else "",
        ))
    return out


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_SOURCE)
    except OSError:
        return b""


def imports_c(src: bytes) -> bool:
    head = src.split(b"\nfunc ", 1)[0]
    return bool(_IMPORT_C.search(head))


def cgo_needs(pkgs: list[Package]) -> list[CgoNeed]:
    out: list[CgoNeed] = []
    for p in pkgs:
        if p.standard or not p.ignored or not p.dir:
            continue
        cfiles = tuple(f for f in p.ignored if imports_c(_read(os.path.join(p.dir, f))))
        if not cfiles:
            continue
        if not p.go_files:
            out.append(CgoNeed(p.import_path, cfiles, "build constraints exclude all Go files"))
        elif not any(_NOT_CGO.search(_read(os.path.join(p.dir, f))) for f in p.go_files):
            out.append(CgoNeed(p.import_path, cfiles, "its cgo files are dropped and no file is built for !cgo"))
    return out


@dataclass(frozen=True, slots=True)
class DepsList:
    dir: str
    packages: tuple[Package, ...]
    needs: tuple[CgoNeed, ...]
    stderr: str


@fact("go.list.deps")
def GO_LIST_DEPS(f: Facts) -> DepsList:
    from gomedic.facts.go import GO_CMD, GO_ENV
    from gomedic.facts.gomod import GO_MODULE

    f.get(GO_ENV)  # a go that cannot even report its environment: FactUnavailable with its own error

    mod = f.get(GO_MODULE)
    if mod.module_dir is None:
        raise FactUnavailable("not in a module")
    go = f.get(GO_CMD)
    env = {**f.env, "GOTOOLCHAIN": "local"}
    argv = [go.path, "list", "-e", "-deps", f"-json={FIELDS}", "./..."]
    try:
        r = execx.run(argv, timeout=LIST_TIMEOUT, env=env, cwd=mod.module_dir)
    except CommandError as e:
        raise FactUnavailable(str(e)) from e
    if r.timed_out:
        raise FactUnavailable(r.describe())
    pkgs = parse_stream(r.stdout)
    if not pkgs and not r.ok:
        raise FactUnavailable(f"go list fails: {r.first_error_line()}")
    return DepsList(mod.module_dir, tuple(pkgs), tuple(cgo_needs(pkgs)), r.stderr)
