"""toolchain.* in-process: facts seeded from the cached toolchains (their parsed go binaries, their real
`go env -json`), the check functions called directly. The subprocess scenarios are in test_toolchain.py."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from gomedic.checks.toolchain import (
    go_on_path,
    goroot_exists,
    goroot_matches,
    gotoolchain,
    host_target,
    multiple_go,
)
from gomedic.facts.go import GO_USUAL_INSTALLS, GoEnvProbe
from gomedic.facts.pathscan import inspect_go
from gomedic.model import Status
from tests.support.gobuild import corpus
from tests.support.seeded import GoRun, envfile, go_facts, go_install, module, one, prefetch, run_area
from tests.support.toolchains import DEBIAN, NEWEST, release, toolchain

OLD = "1.22.10"

NEWER = "module example.com/app\n\ngo 1.99.0\n"
Real = dict[str, dict[str, Any]]
RUNS = {
    "newer-go-line": GoRun(NEWEST, ("list", "-m"), files={"go.mod": NEWER}),
}


@pytest.fixture(scope="module", autouse=True)
def real() -> Real:
    """What the real go says for RUNS (captured once per machine: go runs here, never in a test body)."""
    return prefetch(RUNS)


def test_go_on_path_ok_names_the_binary_and_its_release() -> None:
    r = one(go_on_path(go_facts()))
    go = str(toolchain(NEWEST) / "bin" / "go")
    assert r.status is Status.OK and r.summary == f"go on PATH: {go} ({release(NEWEST)})"
    assert r.evidence["go"] == go and r.evidence["version"] == release(NEWEST)


def test_go_on_path_fails_for_a_go_built_for_another_architecture() -> None:
    arm = inspect_go(str(corpus("linux-arm64")))  # a real linux/arm64 Go executable standing in for `go`
    r = one(go_on_path(go_facts(path_gos=[arm])))
    assert r.status is Status.FAIL
    assert "is a linux/arm64 binary; this machine is linux/amd64" in r.summary and "exec format error" in r.summary
    assert r.fix == "install the linux-amd64 Go distribution from https://go.dev/dl/"


def test_go_on_path_wrapper_script_is_judged_by_what_go_env_reports(tmp_path: Path) -> None:
    shim = tmp_path / "shims" / "go"
    shim.parent.mkdir()
    shim.write_text('#!/bin/sh\nexec /opt/go/bin/go "$@"\n')
    shim.chmod(0o755)
    wrapper = inspect_go(str(shim))
    assert wrapper.version is None
    r = one(go_on_path(go_facts(path_gos=[wrapper])))
    assert r.status is Status.OK and f"a wrapper or version-manager shim that runs {release(NEWEST)}" in r.summary


def test_no_go_on_path_recommends_the_newest_install_found() -> None:
    f = go_facts(path_gos=[])
    f.seed(GO_USUAL_INSTALLS, [go_install(NEWEST), go_install(OLD)])
    r = one(go_on_path(f))
    newest = str(toolchain(NEWEST) / "bin" / "go")
    assert r.status is Status.FAIL and r.summary.startswith("no go on PATH, but Go is installed at ")
    assert r.fix is not None and r.fix.startswith(f'export PATH="$PATH:{os.path.dirname(newest)}"')
    assert r.evidence["recommended"] == f"{newest} ({release(NEWEST)})"


def test_no_go_on_path_says_when_the_only_install_is_unsupported() -> None:
    f = go_facts(path_gos=[])
    f.seed(GO_USUAL_INSTALLS, [go_install(OLD)])
    r = one(go_on_path(f))
    assert r.status is Status.FAIL and r.fix is not None
    assert "go1.22.10 is no longer supported: install go" in r.fix


def test_no_go_anywhere_fails_with_the_install_step() -> None:
    f = go_facts(path_gos=[], env={"PATH": "/nonexistent/bin"})
    f.seed(GO_USUAL_INSTALLS, [])
    r = one(go_on_path(f))
    assert r.status is Status.FAIL and r.summary == "no go on PATH and no Go install in the usual places"
    assert r.evidence["PATH"] == "/nonexistent/bin" and "https://go.dev/dl/" in (r.fix or "")


def test_multiple_go_releases_warn_naming_the_shadowed_one() -> None:
    assert one(multiple_go(go_facts())).status is Status.OK
    r = one(multiple_go(go_facts(path_gos=[go_install(NEWEST), go_install(OLD)])))
    assert r.status is Status.WARN
    assert r.summary.startswith(f"2 Go releases on PATH: {release(NEWEST)} at {toolchain(NEWEST)}/bin/go wins")
    assert f"shadowed: go1.22.10 ({toolchain(OLD)}/bin/go)" in r.summary
    assert r.evidence["PATH[1]"] == f"{toolchain(OLD)}/bin/go (go1.22.10)"
    assert one(multiple_go(go_facts(path_gos=[]))).status is Status.SKIP


def test_goroot_exists_ok_when_derived_from_the_binary() -> None:
    r = one(goroot_exists(go_facts()))
    assert r.status is Status.OK and r.evidence["GOROOT"] == str(toolchain(NEWEST))


def test_goroot_that_does_not_exist_fails_with_gos_error() -> None:
    r = one(goroot_exists(go_facts(env={"GOROOT": "/usr/local/go-gone"})))
    assert r.status is Status.FAIL and r.evidence["source"] == "environment"
    assert "go: cannot find GOROOT directory: /usr/local/go-gone" in r.summary
    assert r.fix == "unset GOROOT (the go command finds its own root)"


def test_goroot_inside_bin_and_goroot_in_the_goenv_file() -> None:
    inside = f"{toolchain(NEWEST)}/bin"
    r = one(goroot_exists(go_facts(env={"GOROOT": inside})))
    assert r.status is Status.FAIL and "points inside bin/" in r.summary
    assert r.fix == f"unset GOROOT, or set GOROOT={toolchain(NEWEST)}"
    ef = envfile("/home/gmseeded/.config/go/env", "GOROOT=/opt/go-missing\n")
    r = one(goroot_exists(go_facts(goenv=ef)))
    assert r.status is Status.FAIL and r.evidence["source"] == "GOENV file"
    assert r.fix == "go env -u GOROOT  (or remove the GOROOT line from the GOENV file)"


def test_incomplete_goroot_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "go").write_text("")
    r = one(goroot_exists(go_facts(env={"GOROOT": str(tmp_path)})))
    assert r.status is Status.FAIL and r.summary.endswith("is not a complete Go tree: missing src/runtime")


def test_goroot_matches_ok_and_fails_for_another_releases_tree() -> None:
    r = one(goroot_matches(go_facts()))
    assert r.status is Status.OK and r.summary == f"go, GOROOT and compiler are all {release(NEWEST)}"
    assert r.evidence["compile version"] == release(NEWEST)
    r = one(goroot_matches(go_facts(env={"GOROOT": str(toolchain(OLD))})))
    assert r.status is Status.FAIL
    assert r.summary == f"GOROOT={toolchain(OLD)} holds go1.22.10 but {toolchain(NEWEST)}/bin/go is {release(NEWEST)}"
    assert r.evidence["GOROOT/VERSION"] == "go1.22.10" and r.fix == "unset GOROOT (the go command finds its own root)"
    assert one(goroot_matches(go_facts(env={"GOROOT": "/nonexistent/go"}))).status is Status.SKIP


def test_gotoolchain_local_and_a_newer_go_line_fails_as_go_does(real: Real) -> None:
    said = real["newer-go-line"]  # what go itself says
    assert said["returncode"] == 1
    words = "requires go >= 1.99.0 (running go " + release(NEWEST)[2:] + "; GOTOOLCHAIN=local)"
    assert words in said["stderr"]
    f = go_facts(env={"GOTOOLCHAIN": "local"}, mod=module("/src/app/go.mod", NEWER))
    r = one(gotoolchain(f))
    assert r.status is Status.FAIL and words in r.summary and r.summary.startswith("/src/app/go.mod ")
    assert r.fix == "install go1.99.0 or newer, or let go download it: GOTOOLCHAIN=auto"
    assert r.evidence["go line"] == "1.99.0" and r.evidence["GOTOOLCHAIN"] == "local (environment)"


def test_gotoolchain_auto_warns_about_downloads_and_two_part_lines_fail() -> None:
    r = one(gotoolchain(go_facts(mod=module("/src/app/go.mod", "module m\n\ngo 1.99.0\n"))))
    assert r.status is Status.WARN and "so GOTOOLCHAIN=auto downloads go1.99.0 through GOPROXY" in r.summary
    r = one(gotoolchain(go_facts(mod=module("/src/app/go.mod", "module m\n\ngo 1.99\n"))))
    assert r.status is Status.FAIL and "says `go 1.99` (two parts)" in r.summary
    assert r.fix is not None and r.fix.startswith("write `go 1.99.0` in go.mod")
    r = one(gotoolchain(go_facts(mod=module("/src/app/go.mod", "module m\n\ngo 1.21\n"))))
    assert r.status is Status.OK and r.summary == f"go.mod needs go1.21; the local {release(NEWEST)} satisfies it"


def test_gotoolchain_outside_a_module_and_bad_values() -> None:
    assert one(gotoolchain(go_facts())).status is Status.OK
    r = one(gotoolchain(go_facts(env={"GOTOOLCHAIN": "go1.99.0"})))
    assert r.status is Status.WARN and f"asks for go1.99.0, newer than the local {release(NEWEST)}" in r.summary
    r = one(gotoolchain(go_facts(env={"GOTOOLCHAIN": "bogus"})))
    assert r.status is Status.FAIL and "go: invalid GOTOOLCHAIN 'bogus'" in r.summary


def test_gotoolchain_warns_when_an_auto_downloaded_toolchain_is_in_use() -> None:
    f = go_facts(env={"GOMODCACHE": "/home/gmseeded/go/pkg/mod",
                      "GOROOT": "/home/gmseeded/go/pkg/mod/golang.org/toolchain@v0.0.1-go1.99.0.linux-amd64"})
    r = one(gotoolchain(f))
    assert r.status is Status.WARN and r.summary.startswith("an auto-downloaded toolchain is in use: GOROOT=")


def test_gotoolchain_before_go_1_21_ignores_the_variable() -> None:
    deb = release(DEBIAN)
    r = one(gotoolchain(go_facts(DEBIAN, env={"GOTOOLCHAIN": "local"})))
    assert r.status is Status.OK and r.summary.startswith(f"not in a module; {deb} predates GOTOOLCHAIN")
    assert "GOTOOLCHAIN=local is ignored" in r.summary
    r = one(gotoolchain(go_facts(DEBIAN, mod=module("/src/app/go.mod", "module m\n\ngo 1.21.0\n"))))
    assert r.status is Status.FAIL and f"has `go 1.21.0`, which {deb} cannot parse" in r.summary
    r = one(gotoolchain(go_facts(DEBIAN, mod=module("/src/app/go.mod", "module m\n\ngo 1.20\n"))))
    assert r.status is Status.WARN and "note: module requires Go 1.20" in r.summary


def test_host_target_env_and_goenv_file() -> None:
    assert one(host_target(go_facts())).status is Status.OK
    r = one(host_target(go_facts(env={"GOOS": "windows"})))
    assert r.status is Status.WARN and r.summary.startswith("GOOS=windows (environment): go run and go test build")
    assert r.fix == "unset GOOS; set them only for cross builds" and r.evidence["host"] == "linux/amd64"
    r = one(host_target(go_facts(goenv=envfile("/home/gmseeded/.config/go/env", "GOARCH=arm64\n"))))
    assert r.status is Status.WARN and r.fix == "go env -u GOARCH; set them only for cross builds"
    r = one(host_target(go_facts(env={"GOARCH": "386"})))
    assert r.status is Status.OK and "which runs on this host" in r.summary


def test_the_whole_area_through_the_runner_on_a_healthy_go() -> None:
    results = run_area("toolchain", go_facts())
    assert set(results) == {"toolchain.go-on-path", "toolchain.multiple-go", "toolchain.goroot-exists",
                            "toolchain.goroot-matches", "toolchain.gotoolchain", "toolchain.host-target"}
    assert {r.id: r.status for rs in results.values() for r in rs} == dict.fromkeys(results, Status.OK)


def _fake_goroot(tmp_path: Path, compile_from: str | None) -> Path:
    """A GOROOT whose VERSION says the newest release and whose compiler (if any) is another release's real one."""
    root = tmp_path / "go"
    (root / "bin").mkdir(parents=True)
    (root / "VERSION").write_text(release(NEWEST) + "\ntime 2026-01-01T00:00:00Z\n")
    if compile_from is not None:
        tools = root / "pkg" / "tool" / "linux_amd64"
        tools.mkdir(parents=True)
        (tools / "compile").symlink_to(toolchain(compile_from) / "pkg" / "tool" / "linux_amd64" / "compile")
    return root


def test_goroot_matches_fails_for_a_missing_or_older_compiler(tmp_path: Path) -> None:
    root = _fake_goroot(tmp_path / "a", None)
    r = one(goroot_matches(go_facts(env={"GOROOT": str(root)})))
    assert r.status is Status.FAIL and r.summary == f"no compiler at {root}/pkg/tool/linux_amd64/compile: " \
        f"GOROOT={root} is incomplete"
    root = _fake_goroot(tmp_path / "b", OLD)
    r = one(goroot_matches(go_facts(env={"GOROOT": str(root)})))
    assert r.status is Status.FAIL and r.evidence["compile version"] == "go1.22.10"
    assert f'`compile: version "go1.22.10" does not match go tool version "{release(NEWEST)}"`' in r.summary


def test_go_on_path_that_is_neither_go_nor_a_working_wrapper(tmp_path: Path) -> None:
    shim = tmp_path / "go"
    shim.write_text("#!/bin/sh\nexit 127\n")
    shim.chmod(0o755)
    probe = GoEnvProbe(str(shim), None, f"`{shim} env -json` exited 127: ")
    r = one(go_on_path(go_facts(path_gos=[inspect_go(str(shim))], probe=probe)))
    assert r.status is Status.FAIL and r.summary == f"{shim} is on PATH but is neither a Go binary nor a wrapper " \
        "that runs one (`go env` fails)"
    assert r.fix == "check what the go on PATH is: `file $(command -v go)`; reinstall Go or fix the shim"
