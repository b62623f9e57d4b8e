"""cgo.* and build.* in-process. Settings come from the real `go env -json` of the cached toolchains (with and
without a C compiler on PATH); the temporary-module builds (build.works, cgo.works) and `go list -deps` are
captured once from the real go and seeded; build.cache reads a real build cache copied to tmp_path."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from gomedic.checks.build import cache, works
from gomedic.checks.cgo import cc, deps, enabled, headers
from gomedic.checks.cgo import works as cgo_works
from gomedic.facts.golist import FIELDS, GO_LIST_DEPS, DepsList, cgo_needs, parse_stream, unlisted_cgo
from gomedic.facts.tempbuild import CGO_BUILD, HELLO_BUILD, TempBuild, build_temp_module
from gomedic.model import Status
from gomedic.values import fields
from tests.support.gobuild import go_env
from tests.support.seeded import GoRun, captured, envfile, go_facts, go_path, module, one, prefetch, run_area
from tests.support.toolchains import DEBIAN, NEWEST, cache_dir, release

SQLITE = {  # a module whose one package is cgo-only, as mattn/go-sqlite3 is
    "go.mod": "module example.com/app\n\ngo 1.22\n",
    "main.go": 'package main\n\nimport "example.com/app/sq"\n\nfunc main() { sq.Open() }\n',
    "sq/sq.go": 'package sq\n\n// #include <stdlib.h>\nimport "C"\n\nfunc Open() {}\n',
}


def temp_build(name: str, env: dict[str, str], with_cc: bool, cgo: bool) -> TempBuild:
    """A real build_temp_module run (the hello-world, or the cgo program) with `env`, captured once."""
    def produce() -> dict[str, Any]:
        from gomedic.checks.build import HELLO
        from gomedic.checks.cgo import CGO_MAIN

        f = go_facts(env={**go_env(NEWEST), "PATH": go_path(NEWEST, with_cc), **env}, cwd=Path("/tmp"))
        src = {"main.go": CGO_MAIN if cgo else HELLO}
        b = build_temp_module(f, src, run=not cgo, extra_env={"CGO_ENABLED": "1"} if cgo else None)
        return {k: getattr(b, k) for k in fields(b)}

    key = hashlib.sha256(json.dumps([name, env, with_cc, cgo]).encode()).hexdigest()[:12]
    return TempBuild(**captured(f"tempbuild-{name}-{key}", produce))


@pytest.fixture(scope="module")
def builds() -> dict[str, TempBuild]:
    """The real temporary-module builds the tests seed (made once per machine, then read from the cache)."""
    return {
        "hello": temp_build("hello", {}, with_cc=False, cgo=False),
        "hello-badflags": temp_build("hello-badflags", {"GOFLAGS": "-bogus"}, with_cc=False, cgo=False),
        "hello-arm64": temp_build("hello-arm64", {"GOARCH": "arm64"}, with_cc=False, cgo=False),
        "cgo-ok": temp_build("cgo-ok", {}, with_cc=True, cgo=True),
        "cgo-nocc": temp_build("cgo-nocc", {"CC": "/nonexistent/bin/gcc"}, with_cc=True, cgo=True),
    }


def test_cgo_enabled_default_follows_the_c_compiler_on_path() -> None:
    r = one(enabled(go_facts(with_cc=True)))
    assert r.status is Status.OK and r.summary.startswith(
        "CGO_ENABLED=1 by default: the default C compiler was found at "
    )
    r = one(enabled(go_facts()))  # the real go env says 0 when PATH has no gcc or clang
    assert r.status is Status.OK
    assert r.summary == "CGO_ENABLED=0 by default: no C compiler (gcc or clang) on PATH, so cgo defaults to off"
    r = one(enabled(go_facts(env={"GOOS": "windows"})))
    assert r.summary.endswith("cross-compiling for windows/amd64 with no CC set")


def test_cgo_enabled_odd_value_and_go_1_19_without_a_compiler() -> None:
    r = one(enabled(go_facts(with_cc=True, env={"CGO_ENABLED": "yes"})))
    assert r.status is Status.WARN and r.fix == "set CGO_ENABLED=0 or CGO_ENABLED=1"
    assert r.summary.startswith("CGO_ENABLED=yes (environment) is neither 0 nor 1: go ignores it")
    f = go_facts(with_cc=True, goenv=envfile("/home/gmseeded/.config/go/env", "CGO_ENABLED=0\n"))
    assert one(enabled(f)).summary == "CGO_ENABLED=0: set in the GOENV file"
    assert one(cc(f)).summary == "cgo is off (CGO_ENABLED=0): no C compiler is needed"
    r = one(enabled(go_facts(DEBIAN)))  # go1.19 keeps cgo on without a compiler: its real go env says 1
    assert r.status is Status.WARN and f"CGO_ENABLED=1 by default on {release(DEBIAN)}" in r.summary
    assert r.fix == "install gcc (apt-get install gcc), or set CGO_ENABLED=0 for pure-Go builds"


def test_cgo_cc_resolves_or_fails_as_go_does() -> None:
    r = one(cc(go_facts(with_cc=True)))
    assert r.status is Status.OK and r.summary.startswith("CGO_ENABLED=1 and CC=gcc resolves to ")
    r = one(cc(go_facts(with_cc=True, env={"CC": "/opt/my tools/gcc"})))
    assert r.status is Status.FAIL and 'cgo: C compiler "/opt/my" not found' in r.summary
    assert r.evidence["CC"] == "/opt/my tools/gcc (environment)" and r.evidence["CC resolves to"] == "nothing"
    assert one(cc(go_facts())).status is Status.SKIP


def test_cgo_headers_found_in_the_system_and_missing_in_an_empty_sysroot(tmp_path: Path) -> None:
    r = one(headers(go_facts(with_cc=True)))
    assert (
        r.status is Status.OK and r.summary == "errno.h, stdlib.h, pthread.h found for CC=gcc (sysroot / (none given))"
    )
    r = one(headers(go_facts(with_cc=True, env={"CGO_CFLAGS": f"--sysroot={tmp_path}"})))
    assert r.status is Status.FAIL and r.evidence["sysroot"] == str(tmp_path)
    assert "errno.h, stdlib.h, pthread.h not found in sysroot" in r.summary
    assert "`fatal error: errno.h: No such file or directory`" in r.summary
    assert one(headers(go_facts())).status is Status.SKIP


PURE = {"go.mod": SQLITE["go.mod"], "main.go": 'package main\n\nimport "net"\n\nfunc main() { _ = net.IPv4len }\n'}
LIST = ("list", "-e", "-deps", f"-json={FIELDS}", "./...")


@pytest.fixture(scope="module", autouse=True)
def listed() -> dict[str, dict[str, Any]]:
    """The real `go list -deps` of SQLITE and PURE with CGO_ENABLED=0 (captured once per machine)."""
    return prefetch({name: GoRun(NEWEST, LIST, {"CGO_ENABLED": "0"}, files)
                     for name, files in (("sqlite", SQLITE), ("pure", PURE))})


def _deps(tmp_path: Path, real: dict[str, Any]) -> DepsList:
    """GO_LIST_DEPS from the real `go list -deps` of SQLITE, parsed over a copy of SQLITE in tmp_path."""
    for rel, text in SQLITE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    pkgs = parse_stream(real["stdout"].replace("$DIR", str(tmp_path)))
    needs = cgo_needs(pkgs) + unlisted_cgo(str(tmp_path), {p.dir for p in pkgs}, "example.com/app")
    return DepsList(str(tmp_path), tuple(pkgs), tuple(needs), real["stderr"])


def test_cgo_deps_finds_the_cgo_only_package(tmp_path: Path, listed: dict[str, dict[str, Any]]) -> None:
    f = go_facts(mod=module(str(tmp_path / "go.mod"), SQLITE["go.mod"]))
    f.seed(GO_LIST_DEPS, _deps(tmp_path, listed["sqlite"]))
    r = one(deps(f))
    assert r.status is Status.FAIL and r.summary.startswith("CGO_ENABLED=0 (default) but example.com/app/sq need cgo")
    assert r.evidence["needs cgo[0]"].startswith("example.com/app/sq: ")
    assert 'sq.go import "C"' in r.evidence["needs cgo[0]"]
    assert (
        one(deps(go_facts(with_cc=True, mod=module(str(tmp_path / "go.mod"), SQLITE["go.mod"])))).status is Status.SKIP
    )
    assert one(deps(go_facts())).status is Status.SKIP


def test_cgo_deps_ok_for_a_pure_go_module(tmp_path: Path, listed: dict[str, dict[str, Any]]) -> None:
    pkgs = parse_stream(listed["pure"]["stdout"].replace("$DIR", str(tmp_path)))
    f = go_facts(mod=module(str(tmp_path / "go.mod"), PURE["go.mod"]))
    f.seed(GO_LIST_DEPS, DepsList(str(tmp_path), tuple(pkgs), tuple(cgo_needs(pkgs)), ""))
    r = one(deps(f))
    assert (
        r.status is Status.OK and f"none of the {len(pkgs)} packages in the build of {tmp_path} needs cgo" in r.summary
    )


def test_cgo_works_ok_and_fails_with_a_missing_compiler(builds: dict[str, TempBuild]) -> None:
    f = go_facts(with_cc=True)
    f.seed(CGO_BUILD, builds["cgo-ok"])
    r = one(cgo_works(f))
    assert r.status is Status.OK and r.summary.startswith("a cgo program built and linked with CC=gcc in ")
    bad = builds["cgo-nocc"]
    assert not bad.ok and "/nonexistent/bin/gcc" in bad.output
    f = go_facts(with_cc=True, env={"CC": "/nonexistent/bin/gcc"})
    f.seed(CGO_BUILD, bad)
    r = one(cgo_works(f))
    assert r.status is Status.FAIL and r.summary == f"a tiny cgo program does not build: {bad.first_error}"
    assert (
        r.fix == "see cgo.cc and cgo.headers; check CGO_CFLAGS/CGO_LDFLAGS"
        and r.evidence["CC"] == "/nonexistent/bin/gcc"
    )
    assert one(cgo_works(go_facts())).status is Status.SKIP


def test_build_works_ok_bad_goflags_and_a_foreign_goarch(builds: dict[str, TempBuild]) -> None:
    f = go_facts()
    f.seed(HELLO_BUILD, builds["hello"])
    r = one(works(f))
    assert r.status is Status.OK and r.summary.endswith("and ran (linux/amd64)")
    assert r.evidence["output"] == "gomedic-hello"
    flags = builds["hello-badflags"]
    f = go_facts(env={"GOFLAGS": "-bogus"})
    f.seed(HELLO_BUILD, flags)
    r = one(works(f))
    assert r.status is Status.FAIL and "go: parsing $GOFLAGS: unknown flag -bogus" in r.summary
    assert r.fix == "the step that fails is how it builds; see the first failing check above"
    arm = builds["hello-arm64"]
    assert arm.ran and arm.first_error.endswith("probe.exe: Exec format error")
    f = go_facts(env={"GOARCH": "arm64"})
    f.seed(HELLO_BUILD, arm)
    r = one(works(f))
    assert r.status is Status.FAIL and r.evidence["GOOS/GOARCH"] == "linux/arm64" and "Exec format error" in r.summary
    assert r.fix == "the step that fails is how it runs; see the first failing check above"


def _small_cache(tmp_path: Path, n: int = 40) -> Path:
    """A copy of part of a real build cache (the suite's shared GOCACHE): entries and the outputs they name."""
    src = cache_dir() / "gocache" / NEWEST
    dst = tmp_path / "go-build"
    copied, seen = 0, set()
    for entry in sorted(src.glob("??/*-a")):
        out_id = entry.read_bytes().split(b" ")[2].decode()
        out = entry.parent.parent / out_id[:2] / f"{out_id}-d"
        if out_id in seen or not out.exists() or out.stat().st_size > 1 << 20:
            continue
        seen.add(out_id)
        for p in (entry, out):
            (dst / p.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy(p, dst / p.parent.name / p.name)
        copied += 1
        if copied == n:
            break
    assert copied == n
    return dst


def test_build_cache_verifies_and_finds_a_corrupt_output(tmp_path: Path) -> None:
    root = _small_cache(tmp_path)
    r = one(cache(go_facts(env={"GOCACHE": str(root)})))
    assert r.status is Status.OK and r.evidence["entries"] == "40" and r.evidence["outputs verified"] == "40"
    victim = sorted(root.glob("??/*-d"))[0]
    data = bytearray(victim.read_bytes())
    data[0] ^= 0xFF  # same size, other content: what go would use as is
    victim.write_bytes(bytes(data))
    r = one(cache(go_facts(env={"GOCACHE": str(root)})))
    assert r.status is Status.FAIL and r.fix == "go clean -cache" and r.evidence["corrupt[0]"].endswith(victim.name)
    assert one(cache(go_facts(env={"GOCACHE": "off"}))).status is Status.SKIP
    assert one(cache(go_facts(env={"GOCACHE": str(tmp_path / "none")}))).status is Status.SKIP


def test_the_cgo_area_through_the_runner_with_a_compiler(builds: dict[str, TempBuild]) -> None:
    f = go_facts(with_cc=True)
    f.seed(CGO_BUILD, builds["cgo-ok"])
    results = run_area("cgo", f)
    got = {cid: [r.status for r in rs] for cid, rs in results.items()}
    assert got == {"cgo.enabled": [Status.OK], "cgo.cc": [Status.OK], "cgo.headers": [Status.OK],
                   "cgo.deps": [Status.SKIP], "cgo.works": [Status.OK]}
    assert results["cgo.deps"][0].summary == "not in a module: no go.mod in /nonexistent or any parent directory"


def test_build_cache_with_a_truncated_entry_warns_and_an_empty_one_is_ok(tmp_path: Path) -> None:
    root = _small_cache(tmp_path, n=5)
    entry = sorted(root.glob("??/*-a"))[0]
    entry.write_bytes(entry.read_bytes()[:100])  # cut short: go treats it as a miss
    r = one(cache(go_facts(env={"GOCACHE": str(root)})))
    assert r.status is Status.WARN and r.evidence["malformed[0]"] == str(entry)
    assert r.fix == "go clean -cache; check the disk and how the cache is saved/restored in CI"
    (tmp_path / "empty").mkdir()
    r = one(cache(go_facts(env={"GOCACHE": str(tmp_path / "empty")})))
    assert r.status is Status.OK and r.summary == f"GOCACHE={tmp_path / 'empty'} has no entries yet"
