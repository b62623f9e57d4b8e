"""The release matrix for the toolchain, modules, cgo, paths and goenv scenarios.

A test module opts in by defining `goenv` on top of `anygo`; its tests then run once per release in
tests.support.toolchains.MATRIX (Debian's go1.19, go1.21.x, the newest), with the release as test id.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.goenv import GoEnv, make_env
from tests.support.toolchains import MATRIX


@pytest.fixture(params=MATRIX)
def anygo(request: pytest.FixtureRequest, tmp_path: Path) -> GoEnv:
    return make_env(tmp_path, request.param)
