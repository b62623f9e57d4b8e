"""Fixtures for the vulnerability tests: a real mirror of real entries, and `gomedic` run for real."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.goenv import Run
from tests.support.vulnmirror import build_mirror

SRC = str(Path(__file__).resolve().parents[2] / "src")
MODIFIED = "2026-08-21T20:00:00Z"

Gomedic = Callable[..., Run]


@pytest.fixture(scope="session")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every stored entry, both layouts, database modified at MODIFIED."""
    return build_mirror(tmp_path_factory.mktemp("vulndb"), modified=MODIFIED)


@pytest.fixture
def legacy_mirror(tmp_path: Path) -> Path:
    """The same entries in the older layout only (no index/ directory), as govulncheck < 1.0 reads it."""
    import shutil

    root = build_mirror(tmp_path / "legacy", modified=MODIFIED)
    shutil.rmtree(root / "index")
    return root


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def run_gomedic(*args: str | Path, home: Path, env: dict[str, str] | None = None, timeout: float = 300) -> Run:
    """`python -m gomedic ARGS` with only HOME (its ~/.cache holds the database cache) and a plain PATH."""
    e = {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": SRC, "LANG": "C.UTF-8", **(env or {})}
    p = subprocess.run([sys.executable, "-m", "gomedic", *map(str, args)], env=e, capture_output=True, text=True,
                       timeout=timeout, cwd="/")
    return Run(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def gomedic(home: Path) -> Gomedic:
    def go(*args: str | Path, env: dict[str, str] | None = None) -> Run:
        return run_gomedic(*args, home=home, env=env)

    return go


def cache_files(home: Path) -> list[Path]:
    root = home / ".cache" / "gomedic" / "vulndb"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def ids(ev: dict[str, str], key: str) -> set[str]:
    return set() if ev[key] == "none" else set(ev[key].split(", "))


