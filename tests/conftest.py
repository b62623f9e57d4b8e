"""Suite-wide fixtures. Topic fixtures live in tests/support/ and per-directory conftest files."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support import users
from tests.support.goenv import GoEnv, make_env

# No timing assertions in unit tests: hypothesis' per-example deadline is one, and it flakes on a busy
# 2-core CI machine. Bounded time is asserted where it matters, with generous explicit limits.
settings.register_profile("gomedic", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("gomedic")


def pytest_configure(config: pytest.Config) -> None:
    users.session_begin()


def pytest_unconfigure(config: pytest.Config) -> None:
    # The last pytest process using the shared test cache removes the users test runs created (users.py).
    users.session_end()


@pytest.fixture
def goenv(tmp_path: Path) -> GoEnv:
    """A healthy isolated Go environment around the newest test toolchain."""
    return make_env(tmp_path)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temp dir unprivileged test users can reach (pytest's tmp_path sits under a 0700 root directory)."""
    d = Path(tempfile.mkdtemp(prefix="gomedic-test-", dir="/var/tmp"))
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)
