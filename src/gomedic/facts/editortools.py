"""What VS Code's Go settings name, looked up on this machine: the go.goroot installs, the go.alternateTools
executables, the GOROOT of env objects (EDITOR_PATHS), and the gopls the Go extension would start (GOPLS).
Binaries are read (their build info), never run."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from gomedic.errors import FactUnavailable, FormatError
from gomedic.facts import Facts, fact
from gomedic.facts.go import GO_CONFIG
from gomedic.facts.pathscan import is_executable_file, read_version_file, which
from gomedic.facts.vscode import VSCODE, VSCode, resolve_path
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Any

    from gomedic.binfmt.buildinfo import BuildInfo


@frozen
class GoRoot:
    """A go.goroot value resolved: whether it is a Go install, and the release it holds."""

    path: str  # resolved, without a trailing slash
    is_dir: bool = False
    has_go: bool = False  # an executable bin/go
    version: str | None = None  # its VERSION file, else bin/go's build info


@frozen
class EditorPaths:
    goroots: Mapping[str, GoRoot]  # by the raw "go.goroot" value
    tools: Mapping[str, str | None]  # a go.alternateTools value (raw) -> the executable it resolves to
    go_versions: Mapping[str, str | None]  # a resolved "go" tool -> the Go release it was built with
    dirs: Mapping[str, bool]  # a GOROOT set in an env object -> whether it is a directory


@frozen
class Gopls:
    candidates: tuple[tuple[str, str], ...]  # (path, how found) in the order the Go extension looks
    info: BuildInfo | None = None  # the first candidate's build info
    error: str | None = None  # why it could not be read


def shell_value(f: Facts, key: str) -> str:
    try:
        return f.get(GO_CONFIG).value(key)
    except FactUnavailable:
        return f.env.get(key, "")


def _goroot(raw: str, env: Mapping[str, str], workspace: str | None) -> GoRoot:
    path = resolve_path(raw, env, workspace).rstrip("/") or "/"
    if path.endswith("/bin") or path.endswith("/bin/go"):
        return GoRoot(path)
    if not os.path.isdir(path):
        return GoRoot(path)
    go = os.path.join(path, "bin", "go")
    if not is_executable_file(go):
        return GoRoot(path, True)
    from gomedic.binfmt import buildinfo

    return GoRoot(path, True, True, read_version_file(path) or buildinfo.go_version_of(go))


def _tools(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(name, value) of the go.alternateTools entries and go.toolsManagement.go of one settings file."""
    alt = data.get("go.alternateTools")
    out = [(k, v) for k, v in alt.items() if isinstance(v, str) and v] if isinstance(alt, dict) else []
    tm = data.get("go.toolsManagement.go")
    return [*out, ("go", tm)] if isinstance(tm, str) and tm else out


def _env_goroots(vs: VSCode) -> Iterable[Any]:
    for sf in vs.settings:
        env = sf.data.get("go.toolsEnvVars")
        yield env.get("GOROOT") if isinstance(env, dict) else None
    configs = vs.launch.data.get("configurations") if vs.launch is not None else None
    for c in configs if isinstance(configs, list) else []:
        if isinstance(c, dict) and c.get("type") == "go" and isinstance(c.get("env"), dict):
            yield c["env"].get("GOROOT")


@fact("editor.paths")
def EDITOR_PATHS(f: Facts) -> EditorPaths:
    from gomedic.binfmt import buildinfo

    vs = f.get(VSCODE)
    goroots: dict[str, GoRoot] = {}
    tools: dict[str, str | None] = {}
    go_versions: dict[str, str | None] = {}
    for sf in vs.settings:
        if sf.error:
            continue
        raw = sf.data.get("go.goroot")
        if isinstance(raw, str) and raw and raw not in goroots:
            goroots[raw] = _goroot(raw, f.env, vs.workspace)
        for name, value in _tools(sf.data):
            if value not in tools:
                tools[value] = which(resolve_path(value, f.env, vs.workspace), f.env, vs.workspace)
            found = tools[value]
            if name == "go" and found is not None and found not in go_versions:
                go_versions[found] = buildinfo.go_version_of(found)
    dirs = {g: os.path.isdir(g) for g in _env_goroots(vs) if isinstance(g, str) and g}
    return EditorPaths(MappingProxyType(goroots), MappingProxyType(tools), MappingProxyType(go_versions),
                       MappingProxyType(dirs))


def _setting(vs: VSCode, key: str) -> Any:
    """The effective value of a setting: the workspace file overrides the user files."""
    value = None
    for sf in vs.settings:
        if key in sf.data:
            value = sf.data[key]
    return value


def gopls_candidates(f: Facts, vs: VSCode) -> list[tuple[str, str]]:
    """(path, how found) in the order the Go extension looks."""
    out: list[tuple[str, str]] = []
    alt = _setting(vs, "go.alternateTools")
    if isinstance(alt, dict) and isinstance(alt.get("gopls"), str):
        p = which(resolve_path(alt["gopls"], f.env, vs.workspace), f.env, vs.workspace)
        return [(p, '"go.alternateTools"')] if p else []
    dirs: list[tuple[str, str]] = []
    tg = _setting(vs, "go.toolsGopath")
    if isinstance(tg, str) and tg:
        dirs += [(os.path.join(resolve_path(d, f.env, vs.workspace), "bin"), '"go.toolsGopath"')
                 for d in tg.split(os.pathsep) if d]
    gobin = shell_value(f, "GOBIN")
    if gobin:
        dirs.append((gobin, "GOBIN"))
    dirs += [(os.path.join(d, "bin"), "GOPATH/bin") for d in shell_value(f, "GOPATH").split(os.pathsep) if d]
    seen: set[str] = set()
    for d, how in dirs:
        if d in seen:
            continue
        seen.add(d)
        p = os.path.join(d, "gopls")
        if is_executable_file(p):
            out.append((p, how))
    p = which("gopls", f.env)
    if p:
        out.append((p, "PATH"))
    return out


@fact("editor.gopls")
def GOPLS(f: Facts) -> Gopls:
    from gomedic.binfmt import buildinfo

    found = tuple(gopls_candidates(f, f.get(VSCODE)))
    if not found:
        return Gopls(found)
    try:
        return Gopls(found, buildinfo.read_file(found[0][0]))
    except (FormatError, OSError) as e:
        return Gopls(found, error=str(e))
