"""VS Code settings the Go extension reads: user and workspace settings.json, and launch.json.

Files are located as VS Code locates them on Linux ($XDG_CONFIG_HOME or ~/.config, for Code, Code - OSS,
VSCodium and Code - Insiders; ~/.vscode-server/data/Machine for VS Code Remote) and, for the workspace,
the nearest `.vscode` directory at or above the current directory. Parse errors are kept as evidence; nothing here raises for a bad file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from gomedic.errors import FormatError
from gomedic.facts import Facts, fact, jsonc
from gomedic.facts.envfile import user_config_dir
from gomedic.lazyre import LazyRegex
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any

PRODUCTS = ("Code", "Code - Insiders", "Code - OSS", "VSCodium")
GO_KEYS = ("go.goroot", "go.gopath", "go.toolsGopath", "go.alternateTools", "go.toolsEnvVars")


@frozen
class JsoncFile:
    path: str
    scope: str  # "user", "remote machine", "workspace", "launch"
    data: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    error: str | None = None


@frozen
class VSCode:
    settings: tuple[JsoncFile, ...]  # user files first, then the workspace file
    launch: JsoncFile | None
    workspace: str | None  # the folder holding .vscode
    looked_in: tuple[str, ...]

    @property
    def found(self) -> bool:
        return bool(self.settings) or self.launch is not None


def read_jsonc(path: str, scope: str) -> JsoncFile | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(jsonc.MAX_JSONC + 1)
    except FileNotFoundError:
        return None
    except OSError as e:
        return JsoncFile(path, scope, error=f"cannot read: {e.strerror or e}")
    try:
        value = jsonc.loads(data.decode("utf-8", "replace"))
    except FormatError as e:
        return JsoncFile(path, scope, error=str(e))
    if not isinstance(value, dict):
        return JsoncFile(path, scope, error=f"top level is a JSON {type(value).__name__}, not an object")
    return JsoncFile(path, scope, MappingProxyType(value))


def find_workspace(cwd: Path, home: str) -> str | None:
    """The nearest directory at or above cwd with a .vscode directory (HOME's own ~/.vscode is the
    extensions folder, not a workspace)."""
    try:
        d = cwd.resolve()
    except OSError:
        return None
    while True:
        if (d / ".vscode").is_dir() and str(d) != home:
            return str(d)
        if d.parent == d:
            return None
        d = d.parent


@fact("editor.vscode")
def VSCODE(f: Facts) -> VSCode:
    looked: list[str] = []
    settings: list[JsoncFile] = []
    cfg = user_config_dir(f.env)
    if cfg:
        for product in PRODUCTS:
            p = os.path.join(cfg, product, "User", "settings.json")
            looked.append(p)
            got = read_jsonc(p, "user")
            if got is not None:
                settings.append(got)
    home = os.path.realpath(f.env["HOME"]) if f.env.get("HOME") else ""
    if home:  # VS Code Remote (SSH, WSL, containers) keeps machine-wide settings on the remote side
        for server in (".vscode-server", ".vscode-server-insiders"):
            p = os.path.join(home, server, "data", "Machine", "settings.json")
            looked.append(p)
            got = read_jsonc(p, "remote machine")
            if got is not None:
                settings.append(got)
    ws = find_workspace(f.cwd, home)
    launch = None
    if ws:
        p = os.path.join(ws, ".vscode", "settings.json")
        looked.append(p)
        got = read_jsonc(p, "workspace")
        if got is not None:
            settings.append(got)
        launch = read_jsonc(os.path.join(ws, ".vscode", "launch.json"), "launch")
    return VSCode(tuple(settings), launch, ws, tuple(looked))


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
