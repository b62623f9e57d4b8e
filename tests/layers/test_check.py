"""layers.conflict and `gomedic layers` on real files: rc vs GOENV file, VS Code's toolsEnvVars, launch.json."""

from __future__ import annotations

import json
import os

from tests.layers.support import predicted, real_go_env, wins, write
from tests.support.goenv import GoEnv

AREA = ("--area", "layers")


def test_healthy_machine_is_ok_and_names_what_it_read(goenv: GoEnv) -> None:
    r = goenv.check(*AREA).result("layers.conflict")
    assert r["status"] == "ok" and str(goenv.goroot / "go.env") in r["evidence"]["files"]
    # the table `check -v` shows: each variable a file sets, with where it comes from
    assert r["evidence"]["GOPROXY"].startswith(f"https://proxy.golang.org,direct (from {goenv.goroot}/go.env:")
    assert r["evidence"]["go per context"] == f"terminal: {goenv.goroot}/bin/go"


def test_rc_export_overrides_the_goenv_file_and_the_fix_works(goenv: GoEnv) -> None:
    goenv.env["SHELL"] = "/bin/bash"
    rc = write(goenv.home / ".bashrc", "# go\nexport GOFLAGS=-mod=vendor\n")
    envfile = goenv.write_goenv("GOFLAGS=-mod=mod\n")
    assert real_go_env(goenv, ["bash", "-ic"], keys=("GOFLAGS",))["GOFLAGS"] == "-mod=vendor"  # go env -w lost
    run = goenv.check(*AREA)
    r = run.result("layers.conflict", "GOFLAGS")
    assert r["status"] == "warn" and r["category"] == "toolchain"
    assert f"{rc}:2 sets GOFLAGS=-mod=vendor, which overrides GOFLAGS=-mod=mod from {envfile}:1" in r["summary"]
    assert r["evidence"]["file"] == str(rc) and r["evidence"]["line"] == "2"
    assert f"delete GOFLAGS at {rc}:2" in r["fix"]
    rc.write_text("# go\n")  # the fix
    assert real_go_env(goenv, ["bash", "-ic"], keys=("GOFLAGS",))["GOFLAGS"] == "-mod=mod"
    assert goenv.check(*AREA).result("layers.conflict")["status"] == "ok"


SETTINGS = """{
    // Go extension
    "go.toolsEnvVars": {
        "GOFLAGS": "-tags=editor", /* only the editor's tools */
    },
}
"""


def test_tools_env_vars_goflags_only_vscode_sees(goenv: GoEnv) -> None:
    settings = write(goenv.home / ".config" / "Code" / "User" / "settings.json", SETTINGS)
    doc = predicted(goenv)
    assert wins(doc, "terminal", "GOFLAGS") is None and wins(doc, "VS Code", "GOFLAGS") == "-tags=editor"
    r = goenv.check(*AREA).result("layers.conflict", "GOFLAGS")
    assert r["status"] == "warn" and "VS Code: -tags=editor" in r["summary"] and "terminal: (unset)" in r["summary"]
    assert r["evidence"]["file"] == str(settings) and r["evidence"]["line"] == "4"


def test_launch_json_godebug_only_the_debugger_sees(goenv: GoEnv) -> None:
    proj = goenv.root / "proj"
    write(proj / "go.mod", "module example.com/p\n\ngo 1.22\n")
    write(proj / ".env", "GOFLAGS=-count=1\n")
    launch = write(proj / ".vscode" / "launch.json", """{
  // debug the tests
  "version": "0.2.0",
  "configurations": [
    {
      "name": "Test package",
      "type": "go", "request": "launch", "mode": "test",
      "envFile": "${workspaceFolder}/.env",
      "env": {"GODEBUG": "http2client=0",},
    },
  ],
}
""")
    doc = predicted(goenv, cwd=proj)
    ctx = "debug: Test package"
    assert wins(doc, ctx, "GODEBUG") == "http2client=0" and wins(doc, "VS Code", "GODEBUG") is None
    assert wins(doc, ctx, "GOFLAGS") == "-count=1"
    r = goenv.check(*AREA, cwd=proj).result("layers.conflict", "GODEBUG")
    assert r["evidence"]["file"] == str(launch) and r["evidence"]["line"] == "9"
    assert "go.mod's godebug" in r["fix"]  # GODEBUG cannot go in the GOENV file
    text = goenv.gomedic("layers", cwd=proj).stdout
    assert f"  launch.json          {launch}:9: http2client=0" in text
    assert f"  wins in {ctx}: http2client=0 (from {launch}:9)" in text
    assert json.loads(goenv.gomedic("layers", "--format", "json", cwd=proj).stdout)["schema"] == "gomedic/layers/v1"


def test_symlinked_rc_is_not_followed_as_root(goenv: GoEnv) -> None:
    """As root, a symlink in the user's home is not followed (it could point at any file on the machine)."""
    goenv.env["SHELL"] = "/bin/bash"
    target = write(goenv.root / "elsewhere" / "rc", "export GOFLAGS=-mod=vendor\n")
    (goenv.home / ".bashrc").symlink_to(target)
    doc = predicted(goenv)
    if os.geteuid() == 0:
        assert "GOFLAGS" not in doc["variables"]
        assert any(".bashrc: not read: a symlink, not followed as root" in n for n in doc["notes"])
    else:
        assert wins(doc, "terminal", "GOFLAGS") == "-mod=vendor"


def test_hostile_rc_files_fifo_huge_and_binary(goenv: GoEnv) -> None:
    """A FIFO as ~/.bashrc would block a naive reader; a huge file would eat memory; neither is read, and
    the notes say why. Non-UTF-8 bytes are read with replacement."""
    goenv.env["SHELL"] = "/bin/bash"
    os.mkfifo(goenv.home / ".bashrc")
    (goenv.home / ".profile").write_bytes(b"x" * (2 << 20))
    (goenv.home / ".vscode").mkdir()
    envfile = goenv.write_goenv("GOFLAGS=-mod=mod\n")
    envfile.write_bytes(b"GOFLAGS=-mod=\xff\xfe\n")
    doc = predicted(goenv)
    notes = "\n".join(doc["notes"])
    assert ".bashrc: not read: is a FIFO, not a regular file" in notes
    assert ".profile: not read: larger than 1048576 bytes, not read" in notes
    assert wins(doc, "terminal", "GOFLAGS") == "-mod=\ufffd\ufffd"


def test_go_goroot_of_an_old_release_in_vscode(goenv: GoEnv) -> None:
    """"go.goroot" at an older install: VS Code runs that release's go, with that release's go.env."""
    from tests.support.toolchains import toolchain
    old = toolchain("1.22.10")
    settings = write(goenv.home / ".config" / "Code" / "User" / "settings.json",
                     f'{{\n  // picked once with "Go: Choose Go Environment"\n  "go.goroot": "{old}",\n}}\n')
    doc = predicted(goenv)
    ctx = {c["name"]: c["go"] for c in doc["contexts"]}
    assert ctx == {"terminal": f"{goenv.goroot}/bin/go", "VS Code": f"{old}/bin/go"}
    assert wins(doc, "VS Code", "GOROOT") == str(old) and wins(doc, "terminal", "GOROOT") is None
    go_env_rows = {r["file"] for r in doc["variables"]["GOTOOLCHAIN"]["layers"]}
    assert go_env_rows == {f"{goenv.goroot}/go.env", f"{old}/go.env"}
    run = goenv.check("--area", "layers")
    r = run.result("layers.conflict", "PATH")
    assert f"VS Code: {old}/bin/go" in r["summary"]
    assert r["evidence"]["file"] == str(settings) and r["evidence"]["line"] == "3"


def test_a_dotenv_nothing_loads_is_noted(goenv: GoEnv) -> None:
    proj = goenv.root / "proj"
    write(proj / ".env", "GOFLAGS=-mod=vendor\n")
    doc = predicted(goenv, cwd=proj)
    assert "GOFLAGS" not in doc["variables"]
    assert f"{proj}/.env is loaded by no context" in "\n".join(doc["notes"])
