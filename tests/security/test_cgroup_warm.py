"""`gomedic check` pays the kernel's wait for a cgroup move ahead of go env (jobcgroup.Cgroup.warm): go env
still runs inside a group of its own from its first instruction, and no group is left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gomedic.jobcgroup import Cgroup
from tests.support.cli import gomedic_env


@pytest.fixture
def base() -> str:
    found = Cgroup._own_dir()
    if found is None:
        pytest.skip("no writable cgroup v2 hierarchy here")
    return found


def test_warm_makes_the_next_group_and_drops_it_when_unused(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Cgroup, "_spares", [])
    assert Cgroup.warm()
    assert len(Cgroup._spares) == 1
    pid, spare = Cgroup._spares[0]
    assert pid == os.getpid() and os.path.isdir(spare.path)
    g = Cgroup.create()
    assert g is spare and Cgroup._spares == []  # handed out once
    other = Cgroup.create()
    assert other is not None and other.path != g.path
    for made in (g, other):
        made.remove()
    assert Cgroup.warm()
    _, spare = Cgroup._spares[0]
    Cgroup.drop_spare()
    assert Cgroup._spares == [] and not os.path.exists(spare.path)


def test_a_forked_child_does_not_take_its_parents_group(base: str, monkeypatch: pytest.MonkeyPatch) -> None:
    parents = Cgroup.create()
    assert parents is not None
    try:
        monkeypatch.setattr(Cgroup, "_spares", [(os.getpid() + 1, parents)])  # made by another process
        own = Cgroup.create()
        assert own is not None and own is not parents
        own.remove()
        monkeypatch.setattr(Cgroup, "_spares", [(os.getpid() + 1, parents)])
        Cgroup.drop_spare()  # not this process's to remove
        assert os.path.isdir(parents.path)
    finally:
        parents.remove()


def stand_in_go(tmp_path: Path) -> tuple[Path, Path]:
    """A go that records the cgroup it runs in (its first command) and answers `go env -json` with {}."""
    (tmp_path / "bin").mkdir()
    go = tmp_path / "bin" / "go"
    seen = tmp_path / "cgroups"
    go.write_text(f'#!/bin/sh\ngrep "^0::" /proc/self/cgroup >> {seen}\necho "{{}}"\n')
    go.chmod(0o755)
    return go, seen


@pytest.mark.parametrize("args", [("check", "--format", "json"), ("check", "--area", "nope")])
def test_go_env_runs_in_its_own_group_and_none_is_left(base: str, tmp_path: Path, args: tuple[str, ...]) -> None:
    go, seen = stand_in_go(tmp_path)
    env = gomedic_env({"HOME": str(tmp_path), "PATH": f"{go.parent}:/usr/bin:/bin", "LANG": "C.UTF-8"})
    p = subprocess.Popen([sys.executable, "-m", "gomedic", *args], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    _, err = p.communicate(timeout=120)
    assert p.returncode in (0, 1, 2), err
    groups = seen.read_text().split() if seen.exists() else []
    if args[1] != "--area":
        assert groups, err  # the doctor ran go env
    for line in groups:
        assert os.path.basename(line).startswith(f"gomedic-{p.pid}-"), groups
    assert [n for n in os.listdir(base) if n.startswith(f"gomedic-{p.pid}-")] == []
