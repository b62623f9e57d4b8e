"""goenv: configuration sources — the GOENV file, values it loses to the environment, GOFLAGS, GO111MODULE."""

from __future__ import annotations

from collections.abc import Iterator

from gomedic.facts import Facts
from gomedic.facts.envfile import entry_problems, split_quoted
from gomedic.facts.go import (
    GO_CONFIG,
    GO_ENV_PROBE,
    GOENV_FILE,
    SRC_DEFAULT,
    GoEnvFile,
)
from gomedic.facts.gomod import GO_MODULE
from gomedic.facts.gorun import GOFLAGS_VERDICT
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

T = Category.TOOLCHAIN


def _file_ev(ef: GoEnvFile) -> dict[str, str]:
    return {"GOENV file": ef.path or "(none)", "chosen by": ef.how}


@check("goenv.file", category=T, severity=Severity.HIGH, title="The GOENV file parses and every entry is valid")
def goenv_file(f: Facts) -> Iterator[Finding]:
    """The GOENV file (`go env -w` writes it; ~/.config/go/env by default) parses, and every entry passes
    the rules `go env -w` enforces.

    A bad entry written by hand, by an old tool, or by an older go can break every go command, `go env`
    included: `go: GOPATH entry is relative; must be absolute path: "go"`, `go: cannot find GOROOT
    directory: /opt/go`, `go: unknown environment setting GO111MODULE=yes`. `go env -w` itself refuses
    such values: `GOROOT cannot be modified`, `unknown go command variable GOFOO`.

    Fix: `go env -u KEY` for the offending key, or edit the file (gomedic names file and line).
    """
    ef = f.get(GOENV_FILE)
    ev = _file_ev(ef)
    if ef.path is None:
        yield ok(f"no GOENV file is used ({ef.how})", **ev)
        return
    if ef.special:
        yield fail(f"GOENV file {ef.path} {ef.error}; every go command blocks reading it",
                   fix=f"remove {ef.path} or point GOENV at a regular file (or GOENV=off)", **ev, file=ef.path)
        return
    if ef.error:
        yield fail(f"GOENV file {ef.path} cannot be read: {ef.error}; every go command ignores it",
                   fix=f"fix the permissions of {ef.path} (it must be readable by you)", **ev, file=ef.path)
        return
    if not ef.exists:
        yield ok(f"no GOENV file at {ef.path} (nothing was set with go env -w)", **ev)
        return
    problems = [(e.line, e.key, p) for e in ef.text.entries for p in entry_problems(e.key, e.value)]
    breaks = _go_breaks(f, ef)
    if not problems and not breaks:
        keys = ", ".join(sorted(ef.text.values())) or "no entries"
        yield ok(f"GOENV file {ef.path} is valid ({keys})", **ev)
        return
    for line, key, problem in problems:
        yield fail(f"{ef.path}:{line}: {key}: {problem}",
                   fix=f"go env -u {key}  (or delete line {line} of {ef.path})",
                   subject=f"{ef.path}:{line}", **ev, file=ef.path, line=line, key=key)
    if breaks and not problems:
        yield fail(f"every go command fails with the GOENV file {ef.path} in place: {breaks}",
                   fix=f"move {ef.path} aside and run the go command again; then re-add entries one by one",
                   **ev, file=ef.path)


def _go_breaks(f: Facts, ef: GoEnvFile) -> str | None:
    """go's own error when `go env` fails and the failing key is set in the GOENV file."""
    from gomedic.errors import FactUnavailable

    try:
        probe = f.get(GO_ENV_PROBE)
    except FactUnavailable:
        return None
    if probe.values is not None or not probe.stderr:
        return None
    file_keys = ef.text.values()
    line = next((ln for ln in probe.stderr.splitlines() if ln.strip()), "")
    for key, value in file_keys.items():
        if key in line or (len(value) >= 3 and value in line):  # short values match by accident
            return line.strip()
    return None


@check("goenv.shadowed", category=T, severity=Severity.MEDIUM,
       title="No GOENV file value is silently overridden by the environment")
def goenv_shadowed(f: Facts) -> Iterator[Finding]:
    """No value in the GOENV file is silently ignored because the OS environment sets the same key.

    Precedence is OS environment > GOENV file > defaults. `go env -w GOPROXY=...` then prints
    `warning: go env -w GOPROXY=... does not override conflicting OS environment variable`, once;
    afterwards the file value is ignored without a word (common with GOPROXY, GOFLAGS and GOPRIVATE set
    by CI, Docker `ENV` or a shell rc file).

    Fix: unset the exported variable, or remove the file entry with `go env -u KEY`.
    """
    ef = f.get(GOENV_FILE)
    if ef.path is None or not ef.exists:
        yield skip(f"no GOENV file ({ef.path or ef.how})", **_file_ev(ef))
        return
    shadowed = [(e, f.env[e.key]) for e in ef.text.entries
                if f.env.get(e.key) and f.env[e.key] != e.value and ef.text.last(e.key) is e]
    if not shadowed:
        yield ok(f"no entry of {ef.path} is overridden by the environment", **_file_ev(ef))
        return
    for e, env_value in shadowed:
        yield warn(f"{e.key}={e.value} in {ef.path}:{e.line} is ignored: the environment sets {e.key}={env_value}",
                   fix=f"unset {e.key} in your shell/CI (to use the file value), or `go env -u {e.key}`",
                   subject=f"{ef.path}:{e.line}", **_file_ev(ef), file=ef.path, line=e.line, key=e.key,
                   **{"file value": e.value, "environment value": env_value})


@check("goenv.goflags", category=T, severity=Severity.HIGH, title="GOFLAGS is a list of -flag[=value] entries")
def goflags(f: Facts) -> Finding:
    """GOFLAGS splits into standalone `-flag[=value]` entries that the go command knows.

    GOFLAGS is split on spaces (quotes group in Go 1.21 and newer; go1.19 splits inside them), and every
    entry must be a flag some go command accepts. `GOFLAGS='-ldflags="-s -w"'` splits into `-ldflags="-s` and `-w"`:
    every build, test and `go version` then fails with `go: parsing $GOFLAGS: unknown flag -w` (`go env`
    hides the error, so it is easy to miss).

    Fix: quote whole entries (`GOFLAGS="'-ldflags=-s -w' -trimpath"`), or pass such flags on the
    command line.
    """
    s = f.get(GO_CONFIG).get("GOFLAGS")
    if not s.value.strip():
        return ok("GOFLAGS is empty", GOFLAGS="", source=s.source)
    ev = {"GOFLAGS": s.value, "source": s.source}
    try:
        tokens = split_quoted(s.value)
    except ValueError as e:
        return fail(f"GOFLAGS={s.value} ({s.source}) cannot be split: {e}: go reports `go: parsing $GOFLAGS: {e}`",
                    fix="balance the quotes in GOFLAGS", **ev)
    bad = [t for t in tokens if not t.startswith("-") or t in ("-", "--") or t.startswith(("---", "-=", "--="))]
    if bad:
        return fail(f'GOFLAGS={s.value} ({s.source}): {bad[0]!r} is not a flag: go reports `go: parsing $GOFLAGS: '
                    f'non-flag "{bad[0]}"`', fix="make every GOFLAGS entry a standalone -flag=value", **ev)
    verdict = f.get(GOFLAGS_VERDICT)
    if verdict:
        return fail(f"GOFLAGS={s.value} ({s.source}) is rejected by go: `{verdict}`",
                    fix="quote entries that contain spaces (GOFLAGS=\"'-ldflags=-s -w'\") or drop the unknown flag",
                    **ev, **{"go says": verdict})
    return ok(f"GOFLAGS={s.value} ({s.source}) parses: {', '.join(tokens)}", **ev)


@check("goenv.go111module", category=T, severity=Severity.MEDIUM, title="GO111MODULE does not disable modules")
def go111module(f: Facts) -> Finding:
    """GO111MODULE is unset or `on`: module mode, the default since Go 1.16.

    `off` (or `auto` inside GOPATH/src) lingers from old tutorials, old editor settings and
    `go env -w GO111MODULE=off`; then `go: modules disabled by GO111MODULE=off; see 'go help modules'`
    and `go install pkg@latest` / `go mod tidy` fail. Any other value breaks the go command:
    `go: unknown environment setting GO111MODULE=yes`.

    Fix: `go env -u GO111MODULE` and/or `unset GO111MODULE`.
    """
    s = f.get(GO_CONFIG).get("GO111MODULE")
    ev = {"GO111MODULE": s.value or "(unset)", "source": s.source}
    unset = "go env -u GO111MODULE" if s.source == "GOENV file" else "unset GO111MODULE"
    if s.value in ("", "on") or s.source == SRC_DEFAULT:
        return ok(f"GO111MODULE={s.value or 'unset'}: module mode", **ev)
    if s.value == "off":
        return warn(f"GO111MODULE=off ({s.source}): modules are disabled; go.mod files are ignored and "
                    "`go install pkg@version` fails with `go: modules disabled by GO111MODULE=off`",
                    fix=unset, **ev)
    if s.value == "auto":
        mod = f.get(GO_MODULE)
        gopath = f.get(GO_CONFIG).value("GOPATH").split(":")[0]
        inside = bool(mod.gomod and gopath and mod.gomod.startswith(gopath.rstrip("/") + "/src/"))
        if inside:
            return warn(f"GO111MODULE=auto ({s.source}) and the module {mod.gomod} is inside GOPATH/src: "
                        "go ignores its go.mod", fix=unset, **ev, **{"go.mod": mod.gomod or ""}, file=mod.gomod)
        return ok(f"GO111MODULE=auto ({s.source}): module mode wherever a go.mod exists", **ev)
    return fail(f"GO111MODULE={s.value} ({s.source}) is not a valid value: go fails with "
                f"`go: unknown environment setting GO111MODULE={s.value}`", fix=unset, **ev)
