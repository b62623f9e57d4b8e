"""Running `gomedic binary` for real and reading its JSON report (validated against report-v1.json)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.goenv import Run

SRC = str(Path(__file__).resolve().parents[2] / "src")


BinRun = Run  # `gomedic binary` runs read like any other report


def gomedic_binary(*args: str | Path, env: dict[str, str] | None = None) -> BinRun:
    e = {**os.environ, "PYTHONPATH": SRC, **(env or {})}
    p = subprocess.run([sys.executable, "-m", "gomedic", "binary", *map(str, args)], env=e,
                       capture_output=True, text=True, timeout=120)
    return BinRun(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def run_binary() -> Any:
    return gomedic_binary
