"""VS Code settings the Go extension reads: user and workspace settings.json, and launch.json.

Files are located as VS Code locates them on Linux ($XDG_CONFIG_HOME or ~/.config, for Code, Code - OSS,
VSCodium and Code - Insiders; ~/.vscode-server/data/Machine for VS Code Remote) and, for the workspace,
the nearest `.vscode` directory at or above the current directory. Parse errors are kept as evidence;
nothing here raises for a bad file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from types import MappingProxyType

from gomedic.errors import FormatError
from gomedic.facts import Facts, fact, jsonc
from gomedic.facts.envfile import user_config_dir
from gomedic.facts.saferead import SafeReader
from gomedic.lazyre import LazyRegex
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any, Literal

    Scope = Literal["user", "remote machine", "workspace", "launch", "tasks", "devcontainer", "extension"]

PRODUCTS = ("Code", "Code - Insiders", "Code - OSS", "VSCodium")
GO_KEYS = ("go.goroot", "go.gopath", "go.toolsGopath", "go.alternateTools", "go.toolsEnvVars")


@frozen
class JsoncFile:
    path: str
    scope: Scope
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    error: str | None = None


@frozen
class VSCode:
    settings: tuple[JsoncFile, ...]  # user files first, then the workspace file
    launch: JsoncFile | None
    workspace: str | None  # the folder holding .vscode
    looked_in: tuple[str, ...]
    tasks: JsoncFile | None = None
    devcontainer: JsoncFile | None = None
    extensions: tuple[tuple[str, str], ...] = ()  # (version, package.json) of the Go extension, newest last

    @property
    def found(self) -> bool:
        return bool(self.settings) or self.launch is not None or self.tasks is not None


def read_jsonc(path: str, scope: Scope, reader: SafeReader | None = None) -> JsoncFile | None:
    read = reader or SafeReader([], cap=jsonc.MAX_JSONC)
    text = read(path)
    if text is None:
        why = read.problems.get(path)
        return JsoncFile(path, scope, error=f"cannot read: {why}") if why else None
    try:
        value = jsonc.loads(text)
    except FormatError as e:
        return JsoncFile(path, scope, error=str(e))
    if not isinstance(value, dict):
        return JsoncFile(path, scope, error=f"top level is a JSON {type(value).__name__}, not an object")
    return JsoncFile(path, scope, MappingProxyType(value))


def find_workspace(cwd: str, home: str) -> str | None:
    """The nearest directory at or above cwd with a .vscode directory (HOME's own ~/.vscode is the
    extensions folder, not a workspace)."""
    try:
        d = os.path.realpath(cwd)
    except OSError:
        return None
    while True:
        if os.path.isdir(os.path.join(d, ".vscode")) and d != home:
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _user_dirs(f: Facts, home: str) -> list[str]:
    """User settings folders: Linux ($XDG_CONFIG_HOME or ~/.config) and macOS (~/Library/Application Support)."""
    out = []
    cfg = user_config_dir(f.env)
    for base in dict.fromkeys((cfg, os.path.join(home, "Library", "Application Support") if home else None)):
        if base:
            out += [os.path.join(base, product, "User") for product in PRODUCTS]
    return out


@fact("editor.vscode")
def VSCODE(f: Facts) -> VSCode:
    looked: list[str] = []
    settings: list[JsoncFile] = []
    home = os.path.realpath(f.env["HOME"]) if f.env.get("HOME") else ""
    ws = find_workspace(f.cwd, home)
    read = SafeReader([home, str(f.cwd), *([ws] if ws else [])], cap=jsonc.MAX_JSONC)
    for d in _user_dirs(f, home):
        p = os.path.join(d, "settings.json")
        looked.append(p)
        got = read_jsonc(p, "user", read)
        if got is not None:
            settings.append(got)
    if home:  # VS Code Remote (SSH, WSL, containers) keeps machine-wide settings on the remote side
        for server in (".vscode-server", ".vscode-server-insiders"):
            p = os.path.join(home, server, "data", "Machine", "settings.json")
            looked.append(p)
            got = read_jsonc(p, "remote machine", read)
            if got is not None:
                settings.append(got)
    launch = tasks = devcontainer = None
    if ws:
        p = os.path.join(ws, ".vscode", "settings.json")
        looked.append(p)
        got = read_jsonc(p, "workspace", read)
        if got is not None:
            settings.append(got)
        launch = read_jsonc(os.path.join(ws, ".vscode", "launch.json"), "launch", read)
        tasks = read_jsonc(os.path.join(ws, ".vscode", "tasks.json"), "tasks", read)
    root = ws or str(f.cwd)
    for rel in (".devcontainer/devcontainer.json", ".devcontainer.json"):
        devcontainer = read_jsonc(os.path.join(root, rel), "devcontainer", read)
        if devcontainer is not None:
            break
    return VSCode(tuple(settings), launch, ws, tuple(looked), tasks, devcontainer, _extensions(home, read))


def _extensions(home: str, read: SafeReader) -> tuple[tuple[str, str], ...]:
    """(version, package.json) of each installed Go extension (golang.go-X.Y.Z), newest last."""
    found: list[tuple[str, str]] = []
    for d in (".vscode/extensions", ".vscode-server/extensions", ".vscode-oss/extensions"):
        base = os.path.join(home, d)
        try:
            names = [n for n in os.listdir(base) if n.startswith("golang.go-")]
        except OSError:
            continue
        for n in names:
            pj = read_jsonc(os.path.join(base, n, "package.json"), "extension", read)
            v = pj.data.get("version") if pj is not None else None
            if isinstance(v, str) and pj is not None:
                found.append((v, pj.path))
    return tuple(sorted(found, key=lambda x: tuple(int(p) if p.isdigit() else 0 for p in x[0].split("."))))


_VAR = LazyRegex(r"\$\{(workspaceFolder|workspaceRoot|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}")


def resolve_path(value: str, env: Mapping[str, str], workspace: str | None) -> str:
    """Expand what vscode-go expands in path settings: ~, ${workspaceFolder}, ${userHome}, ${env:X}."""
    home = env.get("HOME", "")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in ("workspaceFolder", "workspaceRoot"):
            return workspace or m.group(0)
        if name == "userHome":
            return home
        return env.get(m.group(2) or "", "")

    value = _VAR.sub(sub, value)
    if value == "~" or value.startswith("~/"):
        value = home + value[1:]
    return value
