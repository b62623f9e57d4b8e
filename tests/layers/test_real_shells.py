"""Real rc files sourced by real shells (bash, zsh, fish, dash), with the real go inside them reporting the
value that wins, compared with what `gomedic layers` predicts from reading the same files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.layers.support import agree, predicted, real_go_env, real_which_go, wins, write
from tests.support.goenv import GoEnv


def test_bash_rc_exports_sourced_files_conditionals_and_the_goenv_file(goenv: GoEnv) -> None:
    h = goenv.home
    goenv.env["SHELL"] = "/bin/bash"
    write(h / ".config" / "go.sh", "export GOPROXY=off\n")
    write(h / ".bashrc", """# ~/.bashrc
case $- in
    *i*) ;;
      *) return;;
esac
export GOFLAGS=-mod=vendor
GOOS=linux ; export GOOS
[ -n "$NOT_SET_ANYWHERE" ] && export GOPRIVATE=example.com/never
go_private() { export GOPRIVATE=example.com/fn; }
if [ -d "$HOME/absent" ]; then  # a directory no one makes
  export GOEXPERIMENT=never
fi
. "$HOME/.config/go.sh"
export GONOSUMDB=   # empty: go falls back to the GOENV file
export GOTOOLCHAIN="local" \\
  GOINSECURE='example.org'
""")
    goenv.write_goenv("GOFLAGS=-mod=mod\nGONOSUMDB=example.net\n")
    real = real_go_env(goenv, ["bash", "-ic"])
    assert real["GOFLAGS"] == "-mod=vendor" and real["GONOSUMDB"] == "example.net" and real["GOPROXY"] == "off"
    doc = predicted(goenv)
    agree(doc, "terminal", real, goenv)
    rows = {(r["file"], r["line"]) for r in doc["variables"]["GOFLAGS"]["layers"]}
    assert (str(h / ".bashrc"), 6) in rows and (str(h / ".config" / "go" / "env"), 1) in rows
    conditional = [r for r in doc["variables"]["GOPRIVATE"]["layers"] if r["conditional"]]
    assert [r["line"] for r in conditional] == [8, 9]


def test_zsh_zshenv_then_zshrc(goenv: GoEnv) -> None:
    h = goenv.home
    goenv.env["SHELL"] = "/usr/bin/zsh"
    write(h / ".zshenv", "export GOFLAGS=-trimpath\nexport GOPRIVATE=example.com/env\n")
    write(h / ".zshrc", "typeset -x GOFLAGS=-mod=readonly\nunset GOPRIVATE\nexport GOOS=linux\n")
    real = real_go_env(goenv, ["zsh", "-ic"])
    assert real["GOFLAGS"] == "-mod=readonly" and real["GOPRIVATE"] == ""
    agree(predicted(goenv), "terminal", real, goenv)


def test_fish_config_confd_lists_and_real_universal_variables(goenv: GoEnv) -> None:
    h = goenv.home
    goenv.env["SHELL"] = "/usr/bin/fish"
    # a universal variable written by fish itself (~/.config/fish/fish_variables)
    subprocess.run(["fish", "-c", "set -Ux GOINSECURE example.org; set -Ux GOPRIVATE example.com/universal"],
                   env=goenv.env, check=True, timeout=60, capture_output=True)
    write(h / ".config" / "fish" / "conf.d" / "10-go.fish", "set -gx GOPROXY off\n")
    write(h / ".config" / "fish" / "config.fish", """# fish
set -gx GOFLAGS -mod=vendor -trimpath
set --global --export GOPRIVATE example.com/global
if test -d $HOME/absent
    set -gx GOEXPERIMENT never
end
test -d $HOME/absent; and set -gx GOOS windows
""")
    real = real_go_env(goenv, ["fish", "-ic"])
    assert real["GOFLAGS"] == "-mod=vendor -trimpath" and real["GOINSECURE"] == "example.org"
    assert real["GOPRIVATE"] == "example.com/global"
    agree(predicted(goenv), "terminal", real, goenv)


def test_dash_reads_env_file(goenv: GoEnv) -> None:
    h = goenv.home
    goenv.env["SHELL"] = "/bin/dash"
    goenv.env["ENV"] = str(write(h / ".shrc", "GOFLAGS='-mod=mod'\nexport GOFLAGS\nexport GOINSECURE=example.org\n"))
    real = real_go_env(goenv, ["dash", "-ic"])
    assert real["GOFLAGS"] == "-mod=mod"
    agree(predicted(goenv), "terminal", real, goenv)


def test_vscode_sees_the_login_shell_not_bashrc(goenv: GoEnv) -> None:
    """VS Code started from the desktop takes its environment from `$SHELL -i -l`: ~/.profile, not ~/.bashrc
    (unless ~/.profile sources it)."""
    h = goenv.home
    goenv.env["SHELL"] = "/bin/bash"
    (h / ".vscode").mkdir()  # VS Code is installed for this user
    write(h / ".bashrc", "export GOFLAGS=-mod=vendor\n")
    write(h / ".profile", "export GOFLAGS=-mod=mod\nexport GOPRIVATE=example.com/login\n")
    doc = predicted(goenv)
    agree(doc, "terminal", real_go_env(goenv, ["bash", "-ic"]), goenv)
    agree(doc, "VS Code", real_go_env(goenv, ["bash", "-ilc"]), goenv)
    assert wins(doc, "terminal", "GOFLAGS") == "-mod=vendor" and wins(doc, "VS Code", "GOFLAGS") == "-mod=mod"
    # once ~/.profile sources ~/.bashrc (Debian's default ~/.profile does), the login shell sees both
    write(h / ".profile", 'export GOPRIVATE=example.com/login\nif [ -n "$BASH_VERSION" ]; then\n'
                          '    . "$HOME/.bashrc"\nfi\n')
    doc = predicted(goenv)
    real = real_go_env(goenv, ["bash", "-ilc"])
    assert real["GOFLAGS"] == "-mod=vendor"
    # the `if` makes gomedic's reading conditional: it does not claim the value, and says so
    assert any(r["conditional"] for r in doc["variables"]["GOFLAGS"]["layers"])


def test_path_only_bashrc_sees_is_a_conflict(goenv: GoEnv, tmp_path: Path) -> None:
    """The classic: go's directory added to PATH in ~/.bashrc works in the terminal; VS Code started from
    the desktop runs `bash -i -l`, which reads ~/.profile (here: absent) and not ~/.bashrc."""
    h = goenv.home
    goenv.env["SHELL"] = "/bin/bash"
    goenv.env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # no go in the session
    (h / ".vscode").mkdir()
    write(h / ".bashrc", f'export PATH="{goenv.goroot}/bin:$PATH"\n')
    real_term = real_which_go(goenv, ["bash", "-ic"])
    real_code = real_which_go(goenv, ["bash", "-ilc"])
    # The login shell never reads ~/.bashrc: it finds no go, or a system one (CI installs Debian's golang-go).
    assert real_term == f"{goenv.goroot}/bin/go" and real_code != real_term
    doc = predicted(goenv)
    ctx = {c["name"]: c["go"] for c in doc["contexts"]}
    assert ctx["terminal"] == real_term and ctx["VS Code"] != real_term
    run = goenv.check("--area", "layers")
    r = run.result("layers.conflict", "PATH")
    assert r["status"] == "warn" and "PATH runs a different go per context" in r["summary"]
    assert r["evidence"]["file"] == str(h / ".bashrc") and r["evidence"]["line"] == "1"
    assert "~/.profile" in r["fix"]
    # the fix works: the same line in ~/.profile reaches both
    write(h / ".profile", f'export PATH="{goenv.goroot}/bin:$PATH"\n')
    assert real_which_go(goenv, ["bash", "-ilc"]) == f"{goenv.goroot}/bin/go"
    doc = predicted(goenv)
    assert {c["name"]: c["go"] for c in doc["contexts"]}["VS Code"] == f"{goenv.goroot}/bin/go"
    assert not [r for r in goenv.check("--area", "layers").report["results"] if r["subject"] == "PATH"]
