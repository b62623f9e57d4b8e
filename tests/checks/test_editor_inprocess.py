"""editor.* in-process: VS Code files parsed by gomedic's JSONC reader and seeded as the VSCODE fact, the go
on PATH and `go env` seeded from the cached toolchains; gopls stand-ins are real Go executables of the build
corpus (gomedic reads their build info, never runs them)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from gomedic.checks.editor import gopls, vscode
from gomedic.checks.editor_workspace import devcontainer
from gomedic.errors import FormatError
from gomedic.facts import Facts, jsonc
from gomedic.facts.vscode import VSCODE, JsoncFile, VSCode
from gomedic.model import Status
from tests.support.gobuild import corpus
from tests.support.seeded import GoRun, all_of, go_facts, module, one, prefetch, run_area
from tests.support.toolchains import NEWEST, release, toolchain

USER = "/home/gmseeded/.config/Code/User/settings.json"
WS = "/src/app/.vscode"


def jsonc_file(path: str, scope: str, text: str) -> JsoncFile:
    """What read_jsonc makes of `text` (comments and trailing commas allowed; errors kept)."""
    try:
        value = jsonc.loads(text)
    except FormatError as e:
        return JsoncFile(path, scope, error=str(e))
    return JsoncFile(path, scope, value)


def code(*settings: JsoncFile, launch: JsoncFile | None = None, tasks: JsoncFile | None = None,
         devcontainer: JsoncFile | None = None) -> VSCode:
    return VSCode(tuple(settings), launch, "/src/app", ("/home/gmseeded/.config/Code/User",), tasks, devcontainer)


def with_code(vs: VSCode, **kw: Any) -> Facts:
    f = go_facts(**kw)
    f.seed(VSCODE, vs)
    return f


def test_no_vscode_settings_skips_naming_where_it_looked() -> None:
    vs = VSCode((), None, None, ("/home/gmseeded/.config/Code/User",))
    r = one(vscode(with_code(vs)))
    assert (
        r.status is Status.SKIP
        and r.summary == "no VS Code settings found (looked in /home/gmseeded/.config/Code/User)"
    )


def test_settings_without_go_keys_are_ok() -> None:
    vs = code(jsonc_file(USER, "user", '{\n  // editor\n  "editor.fontSize": 14,\n}\n'))
    r = one(vscode(with_code(vs)))
    assert (
        r.status is Status.OK and r.summary == f"{USER}: no Go toolchain settings (the extension uses the go on PATH)"
    )
    assert r.subject == USER and r.evidence["file"] == USER


def test_goroot_of_a_removed_install_fails_and_another_release_warns() -> None:
    vs = code(jsonc_file(USER, "user", '{"go.goroot": "/usr/local/Cellar/go/1.21.5/libexec"}'))
    r = one(vscode(with_code(vs)))
    assert r.status is Status.FAIL
    assert "`go: cannot find GOROOT directory: /usr/local/Cellar/go/1.21.5/libexec`" in r.summary
    assert r.fix is not None and r.fix.startswith(f'remove "go.goroot" from {USER}')
    old = toolchain("1.22.10")
    r = one(vscode(with_code(code(jsonc_file(USER, "user", f'{{"go.goroot": "{old}"}}')))))
    assert r.status is Status.WARN
    assert r.summary == f'"go.goroot": "{old}" is go1.22.10 but the go on PATH is {release(NEWEST)}: the editor ' \
        "builds and analyses with another release than the shell"


def test_exported_goroot_wins_over_go_goroot() -> None:
    root = toolchain(NEWEST)
    vs = code(jsonc_file(USER, "user", f'{{"go.goroot": "{root}"}}'))
    r = one(vscode(with_code(vs, env={"GOROOT": str(root)})))
    assert r.status is Status.WARN and f"is ignored: GOROOT={root} is exported and wins" in r.summary
    assert r.fix == "set the Go install in one place only: unset GOROOT or remove go.goroot"


@pytest.fixture(scope="module", autouse=True)
def relative_gopath() -> dict[str, Any]:
    """What the real go says with GOPATH=go (captured once per machine)."""
    return prefetch({"gopath": GoRun(NEWEST, ("env", "GOPATH"), {"GOPATH": "go"})})["gopath"]


def test_relative_gopath_fails_with_gos_words(relative_gopath: dict[str, Any]) -> None:
    assert 'GOPATH entry is relative; must be absolute path: "go"' in relative_gopath["stderr"]
    vs = code(jsonc_file(f"{WS}/settings.json", "workspace", '{"go.gopath": "go"}'))
    r = one(vscode(with_code(vs)))
    assert r.status is Status.FAIL and 'go: GOPATH entry is relative; must be absolute path: "go"' in r.summary
    assert r.fix == f'make every entry of "go.gopath" in {WS}/settings.json absolute'


def test_alternate_tools_missing_and_another_go() -> None:
    old_go = toolchain("1.22.10") / "bin" / "go"
    text = f'{{"go.alternateTools": {{"go": "{old_go}", "dlv": "/nonexistent/dlv"}}}}'
    r = one(vscode(with_code(code(jsonc_file(USER, "user", text)))))
    assert r.status is Status.FAIL  # the worst of the two problems
    assert f'"go.alternateTools" go is {old_go} (go1.22.10) but the go on PATH is {release(NEWEST)}' in r.summary
    assert '"go.alternateTools": {"dlv": "/nonexistent/dlv"} does not resolve to an executable' in r.summary
    assert 'fix or remove the "dlv" entry of "go.alternateTools"' in (r.fix or "")


def test_tools_env_vars_launch_and_tasks_that_change_the_target() -> None:
    settings = jsonc_file(USER, "user", '{"go.toolsEnvVars": {"GOOS": "windows", "GITHUB_TOKEN": "x"}}')
    launch = jsonc_file(f"{WS}/launch.json", "launch",
                        '{"configurations": [{"name": "Debug", "type": "go", "env": {"GOARCH": "arm64"}}]}')
    tasks = jsonc_file(
        f"{WS}/tasks.json", "tasks", '{"tasks": [{"label": "test", "options": {"env": {"GOFLAGS": "-race"}}}]}'
    )
    got = all_of(vscode(with_code(code(settings, launch=launch, tasks=tasks))))
    assert [x.status for x in got] == [Status.WARN, Status.WARN, Status.WARN]
    assert '"go.toolsEnvVars" sets GOOS=windows but the shell has GOOS=linux' in got[0].summary
    assert got[0].evidence["go.toolsEnvVars"] == "GOOS=windows GITHUB_TOKEN=x"
    assert 'configuration "Debug" env sets GOARCH=arm64 but the shell has GOARCH=amd64' in got[1].summary
    assert got[2].summary.startswith('task "test" options.env sets GOFLAGS=-race (the shell has GOFLAGS=(unset))')
    assert got[2].fix == f"remove these variables from {WS}/tasks.json or set them the same way in the shell"


def test_broken_settings_json_warns_with_the_parse_error() -> None:
    bad = jsonc_file(USER, "user", '{"go.goroot": "/usr/local/go"')
    assert bad.error
    r = one(vscode(with_code(code(bad))))
    assert (
        r.status is Status.WARN
        and r.summary == f"cannot parse {USER}: {bad.error}: VS Code ignores the broken part of its settings"
    )
    assert r.fix == f"fix the JSON in {USER}"


def _gopath_with(tmp_path: Path, exe: Path) -> Path:
    gopath = tmp_path / "gopath"
    (gopath / "bin").mkdir(parents=True)
    shutil.copy(exe, gopath / "bin" / "gopls")
    return gopath


def test_gopls_built_with_an_older_go_warns_and_fails_for_a_newer_go_line(tmp_path: Path) -> None:
    gopath = _gopath_with(tmp_path, corpus("go1.22"))  # a real Go executable built by go1.22.10
    vs = code(jsonc_file(USER, "user", "{}"))
    r = one(gopls(with_code(vs, env={"GOPATH": str(gopath)})))
    assert r.status is Status.WARN and r.evidence["found via"] == "GOPATH/bin"
    assert r.summary.startswith(f"{gopath}/bin/gopls was built with go1.22.10, older than the local {release(NEWEST)}")
    assert r.fix == f"reinstall gopls with {release(NEWEST)}: go install golang.org/x/tools/gopls@latest"
    mod = module("/src/app/go.mod", "module example.com/app\n\ngo 1.25.0\n")
    r = one(gopls(with_code(vs, env={"GOPATH": str(gopath)}, mod=mod)))
    assert r.status is Status.FAIL
    assert "`package requires newer Go version go1.25.0 (application built with go1.22)`" in r.summary


def test_gopls_current_missing_and_unreadable(tmp_path: Path) -> None:
    gopath = _gopath_with(tmp_path, corpus("linux-amd64"))  # built by the newest release
    vs = code(jsonc_file(USER, "user", "{}"))
    r = one(gopls(with_code(vs, env={"GOPATH": str(gopath)})))
    assert r.status is Status.OK and r.evidence["gopls built with"] == release(NEWEST)
    r = one(gopls(with_code(vs, env={"GOPATH": str(tmp_path / "empty")})))
    assert r.status is Status.WARN and r.fix == "go install golang.org/x/tools/gopls@latest"
    none = VSCode((), None, None, ())
    assert one(gopls(with_code(none, env={"GOPATH": str(tmp_path / "empty")}))).status is Status.SKIP
    (gopath / "bin" / "gopls").write_text("#!/bin/sh\n")
    r = one(gopls(with_code(vs, env={"GOPATH": str(gopath)})))
    assert r.status is Status.WARN and "is not a Go binary gomedic can read" in r.summary


DC = "/src/app/.devcontainer/devcontainer.json"


def test_devcontainer_go_older_than_go_mod() -> None:
    mod = module("/src/app/go.mod", "module example.com/app\n\ngo 1.24.0\n")
    text = '{"features": {"ghcr.io/devcontainers/features/go:1": {"version": "1.22"}}}'
    r = one(devcontainer(with_code(code(devcontainer=jsonc_file(DC, "devcontainer", text)), mod=mod)))
    assert r.status is Status.WARN and "every first build downloads go1.24.0 (`go: downloading go1.24.0`)" in r.summary
    assert r.fix == f"set the Go feature's version (or the image tag) in {DC} to 1.24 or newer"
    local = '{"image": "golang:1.22-bookworm", "containerEnv": {"GOTOOLCHAIN": "local"}}'
    r = one(devcontainer(with_code(code(devcontainer=jsonc_file(DC, "devcontainer", local)), mod=mod)))
    assert r.status is Status.FAIL
    assert "`go: go.mod requires go >= 1.24.0 (running go 1.22; GOTOOLCHAIN=local)`" in r.summary


def test_devcontainer_ok_env_difference_missing_and_broken() -> None:
    mod = module("/src/app/go.mod", "module example.com/app\n\ngo 1.24.0\n")
    good = jsonc_file(DC, "devcontainer", '{"image": "mcr.microsoft.com/devcontainers/go:1.25-bookworm"}')
    r = one(devcontainer(with_code(code(devcontainer=good), mod=mod)))
    assert (
        r.status is Status.OK
        and r.evidence["container go"] == 'image "mcr.microsoft.com/devcontainers/go:1.25-bookworm"'
    )
    env = jsonc_file(DC, "devcontainer", '{"image": "golang:1.25", "remoteEnv": {"CGO_ENABLED": "1"}}')
    r = one(devcontainer(with_code(code(devcontainer=env), mod=mod)))
    assert r.status is Status.WARN and "remoteEnv sets CGO_ENABLED=1 (the shell has CGO_ENABLED=0)" in r.summary
    assert one(devcontainer(with_code(code()))).status is Status.SKIP
    broken = jsonc_file(DC, "devcontainer", "{")
    assert one(devcontainer(with_code(code(devcontainer=broken)))).status is Status.WARN


def test_the_editor_area_through_the_runner(tmp_path: Path) -> None:
    gopath = _gopath_with(tmp_path, corpus("linux-amd64"))
    f = go_facts(env={"GOPATH": str(gopath)})
    f.seed(VSCODE, code(jsonc_file(USER, "user", "{}")))
    got = {cid: [r.status for r in rs] for cid, rs in run_area("editor", f).items()}
    assert got == {"editor.vscode": [Status.OK], "editor.gopls": [Status.OK], "editor.devcontainer": [Status.SKIP],
                   "editor.go-extension": [Status.SKIP]}  # no extension installed in this HOME


def test_broken_launch_and_tasks_files_warn_and_clean_tasks_are_ok() -> None:
    launch = jsonc_file(f"{WS}/launch.json", "launch", '{"configurations": [')
    tasks = jsonc_file(f"{WS}/tasks.json", "tasks", '{"tasks": [{"label": "build", "command": "go build"}]}')
    got = all_of(vscode(with_code(code(jsonc_file(USER, "user", "{}"), launch=launch, tasks=tasks))))
    assert [x.status for x in got] == [Status.OK, Status.WARN, Status.OK]
    assert got[1].summary == f"cannot parse {WS}/launch.json: {launch.error}" and launch.error
    assert (
        got[2].summary == f"{WS}/tasks.json: no task changes GOOS, GOARCH, CGO_ENABLED, GOFLAGS, GODEBUG, GOTOOLCHAIN"
    )
    broken = jsonc_file(f"{WS}/tasks.json", "tasks", "{\"tasks\": [")
    got = all_of(vscode(with_code(code(tasks=broken))))
    assert [x.status for x in got] == [Status.WARN] and got[0].fix == f"fix the JSON in {WS}/tasks.json"


def test_gopls_without_a_local_go_skips(tmp_path: Path) -> None:
    gopath = _gopath_with(tmp_path, corpus("linux-amd64"))
    f = go_facts(path_gos=[], env={"GOPATH": str(gopath)})
    f.seed(VSCODE, code(jsonc_file(USER, "user", "{}")))
    r = one(gopls(f))
    assert r.status is Status.SKIP and r.summary == "the local go version is unknown (see toolchain.go-on-path)"


def test_devcontainer_built_from_a_dockerfile_cannot_be_compared() -> None:
    dc = jsonc_file(DC, "devcontainer", '{"build": {"dockerfile": "Dockerfile"}}')
    mod = module("/src/app/go.mod", "module example.com/app\n\ngo 1.24.0\n")
    r = one(devcontainer(with_code(code(devcontainer=dc), mod=mod)))
    assert r.status is Status.OK and r.summary.endswith("(the release cannot be compared with go.mod)")
    assert r.evidence["container go"] == "a Dockerfile build (its Go version is not declared)"
