"""paths: where Go reads and writes — GOPATH, the install dir on PATH, the build and module caches."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping

from gomedic.facts import Facts
from gomedic.facts.access import Principal
from gomedic.facts.go import GO_CONFIG, SRC_DEFAULT, Setting
from gomedic.facts.gobin import CACHE_DIRS, INSTALL_DIR, USER, DirState
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

FS = Category.FILESYSTEM


def _clean(p: str) -> str:
    return os.path.normpath(p) if p else p


@check("paths.gopath", category=FS, severity=Severity.HIGH,
       title="Every GOPATH entry is an absolute path other than GOROOT")
def gopath(f: Facts) -> Finding:
    """Every GOPATH entry is absolute, with no empty element, no `~`, no quotes, and not equal to GOROOT.

    go refuses relative entries in every command: `go: GOPATH entry is relative; must be absolute path:
    "go".` (also for `""` from a trailing `:`, and for `"'/home/me/go'"` from quotes written by
    `go env -w GOPATH='...'`); `go: GOPATH entry cannot start with shell metacharacter '~'`. GOPATH equal
    to GOROOT gives `warning: both GOPATH and GOROOT are the same directory (/usr/local/go)`.

    Fix: unset GOPATH (the default, $HOME/go, is right for almost everyone) or set absolute paths.
    """
    cfg = f.get(GO_CONFIG)
    s = cfg.get("GOPATH")
    goroot = cfg.value("GOROOT")
    ev = {"GOPATH": s.value, "source": s.source, "GOROOT": goroot}
    fix = "go env -u GOPATH" if s.source == "GOENV file" else "unset GOPATH (the default is $HOME/go)"
    if not s.value:
        if s.source == SRC_DEFAULT:
            return warn("GOPATH is empty: HOME is not set, so go has no default GOPATH ($HOME/go) for "
                        "`go install` and the module cache", fix="set HOME, or export GOPATH=/some/absolute/dir",
                        **ev)
        return ok("GOPATH is empty", **ev)
    if goroot and _clean(s.value) == _clean(goroot):
        return fail(f"GOPATH={s.value} ({s.source}) is GOROOT: go warns `both GOPATH and GOROOT are the same "
                    "directory` and installs into the Go tree", fix=fix, **ev)
    for entry in s.value.split(os.pathsep):
        problem = _entry_problem(entry)
        if problem:
            return fail(f"GOPATH={s.value} ({s.source}): {problem}", fix=fix, **ev)
    return ok(f"GOPATH={s.value} ({s.source})", **ev)


def _entry_problem(entry: str) -> str | None:
    if entry == "":
        return 'an empty element (a stray ":"): go fails with `GOPATH entry is relative; must be absolute path: ""`'
    if entry.startswith("~"):
        return f"{entry!r} starts with ~, which only a shell expands: go fails with `GOPATH entry cannot start " \
               "with shell metacharacter '~'`"
    if "'" in entry or '"' in entry:
        return f"{entry!r} contains quotes, which are kept literally: go fails with `GOPATH entry is relative`"
    if not os.path.isabs(entry):
        return f"{entry!r} is relative: go fails with `GOPATH entry is relative; must be absolute path: {entry!r}`"
    return None


@check("paths.gobin-on-path", category=FS, severity=Severity.MEDIUM,
       title="go install's directory is on PATH and its tools are not shadowed")
def gobin_on_path(f: Facts) -> Iterator[Finding]:
    """The directory `go install` writes to (GOBIN, else the first GOPATH entry's bin) is writable by the
    user, is on PATH, and the tools in it are not shadowed by other copies earlier on PATH.

    Otherwise `go install golang.org/x/tools/gopls@latest` fails with `go install ...: copying
    /tmp/go-build.../exe/a.out: open /usr/local/go/bin/gopls: permission denied` (a GOBIN owned by
    root), or succeeds and then `gopls: command not found`; or the old copy in /usr/local/bin keeps
    running after an upgrade. A directory that is not on PATH but holds no program yet (a new
    machine: ~/go/bin does not exist) is a warning: nothing is broken until the first `go install`.

    Fix: add the directory to PATH in your shell's rc file (`export PATH="$PATH:$HOME/go/bin"`) and open
    a new shell; give the directory back to the user (or set GOBIN to one they own); remove stale
    copies (then `hash -r`).
    """
    inst = f.get(INSTALL_DIR)
    d, source = inst.path, inst.source
    ev = {"install dir": d, "from": source, "PATH": f.env.get("PATH", "")}
    who = f.get(USER)
    acc = inst.writable
    if not acc.ok:
        ev.update({"user": who.label(), "examined": acc.path_examined, "owner": acc.owner, "mode": acc.mode})
        err = f"open {d}/<program>: permission denied" if inst.is_dir else f"mkdir {d}/: permission denied"
        step = f"sudo chown {who.name} {acc.path_examined}" if acc.path_examined and inst.is_dir else \
            f"sudo install -d -o {who.name} {d}"
        other = "go env -w GOBIN=$HOME/go/bin" if source.startswith("GOBIN") else "export GOBIN=$HOME/go/bin"
        yield fail(f"go install cannot write to {d} ({source}): {acc.reason}: it fails with `go install <pkg>: "
                   + (f"copying /tmp/go-build.../exe/a.out: {err}`" if inst.is_dir else f"{err}`"),
                   fix=f"{step}  (or {other}, a directory you own, and put it on PATH)", **ev)
        return
    if not inst.on_path:
        tools = list(inst.tools)
        fix = f'export PATH="$PATH:{d}"  (add it to ~/.profile or your shell rc file, then open a new shell)'
        if tools:
            ev["installed"] = ", ".join(tools[:20])
            yield fail(f"go install puts programs in {d} ({source}), which is not on PATH: the {len(tools)} "
                       f"installed there ({', '.join(tools[:3])}{', ...' if len(tools) > 3 else ''}) are "
                       "`command not found`", fix=fix, **ev)
            return
        state = "is empty" if inst.is_dir else "does not exist yet (go install creates it)"
        yield warn(f"go install will put programs in {d} ({source}), which is not on PATH; it {state}, so "
                   "nothing is broken yet, but tools you install will be `command not found`", fix=fix, **ev)
        return
    shadowed = inst.shadowed
    if not shadowed:
        yield ok(f"{d} ({source}) is on PATH", **ev)
        return
    for name, first in shadowed:
        yield warn(f"{name} in {d} is shadowed by {first}, which comes earlier on PATH",
                   fix=f"remove {first} (or put {d} before {os.path.dirname(first)} on PATH), then `hash -r`",
                   subject=name, **ev, installed=os.path.join(d, name), runs=first)


def _go_says(key: str, value: str, err: str) -> str:
    """go's message when it cannot create or open cache `key` at `value` (the same from go1.19 to go1.27)."""
    if key == "GOCACHE":
        return f"failed to initialize build cache at {value}: {err}"
    return f"go: could not create module cache: {err}"


def _cache_verdict(key: str, s: Setting, who: Principal, what: str, dirs: Mapping[str, DirState],
                   **extra: str) -> Finding:
    ev = {key: s.value, "source": s.source, "user": f"{who.name} (uid {who.uid})", **extra}
    set_fix = f"export {key}=$HOME/.cache/go-build" if key == "GOCACHE" else f"export {key}=$HOME/go/pkg/mod"
    if not os.path.isabs(s.value):
        return fail(f"{key}={s.value} ({s.source}) is not an absolute path", fix=set_fix, **ev)
    cache = dirs[s.value]
    dangling = cache.dangling
    if dangling:
        link, target = dangling
        ev.update({"symlink": link, "points to": f"{target} (missing)"})
        return fail(f"{key}={s.value} ({s.source}): {link} is a symlink to {target}, which does not exist: go "
                    f"fails with `{_go_says(key, s.value, f'mkdir {link}: file exists')}`",
                    fix=f"mkdir -p {target}  (or remove the dangling link: rm {link})", **ev)
    acc = cache.writable
    assert acc is not None  # evaluated for every absolute path
    ev.update({"examined": acc.path_examined, "owner": acc.owner, "mode": acc.mode})
    if acc.ok:
        state = "exists" if dirs[s.value].is_dir else f"will be created under {acc.path_examined}"
        return ok(f"{key}={s.value} ({s.source}) {state} and is writable by {who.name}", **ev)
    real = dirs[s.value].real
    if real != os.path.abspath(s.value):
        ev["points to"] = real
    if key == "GOCACHE" and dirs[s.value].is_dir:  # go creates its 256 subdirectories first
        what = f"go fails with `{_go_says(key, s.value, f'mkdir {s.value}/00: permission denied')}`"
    chown = f"sudo chown -R {who.name} {acc.path_examined}" if acc.path_examined else set_fix
    return fail(f"{key}={s.value} ({s.source}): {acc.reason}; {what}", fix=f"{chown}  (or {set_fix})", **ev)


@check("paths.gocache", category=FS, severity=Severity.HIGH, title="The build cache is locatable and writable")
def gocache(f: Facts) -> Finding:
    """The build cache (GOCACHE) can be located and is writable by the user running go.

    Since Go 1.12 the cache is mandatory. Sandboxes, systemd units and `env -i` strip HOME:
    `build cache is required, but could not be located: GOCACHE is not defined and neither
    $XDG_CACHE_HOME nor $HOME are defined`; `GOCACHE=off` gives `build cache is disabled by GOCACHE=off,
    but required as of Go 1.12`; a cache created by `sudo go build` gives `go: disabling cache
    (/home/me/.cache/go-build) due to initialization failure: open ...: permission denied`. Write access
    is evaluated for the effective user (root is not "anyone"): mode, owner and groups of the cache or
    its nearest existing ancestor.

    Fix: `sudo chown -R $USER ~/.cache/go-build`, or set GOCACHE to a writable absolute directory.
    """
    s = f.get(GO_CONFIG).get("GOCACHE")
    who = f.get(USER)
    if not s.value or (s.value == "off" and s.source == SRC_DEFAULT):  # go reports "off" when it finds no dir
        return fail(
            "the build cache cannot be located: GOCACHE is not defined and neither $XDG_CACHE_HOME nor "
            "$HOME are defined (go: `build cache is required, but could not be located`)",
            fix="export HOME=/home/<user> (or GOCACHE=/tmp/go-build)",
            GOCACHE="",
            HOME=f.env.get("HOME", "(unset)"),
            XDG_CACHE_HOME=f.env.get("XDG_CACHE_HOME", "(unset)"),
        )
    if s.value == "off":
        return fail(f"GOCACHE=off ({s.source}): go fails with `build cache is disabled by GOCACHE=off, but "
                    "required as of Go 1.12`", fix="unset GOCACHE (or set it to a writable directory)",
                    GOCACHE="off", source=s.source)
    return _cache_verdict("GOCACHE", s, who, "go disables the cache and every build starts from scratch or fails",
                          f.get(CACHE_DIRS))


@check("paths.gomodcache", category=FS, severity=Severity.HIGH, title="The module cache is writable")
def gomodcache(f: Facts) -> Finding:
    """The module cache (GOMODCACHE, default $GOPATH/pkg/mod) is writable by the user running go.

    A cache created by `sudo go mod download` or owned by root in an image (`/go/pkg/mod` of the
    official images with `docker run -u 1000`) gives `go: could not create module cache: mkdir
    /go/pkg: permission denied` or `go: writing go.mod cache: mkdir ...: permission denied`. HOME=/ (a
    uid without a passwd entry in a container) puts it at /go/pkg/mod. Files inside the cache are
    read-only by design; the cache directory itself must be writable.

    Fix: `sudo chown -R $USER $(go env GOMODCACHE)`, or set GOMODCACHE to a writable absolute directory.
    """
    s = f.get(GO_CONFIG).get("GOMODCACHE")
    if not s.value:
        return skip("GOMODCACHE is empty (no GOPATH: see paths.gopath)")
    who = f.get(USER)
    dirs = f.get(CACHE_DIRS)
    verdict = _cache_verdict("GOMODCACHE", s, who, "downloads and `go mod` commands fail with permission denied", dirs)
    sub = os.path.join(s.value, "cache", "download")
    if verdict.status.value == "ok" and dirs[sub].is_dir:
        inner = dirs[sub].writable
        assert inner is not None
        if not inner.ok:
            return fail(f"GOMODCACHE={s.value}: {inner.reason}; new downloads fail with permission denied",
                        fix=f"sudo chown -R {who.name} {s.value}", GOMODCACHE=s.value, source=s.source,
                        examined=inner.path_examined, owner=inner.owner, mode=inner.mode,
                        user=f"{who.name} (uid {who.uid})")
    return verdict
