"""Suite-wide fixtures. Topic fixtures live in tests/support/ and per-directory conftest files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.goenv import GoEnv, make_env


@pytest.fixture
def goenv(tmp_path: Path) -> GoEnv:
    """A healthy isolated Go environment around the newest test toolchain."""
    return make_env(tmp_path)
