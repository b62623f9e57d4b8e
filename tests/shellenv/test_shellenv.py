"""`gomedic shellenv` output, sourced twice in real bash, zsh, dash and fish, repairs a broken environment:
afterwards `gomedic check` reports no paths.* problem and finds go."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gomedic.fix.shell import EnvBlock, Shell, lines
from tests.support.cli import validate_report
from tests.support.goenv import SYSTEM_DIRS, GoEnv

SRC = str(Path(__file__).resolve().parents[2] / "src")

SCRIPTS = {
    "bash": 'eval "$("$GM_PY" -m gomedic shellenv --shell bash)"',
    "zsh": 'eval "$("$GM_PY" -m gomedic shellenv --shell zsh)"',
    "sh": 'eval "$("$GM_PY" -m gomedic shellenv --shell sh)"',
    "fish": '"$GM_PY" -m gomedic shellenv --shell fish | source',
}
EXE = {"bash": "bash", "zsh": "zsh", "sh": "dash", "fish": "fish"}


def _broken(goenv: GoEnv) -> GoEnv:
    """go installed in ~/sdk but not on PATH, a stale GOROOT and a relative GOPATH exported, and go
    install's directory not on PATH."""
    sdk = goenv.home / "sdk"
    sdk.mkdir()
    (sdk / "go1.27.3").symlink_to(goenv.goroot)
    goenv.env.update(PATH=os.pathsep.join(SYSTEM_DIRS), GOROOT="/usr/local/go-old", GOPATH="gopath")
    return goenv


def _in_shell(goenv: GoEnv, shell: str, times: int = 2) -> tuple[list[str], dict[str, object]]:
    exe = shutil.which(EXE[shell])
    if exe is None:
        pytest.skip(f"{EXE[shell]} is not installed (.ci/apt-packages.txt lists it)")
    source = "; ".join([SCRIPTS[shell]] * times)
    if shell == "fish":
        script = (f'{source}; printf "%s\\n" $PATH; echo ---; '
                  '"$GM_PY" -m gomedic check --format json --area paths --area toolchain')
    else:
        script = (f'{source}; printf "%s\\n" "$PATH" | tr : "\\n"; echo ---; '
                  '"$GM_PY" -m gomedic check --format json --area paths --area toolchain')
    env = {**goenv.env, "GM_PY": sys.executable, "PYTHONPATH": SRC}
    argv = [exe, "--no-config", "-c", script] if shell == "fish" else [exe, "-c", script]
    p = subprocess.run(argv, env=env, cwd=goenv.root, capture_output=True, text=True, timeout=120)
    head, _, doc = p.stdout.partition("---\n")
    assert doc, p.stdout + p.stderr
    return [x for x in head.splitlines() if x], validate_report(json.loads(doc))


@pytest.mark.parametrize("shell", ["bash", "zsh", "sh", "fish"])
def test_sourced_twice_repairs_paths(goenv: GoEnv, shell: str) -> None:
    _broken(goenv)
    before = goenv.check("--area", "paths", "--area", "toolchain").report
    bad_before = {r["id"] for r in before["results"] if r["status"] in ("fail", "warn", "error")}
    assert {"toolchain.go-on-path", "paths.gopath"} <= bad_before

    path_once, _ = _in_shell(goenv, shell, times=1)
    path, report = _in_shell(goenv, shell, times=2)
    assert path == path_once  # idempotent: the second source adds nothing
    assert len(path) == len(set(path))
    problems = [(r["id"], r["summary"]) for r in report["results"]
                if r["id"].startswith("paths.") and r["status"] in ("fail", "warn", "error")]
    assert problems == []
    status = {r["id"]: r["status"] for r in report["results"]}
    assert status["toolchain.go-on-path"] == "ok" and status["toolchain.goroot-exists"] == "ok"
    assert str(goenv.home / "sdk" / "go1.27.3" / "bin") == path[0]
    assert str(goenv.home / "go" / "bin") == path[-1]


def test_output_names_rc_file_and_reasons(goenv: GoEnv) -> None:
    _broken(goenv)
    for shell, rc in [("bash", ".bashrc"), ("zsh", ".zshrc"), ("fish", ".config/fish/conf.d/go.fish"),
                      ("sh", ".profile")]:
        out = goenv.gomedic("shellenv", "--shell", shell).stdout
        assert f"# add to {goenv.home / rc}" in out
        assert "unset GOROOT" in out or "set -e GOROOT" in out
        assert "GOROOT=/usr/local/go-old is not the tree of" in out
        assert "GOPATH=gopath: 'gopath' is relative" in out
        assert "export GOROOT" not in out and "set -gx GOROOT" not in out


def test_healthy_needs_nothing(goenv: GoEnv) -> None:
    out = goenv.gomedic("shellenv", "--shell", "bash")
    assert out.returncode == 0
    assert [x for x in out.stdout.splitlines() if not x.startswith("#")] == []
    assert "# nothing to change" in out.stdout


def test_goroot_exported_only_to_override_goenv_file(goenv: GoEnv) -> None:
    goenv.write_goenv("GOROOT=/opt/go-gone\n")
    out = goenv.gomedic("shellenv", "--shell", "bash").stdout
    assert f"export GOROOT={goenv.goroot}" in out
    p = subprocess.run(["bash", "-c", f'eval "$("{sys.executable}" -m gomedic shellenv --shell bash)"; go env GOROOT'],
                       env={**goenv.env, "PYTHONPATH": SRC}, capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == str(goenv.goroot), p.stderr


def test_quoting_of_odd_directories() -> None:
    odd = "/tmp/it's a \"dir\" with $x and `y`/bin"
    block = EnvBlock(append=((odd, "why"),))
    for shell in (Shell.BASH, Shell.ZSH, Shell.SH):
        text = "\n".join(lines(block, shell))
        exe = shutil.which({"sh": "dash"}.get(shell.value, shell.value))
        if exe is None:
            continue
        p = subprocess.run([exe, "-c", f'{text}\n{text}\nprintf "%s" "$PATH"'], env={"PATH": "/usr/bin:/bin"},
                           capture_output=True, text=True, timeout=30)
        assert p.stdout == f"/usr/bin:/bin:{odd}", (shell, p.stderr)
    fish = shutil.which("fish")
    if fish:
        text = "\n".join(lines(block, Shell.FISH))
        p = subprocess.run([fish, "--no-config", "-c", f'{text}\n{text}\nstring join : $PATH'],
                           env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=30)
        assert p.stdout.strip() == f"/usr/bin:/bin:{odd}", p.stderr
