"""pytest fixtures shared by tests/service and tests/gate: a real service user, real Go programs, a work dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hostfixtures import HELLO, OSUSER, build_go, world_dir
from tests.support.users import User, ensure_user


@pytest.fixture(scope="session")
def svc_user() -> User:
    return ensure_user("gmsvc1")


@pytest.fixture(scope="session")
def hello_amd64() -> Path:
    return build_go("hello", HELLO)


@pytest.fixture(scope="session")
def hello_arm64() -> Path:
    return build_go("hello", HELLO, goarch="arm64")


@pytest.fixture(scope="session")
def osuser_prog() -> Path:
    return build_go("osuser", OSUSER)


@pytest.fixture
def wd() -> Iterator[Path]:
    with world_dir() as d:
        yield d
