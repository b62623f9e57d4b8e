"""The pure layer parsers on captured text, and hostile input (hypothesis): bounded, never raising."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gomedic.layers import direnv, dotenv
from gomedic.layers.fishparse import FishSim, universal
from gomedic.layers.model import Kind, Setting
from gomedic.layers.resolve import Context, conflicts, winner
from gomedic.layers.shparse import ShellSim


def sh(text: str, env: dict[str, str] | None = None, files: dict[str, str] | None = None) -> ShellSim:
    sim = ShellSim(env or {"HOME": "/h"}, "/h", (files or {}).get)
    sim.run_file("/h/.bashrc", text)
    return sim


def test_sh_forms() -> None:
    sim = sh('export GOFLAGS=-mod=vendor\nGOOS=linux ; export GOOS\nGOARCH=arm64\n'
             'declare -x GOPATH=~/gp\nexport GOBIN="$GOPATH/bin" GOAMD64=v3\nGOPROXY=off true\n')
    got = {(s.key, s.value, s.line) for s in sim.settings}
    assert got == {("GOFLAGS", "-mod=vendor", 1), ("GOOS", "linux", 2), ("GOPATH", "/h/gp", 4),
                   ("GOBIN", "/h/gp/bin", 5), ("GOAMD64", "v3", 5)}
    assert "GOARCH" not in sim.exported  # assigned, never exported: go never sees it


def test_sh_conditional_dynamic_unset_and_source() -> None:
    sim = sh('[ -d /x ] && export GOFLAGS=a\nf() {\n  export GOOS=js\n}\nexport GOPRIVATE="$(cat /p)"\n'
             'unset GOTOOLCHAIN\n. ~/go.sh\nexport -n GOINSECURE\n',
             {"HOME": "/h", "GOTOOLCHAIN": "local", "GOINSECURE": "x"}, {"/h/go.sh": "export GOPROXY=direct\n"})
    by = {s.key: s for s in sim.settings}
    assert by["GOFLAGS"].conditional and by["GOOS"].conditional and by["GOPRIVATE"].dynamic
    assert by["GOTOOLCHAIN"].value is None and by["GOINSECURE"].value is None
    assert by["GOPROXY"].file == "/h/go.sh" and sim.env.get("GOFLAGS") is None


def test_fish_forms_and_universal_file() -> None:
    sim = FishSim({"HOME": "/h", "PATH": "/usr/bin"}, "/h", {}.get)
    sim.run_file("/h/config.fish", "set -gx GOFLAGS -mod=vendor -trimpath\nfish_add_path /h/go/bin\n"
                                   "set -e GOOS\nif true\n  set -gx GOARCH arm64\nend\n")
    by = {s.key: s for s in sim.settings}
    assert by["GOFLAGS"].value == "-mod=vendor -trimpath" and by["PATH"].value == "/h/go/bin:/usr/bin"
    assert by["GOOS"].value is None and by["GOARCH"].conditional
    assert universal("SETUVAR --export GOPRIVATE:example\\x2ecom\nSETUVAR fish_greeting:hi\n", "f") == \
        [("GOPRIVATE", "example.com", 1, True), ("fish_greeting", "hi", 2, False)]


def test_dotenv_and_direnv_hook() -> None:
    got = dotenv.parse("# c\nexport GOFLAGS='-a $X'\nGOOS=\"li\\\"nux\"\nGOARCH=arm64 # arch\nGOBIN=${HOME}/b\n",
                       "/p/.env", {"HOME": "/h"})
    assert [(s.key, s.value, s.line) for s in got] == [("GOFLAGS", "-a $X", 2), ("GOOS", 'li"nux', 3),
                                                      ("GOARCH", "arm64", 4), ("GOBIN", "/h/b", 5)]
    assert direnv.hooked('eval "$(direnv hook bash)"') == "bash"
    assert direnv.hooked("direnv hook fish | source") == "fish"
    assert direnv.hooked('# eval "$(direnv hook zsh)"') is None


def s(key: str, value: str | None, kind: Kind, line: int = 1) -> Setting:
    return Setting(key, value, kind, f"/{kind.name.lower()}", line)


def test_resolver_precedence_and_empty_values() -> None:
    ctx = Context("terminal", "", (s("GOFLAGS", "", Kind.RC), s("GOFLAGS", "-mod=mod", Kind.GOENV),
                                   s("GOFLAGS", "-x", Kind.GOROOT_ENV)))
    assert winner(ctx, "GOFLAGS").value == "-mod=mod"  # an empty environment value falls through to the file
    ctx2 = Context("VS Code", "", (s("GOFLAGS", "-mod=vendor", Kind.RC), s("GOFLAGS", "-mod=mod", Kind.GOENV)))
    w = winner(ctx2, "GOFLAGS")
    assert w.value == "-mod=vendor" and [x.value for x in w.shadowed] == ["-mod=mod"]
    found = conflicts([ctx, ctx2])
    assert {c.key for c in found} == {"GOFLAGS"} and len(found) == 2


@given(st.text(max_size=400))
def test_hostile_text_never_raises(text: str) -> None:
    sh(text)
    FishSim({}, "/h", {}.get).run_file("/f", text)
    dotenv.parse(text, "/e")
    direnv.hooked(text)
    universal(text, "/u")


@given(st.lists(st.sampled_from(["export ", "GOOS=", "'", '"', "$(", "`", "\\", "\n", "{", "}", "if ", "fi",
                                 "case ", "esac", "(", ")", ";", "&&", ". ", "~/", "${", "x"]), max_size=60))
def test_shell_fragments_never_raise(parts: list[str]) -> None:
    sh("".join(parts), files={"/h/x": "".join(parts)})
