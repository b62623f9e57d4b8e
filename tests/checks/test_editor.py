"""editor.* against real VS Code settings files (JSONC) and real Go binaries standing in for gopls."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv
from tests.support.gomodules import HELLO, stand_in_gopls, write_module
from tests.support.toolchains import toolchain

AREAS = ("--area", "editor")


def user_settings(env: GoEnv, text: str) -> Path:
    p = env.home / ".config" / "Code" / "User" / "settings.json"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_no_editor_config_skips(goenv: GoEnv) -> None:
    run = goenv.check(*AREAS)
    assert {r["status"] for r in run.report["results"]} == {"skip"}
    assert run.returncode == 3  # nothing could be evaluated (model.Report.exit_code)


def test_healthy_settings_with_comments_and_trailing_commas(goenv: GoEnv) -> None:
    p = user_settings(goenv, f"""{{
    // the Go extension
    "go.goroot": "{goenv.goroot}", /* the one on PATH */
    "go.toolsEnvVars": {{"GOFLAGS": "-trimpath",}},
    "editor.tabSize": 4,
}}
""")
    run = goenv.check(*AREAS)
    r = run.result("editor.vscode")
    assert r["status"] == "ok" and r["subject"] == str(p), r
    assert "go.goroot, go.toolsEnvVars agree with the shell" in r["summary"]
    assert run.returncode == 0


def test_goroot_of_a_removed_install(goenv: GoEnv, tmp_path: Path) -> None:
    removed = tmp_path / "sdk" / "go1.21.5"
    shutil.copytree(goenv.goroot / "bin", removed / "bin")  # it was there once...
    shutil.rmtree(tmp_path / "sdk")  # ...and then it was removed
    user_settings(goenv, f'{{\n  // old install\n  "go.goroot": "{removed}",\n}}\n')
    run = goenv.check(*AREAS)
    r = run.result("editor.vscode")
    assert r["status"] == "fail"
    assert f'"go.goroot": "{removed}" names a Go install that does not exist' in r["summary"]
    assert f"go: cannot find GOROOT directory: {removed}" in r["summary"]
    assert run.returncode == 1


def test_goroot_of_another_release_and_exported_goroot(goenv: GoEnv) -> None:
    old = toolchain("1.22.10")
    user_settings(goenv, json.dumps({"go.goroot": str(old)}))
    r = goenv.check(*AREAS).result("editor.vscode")
    assert r["status"] == "warn" and "go1.22.10" in r["summary"] and "go1.27.3" in r["summary"]
    goenv.env["GOROOT"] = str(goenv.goroot)
    r = goenv.check(*AREAS).result("editor.vscode")
    assert f"is ignored: GOROOT={goenv.goroot} is exported and wins" in r["summary"]


def test_alternate_tools_and_home_tilde(goenv: GoEnv) -> None:
    user_settings(goenv, json.dumps({"go.alternateTools": {"go": "~/sdk/go1.30/bin/go", "dlv": "dlv-not-installed"}}))
    r = goenv.check(*AREAS).result("editor.vscode")
    assert r["status"] == "fail"
    assert f'"go": "~/sdk/go1.30/bin/go"}} does not resolve to an executable ({goenv.home}/sdk/go1.30/bin/go)' \
        in r["summary"]
    assert '"dlv": "dlv-not-installed"} does not resolve to an executable (not on PATH)' in r["summary"]


def test_workspace_and_launch_targets_against_the_shell(goenv: GoEnv) -> None:
    proj = write_module(goenv.root / "proj", "example.com/proj", "1.22", {"main.go": HELLO})
    (proj / ".vscode").mkdir()
    (proj / ".vscode" / "settings.json").write_text('{"go.toolsEnvVars": {"GOOS": "windows"}}')
    (proj / ".vscode" / "launch.json").write_text("""{
  "version": "0.2.0",
  // debug with cgo off
  "configurations": [
    {"name": "Launch", "type": "go", "request": "launch", "program": ".", "env": {"CGO_ENABLED": "0"},},
  ],
}""")
    run = goenv.check(*AREAS, cwd=proj / "sub" if (proj / "sub").mkdir() is None else proj)
    res = {r["subject"]: r for r in run.report["results"] if r["id"] == "editor.vscode"}
    ws = res[str(proj / ".vscode" / "settings.json")]
    assert (
        ws["status"] == "warn" and '"go.toolsEnvVars" sets GOOS=windows but the shell has GOOS=linux' in ws["summary"]
    )
    launch = res[str(proj / ".vscode" / "launch.json")]
    assert launch["status"] == "warn"
    assert 'configuration "Launch" env sets CGO_ENABLED=0 but the shell has CGO_ENABLED=1' in launch["summary"]


def test_unparseable_settings(goenv: GoEnv) -> None:
    p = user_settings(goenv, '{"go.goroot": "/usr/local/go" "go.gopath": 1}')
    r = goenv.check(*AREAS).result("editor.vscode")
    assert r["status"] == "warn" and f"cannot parse {p}: line 1" in r["summary"]


@pytest.mark.slow
def test_gopls_built_with_an_older_go(goenv: GoEnv) -> None:
    goenv.gobin.mkdir(parents=True)
    shutil.copy(stand_in_gopls("1.22.10"), goenv.gobin / "gopls")
    user_settings(goenv, "{}")
    run = goenv.check(*AREAS)
    r = run.result("editor.gopls")
    assert r["status"] == "warn"
    assert f"{goenv.gobin}/gopls was built with go1.22.10, older than the local go1.27.3" in r["summary"]
    assert r["evidence"]["found via"] in ("GOBIN", "GOPATH/bin")  # go >= 1.26 defaults GOBIN to GOPATH/bin
    new = write_module(goenv.root / "new", "example.com/new", "1.27.0", {"main.go": HELLO})
    r = goenv.check(*AREAS, cwd=new).result("editor.gopls")
    assert r["status"] == "fail"
    assert "cannot load" in r["summary"] and "(go 1.27.0)" in r["summary"]
    assert "package requires newer Go version go1.27.0 (application built with go1.22)" in r["summary"]
    shutil.copy(stand_in_gopls("1.27.3"), goenv.gobin / "gopls")
    r = goenv.check(*AREAS, cwd=new).result("editor.gopls")
    assert r["status"] == "ok" and "built with go1.27.3" in r["summary"]
    assert r["evidence"]["gopls built with"] == "go1.27.3"


def test_gopls_missing_but_vscode_configured(goenv: GoEnv) -> None:
    user_settings(goenv, "{}")
    r = goenv.check(*AREAS).result("editor.gopls")
    assert r["status"] == "warn" and "gopls is not installed where the Go extension looks" in r["summary"]
    assert r["fix"] == "go install golang.org/x/tools/gopls@latest"


def test_secrets_in_tools_env_vars_are_redacted(goenv: GoEnv) -> None:
    user_settings(
        goenv, json.dumps({"go.toolsEnvVars": {"GITHUB_TOKEN": "ghp_0123456789abcdef", "GOFLAGS": "-trimpath"}})
    )
    for fmt in ("json", "text"):
        run = goenv.gomedic("check", "--format", fmt, "-v", *AREAS)
        assert "ghp_0123456789abcdef" not in run.stdout and "GOFLAGS=-trimpath" in run.stdout


def test_remote_machine_settings(goenv: GoEnv) -> None:
    """VS Code Remote (SSH/WSL/containers) reads machine settings on the remote side."""
    p = goenv.home / ".vscode-server" / "data" / "Machine" / "settings.json"
    p.parent.mkdir(parents=True)
    p.write_text('{"go.gopath": "go/work",}')
    r = goenv.check(*AREAS).result("editor.vscode")
    assert r["status"] == "fail" and r["subject"] == str(p) and r["evidence"]["scope"] == "remote machine"
    assert '"go.gopath": "go/work" has a relative or empty entry' in r["summary"]
