"""goenv.* against real GOENV files and environments, under every release of the matrix."""

from __future__ import annotations

import pytest

from tests.support.goenv import GoEnv


@pytest.fixture
def goenv(anygo: GoEnv) -> GoEnv:
    return anygo


def test_healthy(goenv: GoEnv) -> None:
    run = goenv.check("--area", "goenv")
    assert run.returncode == 0, run.stdout
    assert {r["status"] for r in run.report["results"]} <= {"ok", "skip"}


def test_valid_file(goenv: GoEnv) -> None:
    goenv.write_goenv("GOPRIVATE=corp.example.com\nGOFLAGS=-trimpath\n")
    r = goenv.check("--area", "goenv").result("goenv.file")
    assert r["status"] == "ok" and "GOFLAGS, GOPRIVATE" in r["summary"]


def test_entry_shadowed_by_environment(goenv: GoEnv) -> None:
    path = goenv.write_goenv("GOPROXY=https://file-proxy.example\n")
    goenv.env["GOPROXY"] = "https://env-proxy.example"
    r = goenv.check("--area", "goenv").result("goenv.shadowed")
    assert r["status"] == "warn"
    assert "GOPROXY=https://file-proxy.example" in r["summary"] and "GOPROXY=https://env-proxy.example" in r["summary"]
    assert r["evidence"]["file"] == str(path) and r["evidence"]["line"] == "1"


def test_entry_that_breaks_every_go_command(goenv: GoEnv) -> None:
    path = goenv.write_goenv("GOPROXY=off\nGOPATH=relative/dir\n")
    assert goenv.go("env", check=False).returncode != 0  # go itself is broken, for real
    run = goenv.check()
    r = run.result("goenv.file")
    assert r["status"] == "fail"
    assert f"{path}:2" in r["summary"] and "GOPATH entry is relative" in r["summary"]
    assert r["fix"].startswith("go env -u GOPATH")
    # the doctor still reports everything it can, and nothing crashes
    assert run.result("toolchain.go-on-path")["status"] == "ok"
    assert run.result("paths.gopath")["status"] == "fail"
    assert all(x["status"] != "error" for x in run.report["results"]), run.stdout
    assert "Traceback" not in run.stderr


def test_read_only_key_in_file(goenv: GoEnv) -> None:
    goenv.write_goenv("GOROOT=/opt/go\n")
    run = goenv.check("--area", "goenv", "--area", "toolchain")
    r = run.result("goenv.file")
    assert r["status"] == "fail" and "GOROOT cannot be modified" in r["summary"]
    assert run.result("toolchain.goroot-exists")["status"] == "fail"


def test_unparseable_goflags(goenv: GoEnv) -> None:
    goenv.env["GOFLAGS"] = '-ldflags="-s -w"'
    r = goenv.check("--area", "goenv").result("goenv.goflags")
    assert r["status"] == "fail"
    assert "unknown flag -w" in r["summary"] and '-ldflags="-s -w"' in r["summary"]


def test_unbalanced_quotes_in_goflags(goenv: GoEnv) -> None:
    goenv.env["GOFLAGS"] = "'-ldflags=-s -w"
    r = goenv.check("--area", "goenv").result("goenv.goflags")
    assert r["status"] == "fail" and "cannot be split" in r["summary"]


def test_quoted_goflags_are_fine(goenv: GoEnv) -> None:
    goenv.env["GOFLAGS"] = "'-ldflags=-s -w' -trimpath"
    r = goenv.check("--area", "goenv").result("goenv.goflags")
    if goenv.minor < 21:  # go1.19 splits inside the quotes: go's own words, on that release
        said = "go: parsing $GOFLAGS: non-flag \"'-ldflags=-s\""
        assert r["status"] == "fail" and said in r["summary"], r
        assert said in goenv.go("version", check=False).stderr
        return
    assert r["status"] == "ok" and "-ldflags=-s -w" in r["summary"]


def test_go111module_off(goenv: GoEnv) -> None:
    goenv.write_goenv("GO111MODULE=off\n")
    r = goenv.check("--area", "goenv").result("goenv.go111module")
    assert r["status"] == "warn" and "GO111MODULE=off (GOENV file)" in r["summary"]
    assert r["fix"] == "go env -u GO111MODULE"
