"""paths.* in-process: go's settings are seeded (GO_CONFIG, no `go env`), the install directory's
programs and PATH come from a recorded tree; write access is evaluated on real directories under tmp_path
(facts.access reads this machine), owned by the user running the tests."""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType

from gomedic.facts import Facts
from gomedic.facts.go import GO_CONFIG, GoConfig
from gomedic.model import Status
from tests.support.recorded import one, recorded_facts, run


def facts(settings: dict[str, str], *, path: str = "/usr/local/bin:/usr/bin", executables: tuple[str, ...] = (),
          files: dict[str, str] | None = None, defaults: dict[str, str] | None = None) -> Facts:
    f = recorded_facts(files or {}, env={"PATH": path, "HOME": "/home/me"}, executables=executables)
    f.seed(GO_CONFIG, GoConfig(MappingProxyType(settings), MappingProxyType({}), MappingProxyType({}),
                               MappingProxyType(defaults or {})))
    return f


def test_gobin_not_on_path_with_programs_fails(tmp_path: Path) -> None:
    d = f"{tmp_path}/go/bin"
    r = one("paths.gobin-on-path", facts({"GOPATH": f"{tmp_path}/go"}, executables=(f"{d}/gopls", f"{d}/dlv")))
    assert r.status is Status.FAIL
    assert r.summary == (f"go install puts programs in {d} (GOPATH/bin, GOPATH environment), which is not on PATH: "
                         "the 2 installed there (dlv, gopls) are `command not found`")
    assert r.fix is not None and r.fix.startswith(f'export PATH="$PATH:{d}"')
    assert r.evidence["installed"] == "dlv, gopls" and r.evidence["from"] == "GOPATH/bin, GOPATH environment"


def test_gobin_not_on_path_but_empty_warns(tmp_path: Path) -> None:
    d = f"{tmp_path}/bin"
    r = one("paths.gobin-on-path", facts({"GOBIN": d}))
    assert r.status is Status.WARN
    assert r.summary == (f"go install will put programs in {d} (GOBIN, environment), which is not on PATH; it does "
                         "not exist yet (go install creates it), so nothing is broken yet, but tools you install "
                         "will be `command not found`")
    r = one("paths.gobin-on-path", facts({"GOBIN": d}, files={f"{d}/README": "not a program"}))
    assert "; it is empty, so nothing is broken yet" in r.summary


def test_gobin_on_path_ok_and_shadowed(tmp_path: Path) -> None:
    d = f"{tmp_path}/bin"
    r = one("paths.gobin-on-path", facts({"GOBIN": d}, path=f"{d}:/usr/bin", executables=(f"{d}/gopls",)))
    assert (r.status, r.summary) == (Status.OK, f"{d} (GOBIN, environment) is on PATH")
    results = run("paths.gobin-on-path", facts({"GOBIN": d}, path=f"/usr/local/bin:{d}",
                                               executables=(f"{d}/gopls", f"{d}/dlv", "/usr/local/bin/gopls")))
    assert [(r.status, r.subject, r.summary) for r in results] == [
        (Status.WARN, "gopls", f"gopls in {d} is shadowed by /usr/local/bin/gopls, which comes earlier on PATH")]
    assert results[0].evidence["runs"] == "/usr/local/bin/gopls"
    assert results[0].fix == f"remove /usr/local/bin/gopls (or put {d} before /usr/local/bin on PATH), then `hash -r`"


def test_gobin_without_gopath_or_home_is_skipped() -> None:
    r = one("paths.gobin-on-path", facts({}))
    assert (r.status, r.summary) == (Status.SKIP, "not evaluated: neither GOBIN nor GOPATH is set (no HOME?)")


def test_gopath_ok_warn_fail() -> None:
    r = one("paths.gopath", facts({"GOPATH": "/home/me/go"}))
    assert (r.status, r.summary) == (Status.OK, "GOPATH=/home/me/go (environment)")
    assert dict(r.evidence) == {"GOPATH": "/home/me/go", "source": "environment", "GOROOT": ""}
    r = one("paths.gopath", facts({}))
    assert r.status is Status.WARN and r.summary.startswith("GOPATH is empty: HOME is not set")
    r = one("paths.gopath", facts({"GOPATH": "go"}))
    assert (r.status, r.summary) == (
        Status.FAIL, "GOPATH=go (environment): 'go' is relative: go fails with `GOPATH entry is relative; must be "
        "absolute path: 'go'`")
    r = one("paths.gopath", facts({"GOPATH": "/usr/local/go", "GOROOT": "/usr/local/go/"}))
    assert r.status is Status.FAIL and "is GOROOT" in r.summary and r.fix == "unset GOPATH (the default is $HOME/go)"


def test_gocache_ok_fail(tmp_path: Path) -> None:
    cache = tmp_path / "go-build"
    cache.mkdir()
    r = one("paths.gocache", facts({"GOCACHE": str(cache)}, files={f"{cache}/README": "the tree has it too"}))
    assert r.status is Status.OK
    assert r.summary.startswith(f"GOCACHE={cache} (environment) exists and is writable by ")
    r = one("paths.gocache", facts({"GOCACHE": "off"}))
    assert (r.status, dict(r.evidence)) == (Status.FAIL, {"GOCACHE": "off", "source": "environment"})
    r = one("paths.gocache", facts({}))
    assert r.status is Status.FAIL and r.summary.startswith("the build cache cannot be located")
    link = tmp_path / "cache-link"
    os.symlink(tmp_path / "gone", link)
    r = one("paths.gocache", facts({"GOCACHE": str(link)}))
    assert r.status is Status.FAIL
    assert r.summary == (
        f"GOCACHE={link} (environment): {link} is a symlink to {tmp_path}/gone, which does not "
        f"exist: go fails with `failed to initialize build cache at {link}: mkdir {link}: file exists`"
    )
    assert r.fix == f"mkdir -p {tmp_path}/gone  (or remove the dangling link: rm {link})"


def test_gomodcache_ok_fail_skip(tmp_path: Path) -> None:
    r = one("paths.gomodcache", facts({"GOMODCACHE": f"{tmp_path}/pkg/mod"}))
    assert r.status is Status.OK
    assert r.summary.startswith(f"GOMODCACHE={tmp_path}/pkg/mod (environment) will be created under {tmp_path}")
    r = one("paths.gomodcache", facts({"GOMODCACHE": "pkg/mod"}))
    assert (r.status, r.summary, r.fix) == (Status.FAIL, "GOMODCACHE=pkg/mod (environment) is not an absolute path",
                                            "export GOMODCACHE=$HOME/go/pkg/mod")
    r = one("paths.gomodcache", facts({}))
    assert (r.status, r.summary) == (Status.SKIP, "GOMODCACHE is empty (no GOPATH: see paths.gopath)")
