"""`gomedic fix build.cache` on a build cache with an output file whose content no longer matches its hash."""

from __future__ import annotations

from pathlib import Path

from tests.fix.conftest import plan_for, settle, snapshot
from tests.support.goenv import GoEnv


def _outputs(cache: Path) -> list[tuple[Path, str]]:
    """(output file, its recorded SHA-256) for every action entry `v1 <action> <output> <size> <time>`."""
    out = []
    for a in sorted(cache.glob("*/*-a")):
        fields = a.read_text(errors="replace").split()
        if len(fields) >= 3:
            out.append((cache / fields[2][:2] / f"{fields[2]}-d", fields[2]))
    return out


def _corrupt_one(cache: Path) -> Path:
    # the largest output is the compiled package (small ones are `go env` results, which go re-verifies)
    outputs = sorted((p for p, _ in _outputs(cache) if p.exists()), key=lambda p: p.stat().st_size)
    assert outputs and outputs[-1].stat().st_size > 0, "the build left no output files"
    victim = outputs[-1]
    data = bytearray(victim.read_bytes())
    data[0] ^= 0xFF  # same size, other content: what a bad disk or a botched cache restore leaves
    victim.write_bytes(bytes(data))
    return victim


def test_corrupt_build_cache_cleaned(goenv: GoEnv) -> None:
    settle(goenv)
    mod = goenv.root / "lib"
    mod.mkdir()
    (mod / "go.mod").write_text("module lib\n\ngo 1.22\n")
    (mod / "lib.go").write_text("package lib\n\nfunc F() int { return 1 }\n")
    goenv.go("build", ".", cwd=mod)
    cache = goenv.home / ".cache" / "go-build"
    _corrupt_one(cache)
    before = snapshot(goenv.root)
    dry = goenv.gomedic("fix", "--format", "json", "build.cache")
    p = plan_for(dry, "build.cache")
    assert p["status_before"] == "fail" and p["state"] == "planned"
    assert p["actions"][0]["change"].endswith("clean -cache") and f"GOCACHE={cache}" in p["actions"][0]["change"]
    assert _corrupt_still_there(cache)
    assert snapshot(goenv.root) == before

    run = goenv.gomedic("fix", "--yes", "--format", "json", "build.cache")
    p = plan_for(run, "build.cache")
    assert p["state"] == "applied" and p["status_after"] == "ok", p
    assert run.returncode == 0
    assert not _corrupt_still_there(cache)
    again = goenv.gomedic("fix", "--yes", "--format", "json", "build.cache")
    assert again.returncode == 0 and '"plans": []' in again.stdout


def _corrupt_still_there(cache: Path) -> bool:
    import hashlib

    return any(p.exists() and hashlib.sha256(p.read_bytes()).hexdigest() != h for p, h in _outputs(cache))
