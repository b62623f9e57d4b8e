"""layers.conflict in-process: the LAYERS fact seeded with contexts built by gomedic's own shell simulator over
rc texts, a GOENV file parsed by the env-file parser and the real GOROOT/go.env of a cached toolchain. The
real shells' agreement with these predictions is tested in tests/layers/test_real_shells.py."""

from __future__ import annotations

from gomedic.checks.layers import conflict
from gomedic.facts import Facts
from gomedic.facts.envfile import parse as parse_goenv
from gomedic.facts.layers import LAYERS, Layers
from gomedic.layers.model import Kind, Setting, tracked
from gomedic.layers.resolve import Context
from gomedic.layers.shparse import ShellSim
from gomedic.model import Status
from tests.support.seeded import HOME, all_of, facts, one
from tests.support.toolchains import NEWEST, toolchain

BASHRC = f"{HOME}/.bashrc"
ENVFILE = f"{HOME}/.config/go/env"


def rc(text: str, path: str = BASHRC) -> list[Setting]:
    """What bash would export reading `text`, as gomedic's shell simulator records it."""
    sim = ShellSim({"HOME": HOME, "PATH": "/usr/bin:/bin"}, HOME, lambda p: None)
    sim.run_file(path, text)
    return list(sim.settings)


def go_files(goenv_text: str | None) -> list[Setting]:
    """The GOENV file's settings, then the real GOROOT/go.env of the newest cached toolchain."""
    out: list[Setting] = []
    if goenv_text is not None:
        out += [Setting(e.key, e.value, Kind.GOENV, ENVFILE, e.line) for e in parse_goenv(goenv_text).entries
                if tracked(e.key)]
    goenv = toolchain(NEWEST) / "go.env"
    out += [Setting(e.key, e.value, Kind.GOROOT_ENV, str(goenv), e.line)
            for e in parse_goenv(goenv.read_text()).entries if tracked(e.key)]
    return out


def seeded(*contexts: Context) -> Facts:
    f = facts({"HOME": HOME})
    files = tuple(dict.fromkeys(s.file for c in contexts for s in c.settings))
    f.seed(LAYERS, Layers("bash", contexts, (), files))
    return f


def terminal(settings: list[Setting]) -> Context:
    return Context("terminal", f"bash -i: {BASHRC}", tuple(settings), f"{toolchain(NEWEST)}/bin/go")


def test_only_go_env_is_ok_with_the_table_of_values() -> None:
    r = one(conflict(seeded(terminal(go_files(None)))))
    goenv = toolchain(NEWEST) / "go.env"
    assert r.status is Status.OK and r.summary.startswith("1 layer file(s) set Go variables; no variable is overridden")
    assert r.evidence["files"] == str(goenv)
    assert r.evidence["GOPROXY"].startswith(f"https://proxy.golang.org,direct (from {goenv}:")
    assert r.evidence["go per context"] == f"terminal: {toolchain(NEWEST)}/bin/go"


def test_rc_export_overriding_the_goenv_file_warns_with_file_and_line() -> None:
    ctx = terminal(rc("# go\nexport GOFLAGS=-mod=vendor\n") + go_files("GOFLAGS=-mod=mod\n"))
    r = one(conflict(seeded(ctx)))
    assert r.status is Status.WARN and r.subject == "GOFLAGS"
    assert f"{BASHRC}:2 sets GOFLAGS=-mod=vendor, which overrides GOFLAGS=-mod=mod from {ENVFILE}:1" in r.summary
    assert r.evidence["file"] == BASHRC and r.evidence["line"] == "2" and r.evidence["layer"] == "shell rc file"
    assert r.fix is not None and f"delete GOFLAGS at {BASHRC}:2" in r.fix


def test_a_value_only_vscode_sees_warns_naming_both_contexts() -> None:
    settings = "/home/gmseeded/.config/Code/User/settings.json"
    base = go_files(None)
    code = Context("VS Code", "go.toolsEnvVars", (Setting("GOFLAGS", "-tags=editor", Kind.VSCODE, settings, 4), *base))
    got = all_of(conflict(seeded(terminal(base), code)))
    r = next(x for x in got if x.subject == "GOFLAGS")
    assert r.status is Status.WARN
    assert "GOFLAGS differs between contexts (terminal: (unset), VS Code: -tags=editor)" in r.summary
    assert r.evidence["file"] == settings and r.evidence["line"] == "4"


def test_nothing_set_by_any_layer_skips() -> None:
    r = one(conflict(seeded(terminal([]))))
    assert r.status is Status.SKIP and r.summary == "no config layer sets a Go variable (read: no file)"
