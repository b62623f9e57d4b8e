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
import tempfile

from gomedic import execx, safeio
from gomedic.errors import CommandError, FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.values import frozen

LIST_TIMEOUT = 25.0
FIELDS = "ImportPath,Standard,Dir,GoFiles,CgoFiles,IgnoredGoFiles,Error"
_IMPORT_C = re.compile(rb'(?m)^\s*import\s+"C"|^\s*(?:import\s*\(\s*)?"C"\s*$')
_NOT_CGO = re.compile(rb"(?m)^//go:build\s.*!\s*cgo")
MAX_SOURCE = 1 << 20


@frozen
class Package:
    import_path: str
    standard: bool
    dir: str
    go_files: tuple[str, ...]
    ignored: tuple[str, ...]
    error: str


@frozen
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
        with safeio.open_binary(path) as fh:
            return fh.read(MAX_SOURCE)
    except OSError:
        return b""


def imports_c(src: bytes) -> bool:
    head = src.split(b"\nfunc ", 1)[0]
    return bool(_IMPORT_C.search(head))


MAX_DIRS = 5000


def unlisted_cgo(root: str, listed: set[str], module_path: str = ".") -> list[CgoNeed]:
    """Packages of the module that `./...` does not even match because every file needs cgo (a main
    package that imports "C" makes go say `"./..." matched no packages`). Walks the module's own
    directories (not vendor/, testdata/, hidden ones or nested modules), at most MAX_DIRS of them."""
    out: list[CgoNeed] = []
    seen = 0
    for d, subdirs, files in os.walk(root):
        seen += 1
        if seen > MAX_DIRS:
            break
        subdirs[:] = [x for x in subdirs if not x.startswith((".", "_")) and x not in ("vendor", "testdata")
                      and not os.path.exists(os.path.join(d, x, "go.mod"))]
        if d in listed:
            continue
        gofiles = [x for x in files if x.endswith(".go") and not x.endswith("_test.go")]
        cfiles = tuple(x for x in gofiles if imports_c(_read(os.path.join(d, x))))
        if cfiles and len(cfiles) == len(gofiles):
            rel = os.path.relpath(d, root)
            path = module_path if rel == "." else f"{module_path}/{rel}"
            out.append(CgoNeed(path, cfiles, "build constraints exclude all Go files"))
    return out


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


@frozen
class DepsList:
    dir: str
    packages: tuple[Package, ...]
    needs: tuple[CgoNeed, ...]
    stderr: str


CACHE_OFF_REJECTED = "build cache is disabled by GOCACHE=off"


def _list(argv: list[str], env: dict[str, str], cwd: str, version: str) -> execx.CmdResult:
    """Run `go list` without touching the user's build cache: GOCACHE=off where the release allows it for
    listing (Go 1.21 and newer here), else (go1.19 says `build cache is disabled by GOCACHE=off, but
    required as of Go 1.12`) a throwaway cache directory, removed afterwards."""
    from gomedic.binfmt import goversion

    old = bool(version) and goversion.is_valid(version) and goversion.compare(version, "go1.21") < 0
    try:
        if not old:
            r = execx.run(argv, timeout=LIST_TIMEOUT, env={**env, "GOCACHE": "off"}, cwd=cwd)
            if CACHE_OFF_REJECTED not in r.stderr:
                return r
        with tempfile.TemporaryDirectory(prefix="gomedic-gocache-", ignore_cleanup_errors=True) as tmp:
            return execx.run(argv, timeout=LIST_TIMEOUT, env={**env, "GOCACHE": tmp}, cwd=cwd)
    except CommandError as e:
        raise FactUnavailable(str(e)) from e


@fact("go.list.deps")
def GO_LIST_DEPS(f: Facts) -> DepsList:
    from gomedic.facts.go import GO_CMD, GO_ENV, go_version, readonly_go_env
    from gomedic.facts.gomod import GO_MODULE

    f.get(GO_ENV)  # a go that cannot even report its environment: FactUnavailable with its own error

    mod = f.get(GO_MODULE)
    if mod.module_dir is None:
        raise FactUnavailable("not in a module")
    if mod.hidden:  # go's parse errors would quote a file its owner cannot read
        raise FactUnavailable(f"go list is not run: {mod.hidden[0]} is not shown (see modules.gomod)")
    go = f.get(GO_CMD)
    argv = [go.path, "list", "-e", "-deps", f"-json={FIELDS}", "./..."]
    r = _list(argv, readonly_go_env(f), mod.module_dir, go_version(f) or "")
    if r.timed_out:
        raise FactUnavailable(r.describe())
    pkgs = parse_stream(r.stdout)
    if not pkgs and not r.ok:
        raise FactUnavailable(f"go list fails: {r.first_error_line()}")
    module_path = mod.mod.module if mod.mod and mod.mod.module else "."
    needs = cgo_needs(pkgs) + unlisted_cgo(mod.module_dir, {p.dir for p in pkgs}, module_path)
    return DepsList(mod.module_dir, tuple(pkgs), tuple(needs), r.stderr)
