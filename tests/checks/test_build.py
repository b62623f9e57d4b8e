"""build.* (deep): a real hello world built and run with the user's settings; a real build cache, corrupted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv
from tests.support.gomodules import warm_gocache

AREAS = ("--area", "build", "--deep")
pytestmark = pytest.mark.slow


def test_build_area_needs_deep(goenv: GoEnv) -> None:
    run = goenv.check("--area", "build")
    assert run.returncode == 2 and "--deep" in run.stderr


def test_healthy(goenv: GoEnv) -> None:
    cache = warm_gocache(goenv)
    run = goenv.check(*AREAS, "--set", "build.cache.max_mib=64")
    assert run.returncode == 0, run.stdout + run.stderr
    w = run.result("build.works")
    assert w["status"] == "ok" and "ran (linux/amd64)" in w["summary"]
    c = run.result("build.cache")
    assert c["status"] == "ok" and f"GOCACHE={cache}" in c["summary"] and int(c["evidence"]["entries"]) > 0


def test_bad_goflags_from_the_goenv_file(goenv: GoEnv) -> None:
    warm_gocache(goenv)
    goenv.write_goenv("GOFLAGS=-tags=netgo osusergo\n")  # the classic: an unquoted space inside one flag
    r = goenv.check(*AREAS).result("build.works")
    assert r["status"] == "fail" and "go: parsing $GOFLAGS: non-flag \"osusergo\"" in r["summary"], r


def test_build_without_a_locatable_cache_fails_with_gos_error(goenv: GoEnv) -> None:
    del goenv.env["HOME"]  # go can still report its settings, but cannot build
    run = goenv.check(*AREAS)
    r = run.result("build.works")
    assert r["status"] == "fail"
    assert "build cache is required, but could not be located" in r["summary"], r
    assert run.result("build.cache")["status"] == "skip"


@pytest.fixture
def own_cache(goenv: GoEnv, tmp_path: Path) -> Path:
    """A private cache made of real entries and outputs taken from the warm shared cache (which must stay
    intact): 40 action entries with their output files, laid out as go lays them out."""
    src = warm_gocache(goenv)
    dst = tmp_path / "gocache"
    n = 0
    for entry in sorted(src.glob("??/*-a")):
        out_id = entry.read_bytes().split()[2].decode()
        out = src / out_id[:2] / f"{out_id}-d"
        if not out.exists() or out.stat().st_size < 64:
            continue
        for f in (entry, out):
            (dst / f.parent.name).mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, dst / f.parent.name / f.name)
        n += 1
        if n == 40:
            break
    goenv.env["GOCACHE"] = str(dst)
    return dst


def _outputs(cache: Path) -> list[Path]:
    return sorted(p for p in cache.glob("??/*-d") if p.stat().st_size > 64)


def test_corrupt_output_same_size(goenv: GoEnv, own_cache: Path) -> None:
    victim = _outputs(own_cache)[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte: same size, go would use it as is
    victim.write_bytes(bytes(data))
    r = goenv.check("--area", "build", "--deep", "--skip", "build.works").result("build.cache")
    assert r["status"] == "fail"
    assert f"GOCACHE={own_cache}: 1 output file(s) do not match their recorded SHA-256, e.g. {victim}" in r["summary"]
    assert r["fix"] == "go clean -cache"


def test_truncated_entry_is_a_warning(goenv: GoEnv, own_cache: Path) -> None:
    entry = sorted(own_cache.glob("??/*-a"))[0]
    entry.write_bytes(entry.read_bytes()[:100])
    r = goenv.check("--area", "build", "--deep", "--skip", "build.works").result("build.cache")
    assert r["status"] == "warn" and str(entry) in r["summary"] and "malformed" in r["summary"]


def test_limits_are_thresholds(goenv: GoEnv, own_cache: Path) -> None:
    run = goenv.check("--area", "build", "--deep", "--skip", "build.works", "--set", "build.cache.max_entries=3")
    r = run.result("build.cache")
    assert r["status"] == "ok" and r["evidence"]["entries"] == "3" and "partial" in r["summary"]
    r = goenv.check("--area", "build", "--deep", "--skip", "build.works").result("build.cache")
    assert r["status"] == "ok" and f"GOCACHE={own_cache}: " in r["summary"]
    # every output file we laid out was hashed (entries may share an output; gomedic's `go env` adds none)
    assert int(r["evidence"]["outputs verified"]) >= len(set(own_cache.glob("??/*-d")))
