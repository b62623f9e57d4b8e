"""toolchain: the go command itself — found, one release, a sane GOROOT, a satisfiable GOTOOLCHAIN."""

from __future__ import annotations

import os
from collections.abc import Iterator

from gomedic.binfmt import goversion
from gomedic.facts import Facts
from gomedic.facts.go import GO_CMD, GO_CONFIG, GO_PATH_SCAN, GO_USUAL_INSTALLS, SRC_DEFAULT, go_version
from gomedic.facts.gomod import GO_MODULE, ModuleContext
from gomedic.facts.goroot import GOROOT_RELEASE, GOROOT_TREE
from gomedic.facts.host import HOST
from gomedic.facts.pathscan import GoInstall
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

T = Category.TOOLCHAIN


@check("toolchain.go-on-path", category=T, severity=Severity.CRITICAL, title="A go command is on PATH")
def go_on_path(f: Facts) -> Finding:
    """A `go` command is on PATH and is built for this machine.

    Users see `bash: go: command not found` (often after `apt install golang-1.22-go`, which installs to
    /usr/lib/go-1.22/bin, a directory not on PATH), or `cannot execute binary file: Exec format error`
    when the go on PATH was built for another architecture.

    Fix: add the install's bin directory to PATH (gomedic names the installs it found in the usual
    places), or install Go from https://go.dev/dl/.
    """
    gos = f.get(GO_PATH_SCAN)
    host = f.get(HOST)
    if not gos:
        found = f.get(GO_USUAL_INSTALLS)
        if found:
            return _installed_elsewhere(found, f.env.get("PATH", ""))
        return fail(
            "no go on PATH and no Go install in the usual places",
            fix="install Go from https://go.dev/dl/ and add /usr/local/go/bin to PATH",
            PATH=f.env.get("PATH", ""),
        )
    go = gos[0]
    ev = {"go": go.path, "realpath": go.realpath, "version": go.version or "unknown"}
    if go.goarch and go.goarch != host.goarch and not _runs_on(go.goarch, host.goarch):
        return fail(
            f"{go.path} is a {go.goos}/{go.goarch} binary; this machine is {host.goos}/{host.goarch}: "
            "running it fails with `exec format error`",
            fix=f"install the {host.goos}-{host.goarch} Go distribution from https://go.dev/dl/",
            **ev, host=f"{host.goos}/{host.goarch}",
        )
    if go.version is None:
        runs = go_version(f)
        if runs:
            return ok(f"go on PATH: {go.path}, a wrapper or version-manager shim that runs {runs}",
                      **{**ev, "version": runs})
        return fail(
            f"{go.path} is on PATH but is neither a Go binary nor a wrapper that runs one (`go env` fails)",
            fix="check what the go on PATH is: `file $(command -v go)`; reinstall Go or fix the shim",
            **ev,
        )
    return ok(f"go on PATH: {go.path} ({go.version})", **ev)


def _installed_elsewhere(found: list[GoInstall], path: str) -> Finding:
    """No go on PATH, but installs in the usual places: recommend the newest release (found is newest
    first, one entry per install), and say when even that one is no longer supported."""
    from gomedic.probe.releases import Support, judge, load

    best = found[0]
    listed = ", ".join(f"{g.path} ({g.version or 'unknown version'})" for g in found)
    d = os.path.dirname(best.path)
    why = f"the newest release found, {best.version}" if len(found) > 1 else best.version or "unknown version"
    verdict = judge(best.version or "", load())
    extra = ""
    if verdict.support is Support.UNSUPPORTED:
        extra = f"; {best.version} is no longer supported: install go{verdict.latest} from https://go.dev/dl/"
    return fail(f"no go on PATH, but Go is installed at {listed}",
                fix=f'export PATH="$PATH:{d}"  ({why}; in ~/.profile or your shell rc file){extra}',
                PATH=path, installs=listed, recommended=f"{best.path} ({best.version or 'unknown version'})")


def _runs_on(binary_arch: str, host_arch: str) -> bool:
    return (binary_arch, host_arch) in {("386", "amd64"), ("arm", "arm64")}


@check("toolchain.multiple-go", category=T, severity=Severity.MEDIUM, title="One Go release on PATH")
def multiple_go(f: Facts) -> Finding:
    """Only one Go release is on PATH, so every shell, script and tool runs the same go.

    With several (distro `golang-go` in /usr/bin, a tarball in /usr/local/go/bin, a version manager's
    shims), whichever comes first wins and the others are shadowed; `sudo`, IDEs and build scripts
    with a different PATH silently use another release. Symptoms: builds that differ between shell and
    IDE, or `go: download go1.22 for linux/amd64: toolchain not available` from an old go.

    Fix: remove the releases you do not use (e.g. `apt purge golang-go`) or reorder PATH.
    """
    gos = f.get(GO_PATH_SCAN)
    if not gos:
        return skip("no go on PATH")
    releases: dict[str, list[str]] = {}
    for g in gos:
        releases.setdefault(g.version or f"unknown ({g.realpath})", []).append(g.path)
    ev = {f"PATH[{i}]": g.label for i, g in enumerate(gos)}
    if len(releases) == 1:
        extra = f" ({len(gos)} entries, one release)" if len(gos) > 1 else ""
        return ok(f"one Go release on PATH: {gos[0].version}{extra}", **ev)
    winner = gos[0]
    shadowed = [f"{v} ({', '.join(p)})" for v, p in releases.items() if v != winner.version]
    return warn(
        f"{len(releases)} Go releases on PATH: {winner.version} at {winner.path} wins; "
        f"shadowed: {'; '.join(shadowed)}",
        fix="remove the releases you do not use, or put the one you want first on PATH",
        **ev,
    )


@check("toolchain.goroot-exists", category=T, severity=Severity.CRITICAL,
       title="GOROOT is a complete Go installation")
def goroot_exists(f: Facts) -> Finding:
    """GOROOT (from the environment, the GOENV file, or derived from the go binary) is a Go tree.

    It must exist, hold `bin/go` and `src/runtime`, and not end in `/bin` or `/bin/go`. Otherwise every
    go command fails with `go: cannot find GOROOT directory: /usr/local/go` or, when GOROOT is one level
    too deep, `package fmt is not in GOROOT (/usr/local/go/bin/src/fmt)`.

    Fix: unset GOROOT (the go command finds its own root), or point it at the directory that contains
    `bin/` and `src/`.
    """
    tree = f.get(GOROOT_TREE)
    goroot, source = tree.path, tree.source
    ev = {"GOROOT": goroot, "source": source}
    fix = "unset GOROOT (the go command finds its own root)" if source != "derived from the go binary" else \
        "reinstall Go: remove the tree and unpack a fresh release"
    if source == "GOENV file":
        fix = "go env -u GOROOT  (or remove the GOROOT line from the GOENV file)"
    stripped = goroot.rstrip("/")
    if stripped.endswith("/bin") or stripped.endswith("/bin/go"):
        parent = stripped[: stripped.rfind("/bin")]
        return fail(f"GOROOT={goroot} ({source}) points inside bin/; it must be the tree that contains bin/ and src/",
                    fix=f"unset GOROOT, or set GOROOT={parent}", **ev)
    if not tree.is_dir:
        what = "does not exist" if not tree.exists else "is not a directory"
        return fail(f"GOROOT={goroot} ({source}) {what}: go reports `go: cannot find GOROOT directory: {goroot}`",
                    fix=fix, **ev)
    missing = tree.missing
    if missing:
        return fail(f"GOROOT={goroot} ({source}) is not a complete Go tree: missing {', '.join(missing)}",
                    fix=fix, **ev)
    return ok(f"GOROOT={goroot} ({source}) is a Go tree", **ev)


@check("toolchain.goroot-matches", category=T, severity=Severity.HIGH,
       title="GOROOT holds the same Go release as the go command")
def goroot_matches(f: Facts) -> Finding:
    """`go version`, `$GOROOT/VERSION` and the compiler in GOTOOLDIR are one release.

    When they are not, builds fail once per standard package with
    `compile: version "go1.22.10" does not match go tool version "go1.27.3"`. Causes: a GOROOT variable
    left pointing at an older (or newer) install, or a new tarball unpacked on top of an old tree.

    Fix: unset GOROOT; or remove the old tree (`rm -rf /usr/local/go`) before unpacking a new release.
    """
    go = f.get(GO_CMD)
    tree = f.get(GOROOT_TREE)
    goroot, source = tree.path, tree.source
    if not tree.is_dir:
        return skip(f"GOROOT={goroot} does not exist (see toolchain.goroot-exists)")
    running = go_version(f) or "unknown"
    rel = f.get(GOROOT_RELEASE)
    root_version = rel.version or "unknown"
    tooldir, compile_path, compile_version = rel.tooldir, rel.compile_path, rel.compile_version
    ev = {"go": go.path, "go version": running, "GOROOT": goroot, "GOROOT source": source,
          "GOROOT/VERSION": root_version, "compile": compile_path, "compile version": compile_version or "missing"}
    fix = "unset GOROOT (the go command finds its own root)" if source != "derived from the go binary" else \
        f"remove {goroot} and unpack a fresh release (an old tree was overwritten in place)"
    if goversion.compare(root_version, running) != 0:
        return fail(f"GOROOT={goroot} holds {root_version} but {go.path} is {running}", fix=fix, **ev)
    if compile_version is None:
        return fail(f"no compiler at {compile_path}: GOROOT={goroot} is incomplete", fix=fix, **ev)
    if goversion.compare(compile_version, running) != 0:
        return fail(f"the compiler in {tooldir} is {compile_version} but {go.path} is {running}: builds fail "
                    f'with `compile: version "{compile_version}" does not match go tool version "{running}"`',
                    fix=fix, **ev)
    return ok(f"go, GOROOT and compiler are all {running}", **ev)


def _toolchain_mode(value: str) -> tuple[str, str]:
    """GOTOOLCHAIN -> (minimum toolchain, fallback): `local`, `go1.25.1+auto` -> ("go1.25.1", "auto")."""
    base, _, fallback = value.partition("+")
    if base in ("auto", "path"):
        return "local", base
    return base, fallback


@check("toolchain.gotoolchain", category=T, severity=Severity.HIGH,
       title="go.mod/go.work go and toolchain lines can be satisfied")
def gotoolchain(f: Facts) -> Iterator[Finding]:
    """The `go` and `toolchain` lines of go.mod (or go.work) can be satisfied under GOTOOLCHAIN.

    With GOTOOLCHAIN=local and an older go: `go: go.mod requires go >= 1.28.0 (running go 1.27.3;
    GOTOOLCHAIN=local)`. A two-part `go 1.N` line (N >= 21) makes an older go look for a release named
    `go1.N` that does not exist: `go: download go1.28 for linux/amd64: toolchain not available`, and
    every go command fails. With GOTOOLCHAIN=auto an older go silently downloads a toolchain into the
    module cache (GOROOT under GOMODCACHE/golang.org/toolchain@...): reported as a warning. Go 1.20 and
    older have no GOTOOLCHAIN at all: they ignore the variable, never download, and build a module whose
    go line is newer with themselves (`note: module requires Go 1.N` under the compile errors); they
    cannot parse a three-part go line or a `toolchain` line.

    Fix: upgrade the local Go; write the go line with three parts (`go 1.28.0`) or add a `toolchain`
    line; or allow downloads with GOTOOLCHAIN=auto.
    """
    cfg = f.get(GO_CONFIG)
    go = f.get(GO_CMD)
    local = go_version(f) or ""
    tc = cfg.get("GOTOOLCHAIN")
    minimum, fallback = _toolchain_mode(tc.value or "auto")
    ev = {"go": go.path, "local version": local or "unknown", "GOTOOLCHAIN": f"{tc.value or 'auto'} ({tc.source})"}
    if local and not goversion.has_gotoolchain(local):
        yield _before_gotoolchain(local, tc.value if tc.source != SRC_DEFAULT else "", f.get(GO_MODULE), ev)
        return
    if minimum != "local" and not goversion.is_valid(minimum):
        yield fail(f"GOTOOLCHAIN={tc.value} ({tc.source}) is not a toolchain name: go reports "
                   f"`go: invalid GOTOOLCHAIN {tc.value!r}`",
                   fix="set GOTOOLCHAIN to local, auto, or a release such as go1.27.3", **ev)
        return
    goroot = cfg.value("GOROOT")
    modcache = cfg.value("GOMODCACHE")
    if modcache and goroot.startswith(os.path.join(modcache, "golang.org", "toolchain@")):
        yield warn(f"an auto-downloaded toolchain is in use: GOROOT={goroot}",
                   fix="pin the release you want: install it locally and set GOTOOLCHAIN=local", **ev)
        return
    mod = f.get(GO_MODULE)
    if mod.file is None:
        yield _no_module_verdict(minimum, local, tc.value, ev)
        return
    yield _module_verdict(mod.kind, mod.file, mod.go_line, mod.toolchain_line, local, minimum, fallback, ev)


def _before_gotoolchain(local: str, set_value: str, mod: ModuleContext, ev: dict[str, str]) -> Finding:
    """Go <= 1.20 has no GOTOOLCHAIN: it never switches or downloads; it builds with itself, whatever the
    go line says, and only adds `note: module requires Go 1.N` under a compile error."""
    ev = {**ev, "GOTOOLCHAIN": f"{set_value} (ignored by {local})" if set_value else f"(not used by {local})"}
    ignored = f"; GOTOOLCHAIN={set_value} is ignored" if set_value else ""
    base = f"{local} predates GOTOOLCHAIN (Go 1.21): it never switches or downloads a toolchain{ignored}"
    if mod.file is None:
        return ok(f"not in a module; {base}", **ev)
    go_line, path = mod.go_line, mod.file
    ev.update({mod.kind: path, "go line": go_line or "(none)", "toolchain line": mod.toolchain_line or "(none)",
               "file": path})
    if mod.toolchain_line or (go_line and not goversion.go_line_format_ok(go_line, local)):
        what = f"`toolchain {mod.toolchain_line}`" if mod.toolchain_line else f"`go {go_line}`"
        return fail(f"{path} has {what}, which {local} cannot parse (see modules.gomod); {base}",
                    fix=f"install Go 1.21 or newer (it then honours go and toolchain lines), or write "
                        f"`go {goversion.lang(go_line or '') or '1.N'}` without a toolchain line", **ev)
    if not go_line or goversion.compare_lang(go_line, goversion.strip_go(local)) <= 0:
        return ok(f"{path} says go {go_line or '(none)'}; {base}, and none is needed", **ev)
    return warn(f"{path} says go {go_line}, newer than {local}; {base}: go builds with {local}, and code "
                f"that needs Go {go_line} fails to compile with `note: module requires Go {go_line}`",
                fix=f"install Go {go_line} or newer (Go 1.21+ also switches toolchains itself under "
                    "GOTOOLCHAIN=auto)", **ev)


def _no_module_verdict(minimum: str, local: str, value: str, ev: dict[str, str]) -> Finding:
    if minimum != "local" and local and goversion.compare(minimum, local) > 0:
        return warn(f"GOTOOLCHAIN={value} asks for {minimum}, newer than the local {local}: "
                    "every go command downloads and runs it", fix="install it locally, or unset GOTOOLCHAIN", **ev)
    return ok(f"not in a module; GOTOOLCHAIN={value or 'auto'} and the local {local} agree", **ev)


def _module_verdict(kind: str, path: str, go_line: str | None, toolchain_line: str | None, local: str,
                    minimum: str, fallback: str, ev: dict[str, str]) -> Finding:
    ev = {**ev, kind: path, "go line": go_line or "(none)", "toolchain line": toolchain_line or "(none)", "file": path}
    need = "go" + go_line if go_line else ""
    if toolchain_line and goversion.compare(toolchain_line, need) > 0:
        need = toolchain_line
    if minimum != "local" and goversion.compare(minimum, need) > 0:
        need = minimum
    if not need or not local or goversion.compare(local, need) >= 0:
        return ok(f"{kind} needs {need or 'any go'}; the local {local} satisfies it", **ev)
    lang = go_line or ""
    two_part = goversion.is_lang(lang) and (goversion.minor(lang) or 0) >= 21 and not toolchain_line
    allow_switch = fallback in ("auto", "path") or minimum != "local"
    if not allow_switch:
        return fail(f"{path} requires go >= {goversion.strip_go(need)} (running go {goversion.strip_go(local)}; "
                    f"GOTOOLCHAIN=local): every go command in this module fails",
                    fix=f"install {need} or newer, or let go download it: GOTOOLCHAIN=auto", **ev)
    if two_part:
        return fail(f"{path} says `go {lang}` (two parts) and the local go is {local}: go looks for a release "
                    f"named go{lang}, which does not exist (`go: download go{lang} for ...: toolchain not available`)",
                    fix=f"write `go {lang}.0` in {os.path.basename(path)} (or add `toolchain go{lang}.0`), "
                        f"or install go{lang}.0 or newer", **ev)
    return warn(f"{path} needs {need}; the local go is {local}, so GOTOOLCHAIN={fallback or minimum} downloads "
                f"{need} through GOPROXY on every machine that builds this module",
                fix=f"install {need} locally (and set GOTOOLCHAIN=local to forbid downloads)", **ev)


_EXEC_FORMAT_PAIRS = {("386", "amd64"), ("arm", "arm64")}


@check("toolchain.host-target", category=T, severity=Severity.MEDIUM,
       title="GOOS/GOARCH are not set persistently to another platform")
def host_target(f: Facts) -> Finding:
    """GOOS/GOARCH are not set persistently (exported, or written with `go env -w`) to a non-host pair.

    Cross-compiling by setting GOOS/GOARCH for one command is fine. Left in the environment or the
    GOENV file, they make `go run` and `go test` build programs for the other platform, which then die
    with `fork/exec /tmp/go-build.../exe/main: exec format error`.

    Fix: `unset GOOS GOARCH` (or `go env -u GOOS GOARCH`), and set them only on the command line of a
    cross build: `GOOS=windows go build`.
    """
    cfg = f.get(GO_CONFIG)
    host = f.get(HOST)
    goos, goarch = cfg.get("GOOS"), cfg.get("GOARCH")
    ev = {"GOOS": f"{goos.value} ({goos.source})", "GOARCH": f"{goarch.value} ({goarch.source})",
          "host": f"{host.goos}/{host.goarch}"}
    set_by_user = [s for s in (goos, goarch) if s.source != SRC_DEFAULT and s.value]
    if not set_by_user:
        return ok(f"GOOS/GOARCH not set; go builds for this host ({host.goos}/{host.goarch})", **ev)
    os_ok = goos.value in ("", host.goos)
    arch_ok = goarch.value in ("", host.goarch) or (goarch.value, host.goarch) in _EXEC_FORMAT_PAIRS
    if os_ok and arch_ok:
        return ok(f"GOOS/GOARCH set to {goos.value}/{goarch.value}, which runs on this host", **ev)
    where = " and ".join(f"{s.key}={s.value} ({s.source})" for s in set_by_user)
    unset = "go env -u" if any(s.source == "GOENV file" for s in set_by_user) else "unset"
    return warn(f"{where}: go run and go test build {goos.value}/{goarch.value} programs that fail here with "
                "`exec format error`",
                fix=f"{unset} {' '.join(s.key for s in set_by_user)}; set them only for cross builds", **ev)

