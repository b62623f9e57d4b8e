from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.goservice import (
    NODE_EXPORTER,
    Service,
    build_goservice,
    start_goservice,
    start_node_exporter,
)


@pytest.fixture(scope="module")
def goservice_bin() -> Path:
    return build_goservice()


@pytest.fixture
def goservice(goservice_bin: Path, tmp_path: Path) -> Iterator[Service]:
    svc = start_goservice(tmp_path)
    yield svc
    svc.stop()


@pytest.fixture
def node_exporter() -> Iterator[Service]:
    if not shutil.which(NODE_EXPORTER):
        pytest.fail(f"{NODE_EXPORTER} missing: apt-get install prometheus-node-exporter (.ci/apt-packages.txt)")
    svc = start_node_exporter()
    yield svc
    svc.stop()


@pytest.fixture
def started(goservice_bin: Path, tmp_path: Path) -> Iterator[list[Service]]:
    """Services a test starts (through start_tracked), stopped when it ends."""
    services: list[Service] = []
    yield services
    for s in services:
        s.stop()
