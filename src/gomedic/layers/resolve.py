"""Which value of each Go variable wins in each context, and the conflicts between layers.

A context (a terminal, VS Code's Go tools, a debugged `go test`) is an ordered list of settings: the
process environment, then the files and settings that context applies, in the order it applies them. The
go command then reads its own layers under the environment: a non-empty environment value wins over the
GOENV file, which wins over GOROOT/go.env (cmd/go internal/cfg).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gomedic.layers.model import Kind, Setting
from gomedic.values import frozen

GO_FILES = (Kind.GOENV, Kind.GOROOT_ENV)
# Layers that only the go command reads (never the environment), lowest precedence last.
UNSET = "(unset)"
ENV_ONLY = frozenset({"GODEBUG", "GOENV", "PATH"})  # the go command reads these from the environment only


@frozen
class Context:
    name: str  # "terminal", "VS Code", "debug: <configuration>"
    how: str  # how the context was modelled, e.g. "bash -i: ~/.bashrc"
    settings: tuple[Setting, ...]  # environment layers in the order they apply, then GOENV file, go.env
    go: str | None = None  # the go command this context's PATH runs


@frozen
class Winner:
    value: str | None  # None: unset everywhere (go uses its default)
    setting: Setting | None  # where it comes from
    shadowed: tuple[Setting, ...]  # unconditional settings of other values it overrides


def winner(ctx: Context, key: str) -> Winner:
    env_side = [s for s in ctx.settings if s.key == key and s.kind not in GO_FILES and not s.conditional]
    go_side = [s for s in ctx.settings if s.key == key and s.kind in GO_FILES]
    win: Setting | None = env_side[-1] if env_side else None
    if win is not None and not win.value and key.startswith(("GO", "CGO_")):
        win = None  # go treats an empty variable as unset and reads its files
    if win is None and go_side:
        # the GOENV file before go.env; within a file the last line wins
        goenv = [s for s in go_side if s.kind is Kind.GOENV]
        win = goenv[-1] if goenv else go_side[-1]
    if win is None:
        return Winner(None, env_side[-1] if env_side else None, ())
    rivals = [s for s in env_side + go_side
              if s is not win and s.kind is not Kind.PROCESS and s.value is not None and s.value != win.value]
    return Winner(win.value, win, tuple(rivals))


def keys(contexts: Sequence[Context]) -> list[str]:
    seen: dict[str, None] = {}
    for c in contexts:
        for s in c.settings:
            seen.setdefault(s.key, None)
    return sorted(seen)


@frozen
class Conflict:
    key: str
    summary: str
    where: Setting  # the setting to change (file, line)
    fix: str
    values: Mapping[str, str]  # context -> winning value


def describe(s: Setting | None) -> str:
    if s is None:
        return "nowhere"
    if s.kind is Kind.PROCESS:
        return "the process environment"
    return f"{s.file}:{s.line}" if s.line else s.file


def _odd_one(wins: list[Winner]) -> Setting | None:
    """The setting to move: the winning one that only some contexts apply (not go's own files)."""
    cands = [w.setting for w in wins if w.value is not None and w.setting is not None]
    own = [s for s in cands if s.kind not in GO_FILES and s.kind is not Kind.PROCESS]
    pick = own or cands
    return pick[0] if pick else None


def conflicts(contexts: Sequence[Context]) -> list[Conflict]:
    out: list[Conflict] = []
    for key in keys(contexts):
        wins = {c.name: winner(c, key) for c in contexts}
        values = {n: (w.value if w.value is not None else UNSET) for n, w in wins.items()}
        if key != "PATH":
            for c in contexts:
                w = wins[c.name]
                # the process environment over the GOENV file is goenv.shadowed's to report
                if w.shadowed and w.setting is not None and w.setting.kind is not Kind.PROCESS:
                    lost = w.shadowed[-1]
                    win = w.setting
                    out.append(Conflict(
                        key, f"{key}: {describe(win)} sets {key}={w.value}, which overrides {key}={lost.value} "
                             f"from {describe(lost)} ({lost.kind.value}) in the {c.name}",
                        win,
                        f"set {key} in one place: delete {key} at {describe(win)} (then {describe(lost)} applies), "
                        f"or give both the same value", values))
                    break
            if len(set(values.values())) > 1:
                where = _odd_one(list(wins.values()))
                if where is None:
                    continue
                shown = ", ".join(f"{n}: {v}" for n, v in values.items())
                home = ("export it in a file every context reads (~/.profile) or in go.mod's godebug block"
                        if key in ENV_ONLY else f"put it in the GOENV file (go env -w {key}=VALUE), which every "
                        "context reads,")
                out.append(Conflict(
                    key, f"{key} differs between contexts ({shown}): a build, test or debug session sees "
                         f"another {key} than the terminal", where,
                    f"set {key} once: {home} and remove it from {describe(where)}", values))
        else:
            gos = {c.name: c.go or "(no go on PATH)" for c in contexts}
            if len(set(gos.values())) > 1:
                pw = _odd_one(list(wins.values()))
                if pw is None:
                    continue
                shown = ", ".join(f"{n}: {g}" for n, g in gos.items())
                out.append(Conflict(
                    key, f"PATH runs a different go per context ({shown}): it works in one and not the other",
                    pw, f"put the Go directory on PATH in a file every context reads (~/.profile is read by login "
                       f"shells and by VS Code's shell-environment probe; ~/.bashrc only by interactive bash) "
                       f"instead of only {describe(pw)}", gos))
    return out
