"""direnv `.envrc` semantics checked against the real direnv (Debian package): `direnv allow`, then
`direnv exec DIR env`, compared with gomedic's reading of the same files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.layers.support import predicted, wins, write
from tests.support.goenv import GoEnv

pytestmark = pytest.mark.skipif(shutil.which("direnv") is None, reason="direnv not installed (.ci/apt-packages.txt)")


def direnv_env(goenv: GoEnv, proj: Path) -> dict[str, str]:
    subprocess.run(["direnv", "allow", str(proj)], env=goenv.env, cwd=proj, check=True, timeout=60,
                   capture_output=True)
    p = subprocess.run(["direnv", "exec", str(proj), "env", "-0"], env=goenv.env, cwd=proj, timeout=60,
                       capture_output=True)
    assert p.returncode == 0, p.stderr
    return dict(item.split("=", 1) for item in p.stdout.decode().split("\0") if "=" in item)


def project(goenv: GoEnv, envrc: str, dotenv: str | None = None) -> Path:
    proj = goenv.root / "proj"
    write(proj / ".envrc", envrc)
    if dotenv is not None:
        write(proj / ".env", dotenv)
    write(goenv.home / ".bashrc", 'eval "$(direnv hook bash)"\n')
    goenv.env["SHELL"] = "/bin/bash"
    return proj


ENVRC = """# project environment
use go
export GOOS=windows
GOFLAGS="-tags=integration"; export GOFLAGS
layout go
PATH_add tools
dotenv
"""


def test_envrc_exports_layout_go_and_dotenv_match_direnv(goenv: GoEnv) -> None:
    proj = project(goenv, ENVRC, 'GOPRIVATE="example.com/*"\nexport GOINSECURE=example.org # inline comment\n')
    real = direnv_env(goenv, proj)
    assert real["GOOS"] == "windows" and real["GOPATH"] == f"{proj}/.direnv/go"
    doc = predicted(goenv, cwd=proj)
    for key in ("GOOS", "GOFLAGS", "GOPATH", "GOPRIVATE", "GOINSECURE", "PATH"):
        assert wins(doc, "terminal", key) == real[key], (key, doc["variables"].get(key))
    rows = doc["variables"]["GOOS"]["layers"]
    assert [(r["layer"], r["file"], r["line"]) for r in rows] == [("direnv .envrc", f"{proj}/.envrc", 3)]
    assert any("use go" in n and "use_go: command not found" in n for n in doc["notes"])


def test_envrc_goos_is_a_conflict_with_file_and_line(goenv: GoEnv) -> None:
    proj = project(goenv, "export GOOS=windows\n")
    direnv_env(goenv, proj)
    (goenv.home / ".vscode").mkdir()
    run = goenv.check("--area", "layers", cwd=proj)
    r = run.result("layers.conflict", "GOOS")
    assert r["status"] == "warn" and "terminal: windows" in r["summary"] and "VS Code: (unset)" in r["summary"]
    assert r["evidence"]["file"] == f"{proj}/.envrc" and r["evidence"]["line"] == "1"
    assert (r["file"], r["line"]) == (f"{proj}/.envrc", 1)  # the location SARIF reads
    assert f"remove it from {proj}/.envrc:1" in r["fix"]
    sarif = goenv.gomedic("check", "--area", "layers", "--format", "sarif", cwd=proj)
    assert f'"uri": "file://{proj}/.envrc"' in sarif.stdout and '"startLine": 1' in sarif.stdout


def test_blocked_or_unhooked_envrc_does_not_apply(goenv: GoEnv) -> None:
    proj = project(goenv, "export GOOS=windows\n")
    doc = predicted(goenv, cwd=proj)  # never allowed
    assert wins(doc, "terminal", "GOOS") is None
    assert any("is not allowed" in n and "direnv allow" in n for n in doc["notes"])
    p = subprocess.run(["direnv", "exec", str(proj), "env"], env=goenv.env, cwd=proj, timeout=60,
                       capture_output=True, text=True)
    assert "is blocked" in p.stderr  # what direnv itself says
    direnv_env(goenv, proj)
    assert wins(predicted(goenv, cwd=proj), "terminal", "GOOS") == "windows"
    write(goenv.home / ".bashrc", '# eval "$(direnv hook bash)"\n')  # hook commented out
    doc = predicted(goenv, cwd=proj)
    assert wins(doc, "terminal", "GOOS") is None
    assert any("direnv is not hooked" in n for n in doc["notes"])


@pytest.mark.parametrize("rc,line", [("~/.zshrc", 'eval "$(direnv hook zsh)"'),
                                     ("~/.config/fish/config.fish", "direnv hook fish | source")])
def test_hook_for_zsh_and_fish(goenv: GoEnv, rc: str, line: str) -> None:
    proj = project(goenv, "export GOFLAGS=-mod=mod\n")
    direnv_env(goenv, proj)
    goenv.env["SHELL"] = "/usr/bin/zsh" if "zsh" in rc else "/usr/bin/fish"
    write(Path(rc.replace("~", str(goenv.home))), line + "\n")
    assert wins(predicted(goenv, cwd=proj), "terminal", "GOFLAGS") == "-mod=mod"
