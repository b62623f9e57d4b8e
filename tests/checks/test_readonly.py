"""`gomedic check` is read-only: it leaves HOME (caches, go's telemetry counters) as it found it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv


@pytest.fixture
def goenv(anygo: GoEnv) -> GoEnv:  # every release of the matrix: go1.19 needs a throwaway cache to list
    return anygo


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    out = {}
    for d, _, files in os.walk(root):
        for name in [".", *files]:
            p = os.path.join(d, name)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_mode, st.st_size if name != "." else 0)
    return out


def test_check_writes_nothing(goenv: GoEnv, tmp_path: Path) -> None:
    mod = tmp_path / "mod"
    mod.mkdir()
    (mod / "go.mod").write_text("module example.com/ro\n\ngo 1.19\n")
    (mod / "main.go").write_text("package main\n\nfunc main() {}\n")
    goenv.env.update({"GOFLAGS": "-trimpath", "CGO_ENABLED": "0"})  # makes gomedic ask go about GOFLAGS and list
    before = snapshot(goenv.home)
    run = goenv.check(cwd=mod)
    assert run.returncode == 0, run.stdout
    assert run.result("cgo.deps")["status"] == "ok"
    assert snapshot(goenv.home) == before
    assert not (goenv.home / ".cache").exists() and not (goenv.home / ".config").exists()
