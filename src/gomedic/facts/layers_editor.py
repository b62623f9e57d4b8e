"""The VS Code layers: `go.toolsEnvVars`, `go.goroot`/`go.gopath` (settings.json) and each Go launch
configuration's `envFile` and `env` (launch.json), with the line each value is on. Read, never executed."""

from __future__ import annotations

from collections.abc import Mapping

from gomedic.facts import Facts
from gomedic.facts.saferead import SafeReader
from gomedic.facts.vscode import JsoncFile, VSCode, resolve_path
from gomedic.layers import dotenv
from gomedic.layers.model import Kind, Setting, tracked
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:  # no typing at run time on the start-up path (CONTRIBUTING.md)
    from typing import Any


def _line_of(text: str | None, *needles: str) -> int:
    """The line of the last needle, searched in order (each after the previous): 0 when not found."""
    if text is None:
        return 0
    pos = 0
    for n in needles:
        i = text.find(n, pos)
        if i < 0:
            return 0
        pos = i
    return text.count("\n", 0, pos) + 1


def _effective(vs: VSCode, key: str) -> tuple[Any, JsoncFile | None]:
    value, where = None, None
    for sf in vs.settings:
        if key in sf.data:
            value, where = sf.data[key], sf
    return value, where


def vscode_settings(f: Facts, vs: VSCode, env: Mapping[str, str], read: SafeReader) -> list[Setting]:
    out: list[Setting] = []
    tev, sf = _effective(vs, "go.toolsEnvVars")
    if isinstance(tev, dict) and sf is not None:
        text = read(sf.path)
        for k, v in tev.items():
            if isinstance(v, str) and tracked(k):
                out.append(Setting(k, resolve_path(v, env, vs.workspace), Kind.VSCODE, sf.path,
                                   _line_of(text, '"go.toolsEnvVars"', f'"{k}"')))
    for key, var in (("go.goroot", "GOROOT"), ("go.gopath", "GOPATH")):
        value, sf = _effective(vs, key)
        if isinstance(value, str) and value and sf is not None and not env.get(var):
            resolved = resolve_path(value, env, vs.workspace)
            line = _line_of(read(sf.path), f'"{key}"')
            out.append(Setting(var, resolved, Kind.VSCODE, sf.path, line))
            if var == "GOROOT":  # the extension runs <go.goroot>/bin/go
                path = env.get("PATH", "")
                out.append(Setting("PATH", f"{resolved}/bin:{path}" if path else f"{resolved}/bin",
                                   Kind.VSCODE, sf.path, line))
    return out


def launch_settings(vs: VSCode, env: Mapping[str, str], read: SafeReader) -> list[tuple[str, list[Setting]]]:
    lf = vs.launch
    if lf is None or lf.error:
        return []
    configs = lf.data.get("configurations")
    text = read(lf.path)
    out: list[tuple[str, list[Setting]]] = []
    for i, c in enumerate(configs if isinstance(configs, list) else []):
        if not (isinstance(c, dict) and c.get("type") == "go"):
            continue
        name = str(c.get("name", i))
        got: list[Setting] = []
        scope = dict(env)
        ef = c.get("envFile")
        if isinstance(ef, str) and ef:
            path = resolve_path(ef, env, vs.workspace)
            etext = read(path)
            if etext is not None:
                for s in dotenv.parse(etext, path, scope, Kind.DOTENV):
                    got.append(s)
                    scope[s.key] = s.value or ""
        cenv = c.get("env")
        if isinstance(cenv, dict):
            for k, v in cenv.items():
                if isinstance(v, str) and tracked(k):
                    got.append(Setting(k, resolve_path(v, scope, vs.workspace), Kind.LAUNCH, lf.path,
                                       _line_of(text, f'"{name}"', f'"{k}"')))
        out.append((name, got))
    return out
