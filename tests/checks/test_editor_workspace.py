"""editor.* over the workspace files: tasks.json, devcontainer.json, go.toolsManagement.go, macOS settings
paths and the Go extension's version, on real files (JSONC with comments and trailing commas) and real
Go toolchains."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support.goenv import GoEnv
from tests.support.gomodules import HELLO, stand_in_gopls, write_module
from tests.support.toolchains import toolchain

AREAS = ("--area", "editor")


def _write(p: Path, text: str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def test_macos_user_settings_path_is_read(goenv: GoEnv) -> None:
    """A home laid out as macOS lays it out: ~/Library/Application Support/Code/User/settings.json."""
    old = toolchain("1.22.10")
    p = _write(goenv.home / "Library" / "Application Support" / "Code" / "User" / "settings.json",
               f'{{\n  // set by the Go extension\'s "Choose Go environment"\n  "go.goroot": "{old}",\n}}\n')
    r = goenv.check(*AREAS).result("editor.vscode", p)
    assert r["status"] == "warn" and f'"go.goroot": "{old}" is go1.22.10 but the go on PATH is go1.27.3' in r["summary"]


def test_tasks_json_env_differs_from_the_shell(goenv: GoEnv) -> None:
    proj = write_module(goenv.root / "proj", "example.com/proj", "1.22", {"main.go": HELLO})
    tasks = _write(proj / ".vscode" / "tasks.json", """{
  "version": "2.0.0",
  "tasks": [
    // build for the Pi
    {"label": "build arm", "type": "shell", "command": "go build ./...",
     "options": {"env": {"GOARCH": "arm64", "GOFLAGS": "-mod=vendor",}},},
  ],
}
""")
    r = goenv.check(*AREAS, cwd=proj).result("editor.vscode", tasks)
    assert r["status"] == "warn"
    assert 'task "build arm" options.env sets GOARCH=arm64 (the shell has GOARCH=amd64)' in r["summary"]
    assert 'GOFLAGS=-mod=vendor (the shell has GOFLAGS=(unset))' in r["summary"]
    assert r["evidence"]["file"] == str(tasks)


def test_tools_management_go_of_another_release(goenv: GoEnv) -> None:
    old = toolchain("1.22.10")
    p = _write(goenv.home / ".config" / "Code" / "User" / "settings.json",
               json.dumps({"go.toolsManagement.go": f"{old}/bin/go", "go.toolsManagement.autoUpdate": True}))
    r = goenv.check(*AREAS).result("editor.vscode", p)
    assert r["status"] == "warn" and f"{old}/bin/go (go1.22.10) but the go on PATH is go1.27.3" in r["summary"]
    p.write_text(json.dumps({"go.toolsManagement.go": "/nonexistent/go"}))
    r = goenv.check(*AREAS).result("editor.vscode", p)
    assert r["status"] == "fail" and '"go": "/nonexistent/go"} does not resolve to an executable' in r["summary"]


DEVCONTAINER = """// dev container
{
  "name": "proj",
  "image": "mcr.microsoft.com/devcontainers/base:bookworm",
  "features": {
    "ghcr.io/devcontainers/features/go:1": {"version": "1.22",},
  },
  "containerEnv": {"GOTOOLCHAIN": "local"},
}
"""


def test_devcontainer_go_feature_older_than_go_mod(goenv: GoEnv) -> None:
    proj = write_module(goenv.root / "proj", "example.com/proj", "1.24.0", {"main.go": HELLO})
    dc = _write(proj / ".devcontainer" / "devcontainer.json", DEVCONTAINER)
    r = goenv.check(*AREAS, cwd=proj).result("editor.devcontainer")
    assert r["status"] == "fail"
    assert "`go: go.mod requires go >= 1.24.0 (running go 1.22; GOTOOLCHAIN=local)`" in r["summary"]
    assert r["evidence"]["file"] == str(dc) and "1.24" in r["fix"]
    # the same message from the real go 1.22 with GOTOOLCHAIN=local, which the container would run
    goenv.env["GOTOOLCHAIN"] = "local"
    p = subprocess.run([str(toolchain("1.22.10") / "bin" / "go"), "build", "./..."], cwd=proj, env=goenv.env,
                       capture_output=True, text=True, timeout=300)
    assert "go: go.mod requires go >= 1.24.0 (running go 1.22.10; GOTOOLCHAIN=local)" in p.stderr
    dc.write_text(DEVCONTAINER.replace('"1.22"', '"1.24"').replace('"GOTOOLCHAIN": "local"', '"GOOS": "linux"'))
    r = goenv.check(*AREAS, cwd=proj).result("editor.devcontainer")
    assert r["status"] == "ok" and "Go 1.24" in r["summary"]


def test_devcontainer_image_tag_and_remote_env(goenv: GoEnv) -> None:
    proj = write_module(goenv.root / "proj", "example.com/proj", "1.22", {"main.go": HELLO})
    _write(proj / ".devcontainer.json", json.dumps({"image": "mcr.microsoft.com/devcontainers/go:1-1.23-bookworm",
                                                    "remoteEnv": {"CGO_ENABLED": "0"}}))
    r = goenv.check(*AREAS, cwd=proj).result("editor.devcontainer")
    assert r["status"] == "warn" and "remoteEnv sets CGO_ENABLED=0 (the shell has CGO_ENABLED=1)" in r["summary"]
    assert r["evidence"]["container go"] == 'image "mcr.microsoft.com/devcontainers/go:1-1.23-bookworm"'


def test_no_devcontainer_skips(goenv: GoEnv) -> None:
    assert goenv.check(*AREAS).result("editor.devcontainer")["status"] == "skip"


def test_go_extension_version_reported_with_gopls(goenv: GoEnv) -> None:
    ext = _write(goenv.home / ".vscode" / "extensions" / "golang.go-0.46.1" / "package.json",
                 json.dumps({"name": "go", "publisher": "golang", "version": "0.46.1"}))
    _write(goenv.home / ".vscode" / "extensions" / "golang.go-0.44.0" / "package.json",
           json.dumps({"name": "go", "publisher": "golang", "version": "0.44.0"}))
    goenv.gobin.mkdir(parents=True)
    (goenv.gobin / "gopls").write_bytes(stand_in_gopls("1.27.3").read_bytes())
    (goenv.gobin / "gopls").chmod(0o755)
    _write(goenv.home / ".config" / "Code" / "User" / "settings.json", "{}")
    r = goenv.check(*AREAS).result("editor.gopls")
    assert r["status"] == "ok" and r["evidence"]["Go extension"] == f"0.46.1 ({ext})"


def test_symlinked_settings_not_followed_as_root(goenv: GoEnv) -> None:
    import os
    secret = _write(goenv.root / "elsewhere" / "settings.json", '{"go.goroot": "/opt/go"}')
    p = goenv.home / ".config" / "Code" / "User" / "settings.json"
    p.parent.mkdir(parents=True)
    p.symlink_to(secret)
    r = goenv.check(*AREAS).result("editor.vscode", p)
    if os.geteuid() == 0:
        assert r["status"] == "warn" and "cannot read: a symlink, not followed as root" in r["summary"]
        assert "/opt/go" not in json.dumps(r)
    else:
        assert '"go.goroot": "/opt/go"' in r["summary"]
