"""The environment block this machine needs, derived from the Go installs that are really there.

- The go to use: the first go on PATH, else the newest install found in the usual places (its bin
  directory is put first on PATH).
- GOROOT: never exported unless something else sets a wrong one that an export must override (the
  GOENV file); a wrong exported GOROOT is unset (the go command finds its own root).
- GOPATH/GOBIN/GOCACHE/GOMODCACHE exported with values go rejects (relative, `~`, quotes, empty
  elements) are unset, so go's defaults apply.
- The directory `go install` writes to (GOBIN, else the first GOPATH entry's bin) goes last on PATH.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from gomedic.binfmt import goversion
from gomedic.facts import Facts
from gomedic.facts.go import GO_PATH_SCAN, GOENV_FILE
from gomedic.facts.pathscan import GoInstall, inspect_go, path_dirs, usual_installs
from gomedic.fix.shell import EnvBlock
from gomedic.values import frozen


@frozen
class Derived:
    block: EnvBlock
    go: GoInstall | None  # the go the block makes the shell run
    notes: tuple[str, ...]


def _is_go_tree(root: str | None) -> bool:
    return bool(root) and os.path.isfile(os.path.join(str(root), "bin", "go")) and \
        os.path.isdir(os.path.join(str(root), "src", "runtime"))


def _newest(paths: list[str]) -> GoInstall | None:
    found = [inspect_go(p) for p in paths]
    found = [g for g in found if g.version]
    if not found:
        return None
    best = found[0]
    for g in found[1:]:
        if goversion.compare(g.version or "", best.version or "") > 0:
            best = g
    return best


def bad_path_value(key: str, value: str) -> str | None:
    """Why go rejects this exported GOPATH/GOBIN/GOCACHE/GOMODCACHE value (None: fine)."""
    entries = value.split(os.pathsep) if key == "GOPATH" else [value]
    for e in entries:
        if e == "":
            return "an empty element"
        if e.startswith("~"):
            return f"{e!r} starts with ~, which go does not expand"
        if "'" in e or '"' in e:
            return f"{e!r} contains quotes, which go keeps literally"
        if not os.path.isabs(e):
            return f"{e!r} is relative"
    return None


Unset = list[tuple[str, str]]
Export = list[tuple[str, str, str]]


def derive(f: Facts) -> Derived:
    env: Mapping[str, str] = f.env
    notes: list[str] = []
    prepend: list[tuple[str, str]] = []
    append: list[tuple[str, str]] = []
    on_path = f.get(GO_PATH_SCAN)
    go = on_path[0] if on_path else _newest(usual_installs(env))
    if go is None:
        notes.append("no Go installation found on PATH or in the usual places: install one from https://go.dev/dl/")
    elif not on_path:
        d = os.path.dirname(go.path)
        prepend.append((d, f"{go.version} is installed at {go.path} but no go is on PATH"))
    root = go.root if go else None
    unset, export = _goroot(f, env, go, root)
    unset += _bad_exports(env, root)
    install = _install_dir(f, env, {n for n, _ in unset})
    if install:
        dirs = [os.path.normpath(p) for p in path_dirs(env) if os.path.isabs(p)]
        if os.path.normpath(install) not in dirs:
            append.append((install, f"go install puts programs in {install}"))
    else:
        notes.append("HOME is not set: go has no default GOPATH, so there is no install directory to add")
    block = EnvBlock(tuple(unset), tuple(export), tuple(prepend), tuple(append))
    return Derived(block, go, tuple(notes))


def _goroot(f: Facts, env: Mapping[str, str], go: GoInstall | None, root: str | None) -> tuple[Unset, Export]:
    """GOROOT unset when wrong, exported only when the GOENV file's must be overridden."""
    env_goroot = env.get("GOROOT", "")
    file_goroot = f.get(GOENV_FILE).text.values().get("GOROOT", "")
    if env_goroot and root and os.path.realpath(env_goroot) != os.path.realpath(root):
        if file_goroot and _is_go_tree(root):
            return [], [("GOROOT", root, f"GOROOT={env_goroot} is not the tree of {go.path if go else 'go'}; "
                         f"the GOENV file's GOROOT={file_goroot} must be overridden too")]
        return [("GOROOT", f"GOROOT={env_goroot} is not the tree of {go.path if go else 'go'} "
                 f"({root}): go finds its own root")], []
    if env_goroot and not root and not _is_go_tree(env_goroot):
        return [("GOROOT", f"GOROOT={env_goroot} is not a Go tree")], []
    if not env_goroot and file_goroot and root and _is_go_tree(root) and \
            os.path.realpath(file_goroot) != os.path.realpath(root):
        return [], [("GOROOT", root, f"the GOENV file sets GOROOT={file_goroot}, not the tree of "
                     f"{go.path if go else 'go'}; better: remove that line (`gomedic fix goenv.file`)")]
    return [], []


def _bad_exports(env: Mapping[str, str], root: str | None) -> Unset:
    """GOPATH/GOBIN/GOCACHE/GOMODCACHE exported with a value go rejects (or GOPATH=GOROOT): unset them."""
    unset: Unset = []
    for key in ("GOPATH", "GOBIN", "GOCACHE", "GOMODCACHE"):
        value = env.get(key, "")
        if not value:
            continue
        why = bad_path_value(key, value)
        if why is None and key == "GOPATH" and root and \
                os.path.realpath(value.split(os.pathsep)[0]) == os.path.realpath(root):
            why = "it is GOROOT"
        if why:
            unset.append((key, f"{key}={value}: {why}; go's default applies instead"))
    return unset


def _install_dir(f: Facts, env: Mapping[str, str], unset_names: set[str]) -> str:
    """Where `go install` writes after the block: GOBIN, else the first GOPATH entry's bin ("" without HOME)."""
    gobin = "" if "GOBIN" in unset_names else env.get("GOBIN", "")
    gopath = "" if "GOPATH" in unset_names else env.get("GOPATH", "")
    file_values = f.get(GOENV_FILE).text.values()
    gobin = gobin or ("" if env.get("GOBIN") else file_values.get("GOBIN", ""))
    gopath = gopath or ("" if env.get("GOPATH") else file_values.get("GOPATH", ""))
    if gobin and os.path.isabs(gobin):
        return gobin
    home = env.get("HOME", "")
    first = gopath.split(os.pathsep)[0] if gopath else (os.path.join(home, "go") if home else "")
    return os.path.join(first, "bin") if first and os.path.isabs(first) else ""
