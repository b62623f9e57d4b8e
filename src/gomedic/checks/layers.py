"""layers: a Go variable set to different values by layers that apply to the same context, or winning with
different values in the terminal, in VS Code and in the debugger."""

from __future__ import annotations

from collections.abc import Iterator

from gomedic.facts import Facts
from gomedic.facts.layers import LAYERS
from gomedic.finding import Finding, ok, skip, warn
from gomedic.layers.model import Kind
from gomedic.layers.resolve import Conflict, Context, conflicts, describe, keys, winner
from gomedic.model import Category, Severity
from gomedic.registry import check


def _table(contexts: tuple[Context, ...]) -> dict[str, str]:
    """Evidence for `check -v`: each variable a file sets, with its value and where it comes from."""
    out: dict[str, str] = {}
    for key in keys(contexts):
        if key == "PATH":
            continue
        w = winner(contexts[0], key)
        if w.setting is not None and w.setting.kind is not Kind.PROCESS and w.value is not None:
            out[key] = f"{w.value} (from {describe(w.setting)})"
    out["go per context"] = "; ".join(f"{c.name}: {c.go or '(none)'}" for c in contexts)
    return out


def _finding(key: str, group: list[Conflict]) -> Finding:
    first = group[0]
    ev = {"file": first.where.file, "line": first.where.line or "", "layer": first.where.kind.value}
    ev.update({f"wins in {ctx}": v for ctx, v in first.values.items()})
    return warn("; ".join(dict.fromkeys(c.summary for c in group)), fix=first.fix, subject=key, **ev)


@check("layers.conflict", category=Category.TOOLCHAIN, severity=Severity.MEDIUM,
       title="Each Go variable has one value across config layers and contexts")
def conflict(f: Facts) -> Iterator[Finding]:
    """A Go variable (GOFLAGS, GOOS, GOPROXY, PATH's go, ...) is set to different values by layers that
    apply to the same context, or wins with different values in a terminal, in VS Code and in a debugged
    `go test`.

    Layers read (never executed): GOROOT/go.env, the GOENV file (`go env -w`), shell rc and profile files
    (bash, zsh, fish, sh; `source`d files followed), direnv `.envrc` (when direnv is hooked and the file
    allowed) and the `.env` files it loads, VS Code's `go.toolsEnvVars`/`go.goroot`/`go.gopath`, and
    launch.json `env`/`envFile`. An exported variable silently overrides the GOENV file
    (`go env -w GOFLAGS=-mod=mod` then does nothing); an `.envrc` exporting GOOS=windows makes the terminal
    build for Windows while VS Code builds for Linux; a GODEBUG in launch.json exists only under the
    debugger; a PATH set in ~/.bashrc only is not seen by VS Code started from the desktop.
    `gomedic layers` prints the whole table.

    Fix: set each variable in one place that every context reads (usually the GOENV file: `go env -w
    KEY=VALUE`), and delete the other line named in the evidence.
    """
    ly = f.get(LAYERS)
    set_by = {s.file for c in ly.contexts for s in c.settings if s.kind is not Kind.PROCESS and not s.conditional}
    if not set_by:
        yield skip(f"no config layer sets a Go variable (read: {', '.join(ly.files) or 'no file'})")
        return
    found = conflicts(ly.contexts)
    if not found:
        names = ", ".join(c.name for c in ly.contexts)
        yield ok(f"{len(set_by)} layer file(s) set Go variables; no variable is overridden with another value "
                 f"and each wins with the same value in: {names}", files=" ".join(sorted(set_by)),
                 **_table(ly.contexts))
        return
    by_key: dict[str, list[Conflict]] = {}
    for c in found:
        by_key.setdefault(c.key, []).append(c)
    for key, group in by_key.items():
        yield _finding(key, group)
