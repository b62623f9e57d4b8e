"""Running `gomedic binary` for real and reading its JSON report (validated against report-v1.json)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.goenv import validate_report

SRC = str(Path(__file__).resolve().parents[2] / "src")


@dataclass
class BinRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return validate_report(json.loads(self.stdout))

    def result(self, check_id: str, subject: str | Path | None = None) -> dict[str, Any]:
        found = [r for r in self.report["results"]
                 if r["id"] == check_id and (subject is None or r["subject"] == str(subject))]
        assert len(found) == 1, f"{check_id} {subject}: {found}\n{self.stderr}"
        return found[0]


def gomedic_binary(*args: str | Path, env: dict[str, str] | None = None) -> BinRun:
    e = {**os.environ, "PYTHONPATH": SRC, **(env or {})}
    p = subprocess.run([sys.executable, "-m", "gomedic", "binary", *map(str, args)], env=e,
                       capture_output=True, text=True, timeout=120)
    return BinRun(p.returncode, p.stdout, p.stderr)


@pytest.fixture
def run_binary() -> Any:
    return gomedic_binary
