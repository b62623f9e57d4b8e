"""paths: where Go reads and writes — GOPATH, the install dir on PATH, the build and module caches."""

from __future__ import annotations

import os
from collections.abc import Iterator

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.access import Access, Principal, W, X, can, current_principal
from gomedic.facts.go import GO_CONFIG, SRC_DEFAULT, Setting
from gomedic.facts.pathscan import is_executable_file, path_dirs, which
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


def install_dir(cfg_gobin: Setting, cfg_gopath: Setting) -> tuple[str, str]:
    """Where `go install` writes: GOBIN, else the first GOPATH entry's bin."""
    if cfg_gobin.value and cfg_gobin.source != SRC_DEFAULT:
        return cfg_gobin.value, f"GOBIN, {cfg_gobin.source}"
    first = cfg_gopath.value.split(os.pathsep)[0] if cfg_gopath.value else ""
    if not first:
        raise FactUnavailable("neither GOBIN nor GOPATH is set (no HOME?)")
    return os.path.join(first, "bin"), f"GOPATH/bin, GOPATH {cfg_gopath.source}"


def _same_dir(a: str, b: str) -> bool:
    if _clean(a) == _clean(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


@check("paths.gobin-on-path", category=FS, severity=Severity.MEDIUM,
       title="go install's directory is on PATH and its tools are not shadowed")
def gobin_on_path(f: Facts) -> Iterator[Finding]:
    """The directory `go install` writes to (GOBIN, else the first GOPATH entry's bin) is on PATH, and
    the tools in it are not shadowed by other copies earlier on PATH.

    Otherwise `go install golang.org/x/tools/gopls@latest` succeeds and then `gopls: command not found`;
    or the old copy in /usr/local/bin keeps running after an upgrade.

    Fix: add the directory to PATH in your shell's rc file (`export PATH="$PATH:$HOME/go/bin"`), and
    remove stale copies (then `hash -r`).
    """
    cfg = f.get(GO_CONFIG)
    d, source = install_dir(cfg.get("GOBIN"), cfg.get("GOPATH"))
    ev = {"install dir": d, "from": source, "PATH": f.env.get("PATH", "")}
    on_path = any(_same_dir(p, d) for p in path_dirs(f.env) if os.path.isabs(p))
    if not on_path:
        yield fail(f"go install puts programs in {d} ({source}), which is not on PATH: installed tools are "
                   "`command not found`", fix=f'export PATH="$PATH:{d}"  (in ~/.profile or your shell rc file)', **ev)
        return
    shadowed = []
    for name in sorted(_tools(d)):
        first = which(name, f.env)
        if first and not _same_dir(os.path.dirname(first), d):
            shadowed.append((name, first))
    if not shadowed:
        yield ok(f"{d} ({source}) is on PATH", **ev)
        return
    for name, first in shadowed:
        yield warn(f"{name} in {d} is shadowed by {first}, which comes earlier on PATH",
                   fix=f"remove {first} (or put {d} before {os.path.dirname(first)} on PATH), then `hash -r`",
                   subject=name, **ev, installed=os.path.join(d, name), runs=first)


def _tools(d: str) -> list[str]:
    try:
        return [n for n in os.listdir(d) if is_executable_file(os.path.join(d, n))]
    except OSError:
        return []


def writable_dir(path: str, who: Principal) -> Access:
    """Can `who` create entries in directory `path` (or create it, when it does not exist yet)?"""
    return can(path, who, W | X, create=True)


def _cache_verdict(key: str, s: Setting, who: Principal, what: str, **extra: str) -> Finding:
    ev = {key: s.value, "source": s.source, "user": f"{who.name} (uid {who.uid})", **extra}
    set_fix = f"export {key}=$HOME/.cache/go-build" if key == "GOCACHE" else f"export {key}=$HOME/go/pkg/mod"
    if not os.path.isabs(s.value):
        return fail(f"{key}={s.value} ({s.source}) is not an absolute path", fix=set_fix, **ev)
    acc = writable_dir(s.value, who)
    ev.update({"examined": acc.path_examined, "owner": acc.owner, "mode": acc.mode})
    if acc.ok:
        state = "exists" if os.path.isdir(s.value) else f"will be created under {acc.path_examined}"
        return ok(f"{key}={s.value} ({s.source}) {state} and is writable by {who.name}", **ev)
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
    who = current_principal()
    if not s.value or (s.value == "off" and s.source == SRC_DEFAULT):  # go reports "off" when it finds no dir
        return fail("the build cache cannot be located: GOCACHE is not defined and neither $XDG_CACHE_HOME nor "
                    "$HOME are defined (go: `build cache is required, but could not be located`)",
                    fix="export HOME=/home/<user> (or GOCACHE=/tmp/go-build)",
                    GOCACHE="", HOME=f.env.get("HOME", "(unset)"), XDG_CACHE_HOME=f.env.get("XDG_CACHE_HOME", "(unset)"))
    if s.value == "off":
        return fail(f"GOCACHE=off ({s.source}): go fails with `build cache is disabled by GOCACHE=off, but "
                    "required as of Go 1.12`", fix="unset GOCACHE (or set it to a writable directory)",
                    GOCACHE="off", source=s.source)
    return _cache_verdict("GOCACHE", s, who, "go disables the cache and every build starts from scratch or fails")


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
    who = current_principal()
    verdict = _cache_verdict("GOMODCACHE", s, who, "downloads and `go mod` commands fail with permission denied")
    sub = os.path.join(s.value, "cache", "download")
    if verdict.status.value == "ok" and os.path.isdir(sub):
        inner = writable_dir(sub, who)
        if not inner.ok:
            return fail(f"GOMODCACHE={s.value}: {inner.reason}; new downloads fail with permission denied",
                        fix=f"sudo chown -R {who.name} {s.value}", GOMODCACHE=s.value, source=s.source,
                        examined=inner.path_examined, owner=inner.owner, mode=inner.mode,
                        user=f"{who.name} (uid {who.uid})")
    return verdict
