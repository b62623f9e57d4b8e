"""editor: VS Code's Go settings and gopls — the editor must use the Go the shell uses."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping

from gomedic.binfmt import goversion
from gomedic.checks.editor_workspace import tasks_finding
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.editortools import EDITOR_PATHS, GOPLS, shell_value
from gomedic.facts.go import go_version
from gomedic.facts.gomod import GO_MODULE
from gomedic.facts.vscode import VSCODE, JsoncFile, VSCode, resolve_path
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity, Status
from gomedic.registry import check
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

T = Category.TOOLCHAIN
TARGET_KEYS = ("GOOS", "GOARCH", "CGO_ENABLED")
_RANK = {Status.OK: 0, Status.WARN: 1, Status.FAIL: 2}


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[Status, str, str]] = []

    def add(self, status: Status, msg: str, fix: str) -> None:
        self.items.append((status, msg, fix))

    def finding(self, subject: str, okmsg: str, **ev: Any) -> Finding:
        if not self.items:
            return ok(okmsg, subject=subject, **ev)
        worst = max(self.items, key=lambda p: _RANK[p[0]])[0]
        summary = "; ".join(m for _, m, _ in self.items)
        fix = "; ".join(dict.fromkeys(x for _, _, x in self.items))
        make = fail if worst is Status.FAIL else warn
        return make(summary, fix=fix, subject=subject, **ev)


def _local_go_version(f: Facts) -> str | None:
    try:
        return go_version(f)
    except FactUnavailable:
        return None


def _check_goroot(f: Facts, raw: str, vs: VSCode, probs: _Problems, where: str) -> None:
    gr = f.get(EDITOR_PATHS).goroots[raw]
    goroot = gr.path
    fix = f'remove "go.goroot" from {where} (the extension then uses the go on PATH), or point it at an installed Go'
    if goroot.endswith("/bin") or goroot.endswith("/bin/go"):
        probs.add(Status.FAIL, f'"go.goroot": "{raw}" points inside bin/: go reports '
                  f"`go: cannot find GOROOT directory: {goroot}`", fix)
        return
    if not gr.is_dir:
        probs.add(Status.FAIL, f'"go.goroot": "{raw}" names a Go install that does not exist ({goroot}): the '
                  f"extension fails with `go: cannot find GOROOT directory: {goroot}`", fix)
        return
    if not gr.has_go:
        probs.add(Status.FAIL, f'"go.goroot": "{raw}" has no bin/go: it is not a Go install', fix)
        return
    if f.env.get("GOROOT"):
        probs.add(Status.WARN, f'"go.goroot": "{raw}" is ignored: GOROOT={f.env["GOROOT"]} is exported and wins',
                  "set the Go install in one place only: unset GOROOT or remove go.goroot")
    local = _local_go_version(f)
    theirs = gr.version
    if local and theirs and goversion.compare(local, theirs) != 0:
        probs.add(Status.WARN, f'"go.goroot": "{raw}" is {theirs} but the go on PATH is {local}: the editor '
                  "builds and analyses with another release than the shell", fix)


def _check_gopath(f: Facts, key: str, raw: str, vs: VSCode, probs: _Problems, where: str) -> None:
    for entry in resolve_path(raw, f.env, vs.workspace).split(os.pathsep):
        if not entry or not os.path.isabs(entry):
            probs.add(Status.FAIL, f'"{key}": "{raw}" has a relative or empty entry {entry!r}: go reports '
                      f'`go: GOPATH entry is relative; must be absolute path: "{entry}"`',
                      f'make every entry of "{key}" in {where} absolute')


def _check_tools(f: Facts, tools: Any, vs: VSCode, probs: _Problems, where: str) -> None:
    if not isinstance(tools, dict):
        probs.add(Status.WARN, '"go.alternateTools" is not an object', f'fix "go.alternateTools" in {where}')
        return
    for name, value in tools.items():
        if not isinstance(value, str) or not value:
            continue
        resolved = resolve_path(value, f.env, vs.workspace)
        found = f.get(EDITOR_PATHS).tools[value]
        if found is None:
            probs.add(Status.FAIL, f'"go.alternateTools": {{"{name}": "{value}"}} does not resolve to an executable'
                      f" ({resolved if os.sep in resolved else 'not on PATH'})",
                      f'fix or remove the "{name}" entry of "go.alternateTools" in {where}')
        elif name == "go":
            local = _local_go_version(f)
            theirs = f.get(EDITOR_PATHS).go_versions[found]
            if local and theirs and goversion.compare(local, theirs) != 0:
                probs.add(Status.WARN, f'"go.alternateTools" go is {found} ({theirs}) but the go on PATH is {local}',
                          f'use one Go: remove the "go" entry of "go.alternateTools" in {where}, or fix PATH')


def _check_env(f: Facts, label: str, env: Any, probs: _Problems, where: str) -> None:
    if not isinstance(env, dict):
        return
    for key in TARGET_KEYS:
        value = env.get(key)
        if not isinstance(value, str):
            continue
        shell = shell_value(f, key)
        if value != shell:
            probs.add(Status.WARN, f"{label} sets {key}={value} but the shell has {key}={shell or '(unset)'}: "
                      "the editor builds, tests and debugs something else than `go` in the terminal",
                      f"remove {key} from {label} in {where}, or set it the same way in the shell")
    goroot = env.get("GOROOT")
    if isinstance(goroot, str) and goroot and not f.get(EDITOR_PATHS).dirs[goroot]:
        probs.add(Status.FAIL, f"{label} sets GOROOT={goroot}, which does not exist",
                  f"remove GOROOT from {label} in {where}")


def _settings_finding(f: Facts, vs: VSCode, sf: JsoncFile) -> Finding:
    if sf.error:
        return warn(f"cannot parse {sf.path}: {sf.error}: VS Code ignores the broken part of its settings",
                    fix=f"fix the JSON in {sf.path}", subject=sf.path, file=sf.path, error=sf.error)
    probs = _Problems()
    data: Mapping[str, Any] = sf.data
    ev = {"file": sf.path, "scope": sf.scope}
    for key in ("go.goroot", "go.gopath", "go.toolsGopath"):
        raw = data.get(key)
        if isinstance(raw, str) and raw:
            ev[key] = raw
            if key == "go.goroot":
                _check_goroot(f, raw, vs, probs, sf.path)
            else:
                _check_gopath(f, key, raw, vs, probs, sf.path)
    if "go.alternateTools" in data:
        ev["go.alternateTools"] = json.dumps(data["go.alternateTools"])
        _check_tools(f, data["go.alternateTools"], vs, probs, sf.path)
    tm = data.get("go.toolsManagement.go")
    if isinstance(tm, str) and tm:
        # the go the extension installs tools with; gomedic reads its build info, never runs it
        ev["go.toolsManagement.go"] = tm
        _check_tools(f, {"go": tm}, vs, probs, sf.path)
    if "go.toolsEnvVars" in data:
        tev = data["go.toolsEnvVars"]
        # KEY=value pairs, so that render's redaction masks secrets (GITHUB_TOKEN=...) as it does everywhere
        ev["go.toolsEnvVars"] = " ".join(f"{k}={v}" for k, v in tev.items()) if isinstance(tev, dict) else str(tev)
        _check_env(f, '"go.toolsEnvVars"', data["go.toolsEnvVars"], probs, sf.path)
    present = [k for k in ("go.goroot", "go.gopath", "go.toolsGopath", "go.alternateTools", "go.toolsEnvVars")
               if k in data]
    okmsg = (f"{sf.path}: {', '.join(present)} agree with the shell" if present
             else f"{sf.path}: no Go toolchain settings (the extension uses the go on PATH)")
    return probs.finding(sf.path, okmsg, **ev)


def _launch_finding(f: Facts, lf: JsoncFile) -> Finding:
    if lf.error:
        return warn(f"cannot parse {lf.path}: {lf.error}", fix=f"fix the JSON in {lf.path}", subject=lf.path,
                    file=lf.path, error=lf.error)
    probs = _Problems()
    configs = lf.data.get("configurations")
    n = 0
    for i, c in enumerate(configs if isinstance(configs, list) else []):
        if isinstance(c, dict) and c.get("type") == "go":
            n += 1
            _check_env(f, f'configuration "{c.get("name", i)}" env', c.get("env"), probs, lf.path)
    return probs.finding(lf.path, f"{lf.path}: {n} Go launch configuration(s), none overrides GOOS/GOARCH/CGO_ENABLED",
                         file=lf.path, configurations=n)


@check("editor.vscode", category=T, severity=Severity.MEDIUM,
       title="VS Code's Go settings point at the Go the shell uses")
def vscode(f: Facts) -> Iterator[Finding]:
    """`go.goroot`, `go.gopath`, `go.toolsGopath`, `go.alternateTools` and `go.toolsEnvVars` in VS Code's
    user and workspace settings.json (comments and trailing commas allowed), and the `env` of Go
    configurations in .vscode/launch.json, agree with the shell.

    A `go.goroot` left pointing at a removed or upgraded install makes the extension fail with
    `go: cannot find GOROOT directory: /usr/local/Cellar/go/1.21.5/libexec`, or `Failed to find the "go"
    binary`; one pointing at another release makes the editor build with a different Go than the
    terminal. An exported GOROOT silently overrides `go.goroot`. GOOS/GOARCH/CGO_ENABLED in
    `go.toolsEnvVars` or launch.json make the editor build and debug another target than `go build`.

    Fix: remove `go.goroot` (the extension uses the go on PATH) or point it at an installed Go; remove
    or fix stale `go.alternateTools` entries; set GOOS/GOARCH/CGO_ENABLED in one place.
    """
    vs = f.get(VSCODE)
    if not vs.found:
        yield skip(f"no VS Code settings found (looked in {', '.join(vs.looked_in) or 'no config dir: HOME unset'})")
        return
    for sf in vs.settings:
        yield _settings_finding(f, vs, sf)
    if vs.launch is not None:
        yield _launch_finding(f, vs.launch)
    if vs.tasks is not None:
        yield tasks_finding(f, vs.tasks)


@check("editor.gopls", category=T, severity=Severity.MEDIUM,
       title="gopls is installed where the editor looks and supports this Go release")
def gopls(f: Facts) -> Finding:
    """gopls is installed where the Go extension looks (go.alternateTools, go.toolsGopath/bin, GOBIN,
    GOPATH/bin, PATH), and was built with a Go release at least as new as the local go.

    gopls type-checks with the Go it was built with, not the go on PATH. Built with an older release,
    it cannot load modules whose go line is newer: every file shows
    `package requires newer Go version go1.27 (application built with go1.22)`, and newer gopls
    versions warn `Gopls was built with Go version 1.22 …`. gomedic reads gopls's embedded build info; it
    never runs it.

    Fix: reinstall gopls with the current go: `go install golang.org/x/tools/gopls@latest`.
    """
    vs = f.get(VSCODE)
    g = f.get(GOPLS)
    found = g.candidates
    if not found:
        if vs.found:
            return warn("VS Code is configured but gopls is not installed where the Go extension looks "
                        "(go.alternateTools, go.toolsGopath, GOBIN, GOPATH/bin, PATH)",
                        fix="go install golang.org/x/tools/gopls@latest")
        return skip("gopls is not installed and no VS Code settings were found")
    path, how = found[0]
    ev: dict[str, str] = {"gopls": path, "found via": how}
    if vs.extensions:
        ev["Go extension"] = f"{vs.extensions[-1][0]} ({vs.extensions[-1][1]})"
    bi = g.info
    if bi is None:
        return warn(f"{path} (found via {how}) is not a Go binary gomedic can read: {g.error}",
                    fix="reinstall gopls: go install golang.org/x/tools/gopls@latest", **ev)
    ev["gopls built with"] = bi.go_version
    ev["gopls version"] = bi.main.version if bi.main else "unknown"
    local = _local_go_version(f)
    if not local:
        return skip("the local go version is unknown (see toolchain.go-on-path)", **ev)
    ev["local go"] = local
    built, built_lang = bi.go_version, goversion.lang(bi.go_version)
    if goversion.compare(built_lang, goversion.lang(local)) >= 0:
        return ok(f"{path} (gopls {ev['gopls version']}) was built with {built}; the local go is {local}", **ev)
    fix = f"reinstall gopls with {local}: go install golang.org/x/tools/gopls@latest"
    mod = f.get(GO_MODULE)
    go_line = mod.go_line
    if go_line and goversion.compare(goversion.lang("go" + go_line), built_lang) > 0:
        ev[mod.kind] = mod.file or ""
        return fail(f"{path} was built with {built} and cannot load {mod.file} (go {go_line}): the editor shows "
                    f"`package requires newer Go version go{go_line} (application built with {built_lang})`",
                    fix=fix, **ev)
    return warn(f"{path} was built with {built}, older than the local {local}: it cannot load modules that "
                f"need {goversion.lang(local)} features", fix=fix, **ev)
