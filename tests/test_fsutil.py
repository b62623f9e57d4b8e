"""`-o FILE` (fsutil.atomic_write): a regular file is replaced atomically; a device or a FIFO is written
into and stays what it was. Found when `-o /dev/null` as root left a regular file at /dev/null."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from gomedic.errors import UsageError
from gomedic.fsutil import atomic_write

NOBODY = 65534


def null_device(d: Path) -> Path:
    """A real character device with /dev/null's numbers, in a test directory (mknod needs root)."""
    p = d / "null"
    try:
        os.mknod(p, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root (CAP_MKNOD)")
    return p


def test_a_character_device_is_written_into_not_replaced(tmp_path: Path) -> None:
    dev = null_device(tmp_path)
    atomic_write(dev, "report\n")
    assert stat.S_ISCHR(os.lstat(dev).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temp file left either


def test_a_root_owned_symlink_to_a_device_is_followed_and_kept(tmp_path: Path) -> None:
    dev = null_device(tmp_path)
    link = tmp_path / "stdout"
    link.symlink_to(dev)
    atomic_write(link, b"report\n")
    assert link.is_symlink() and stat.S_ISCHR(os.stat(link).st_mode)


def test_someone_elses_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    """In a shared directory, another user's symlink to a device is not followed: root writes a new
    regular file in place of the link (the sticky bit of /tmp would refuse even that)."""
    dev = null_device(tmp_path)
    link = tmp_path / "report.json"
    link.symlink_to(dev)
    os.lchown(link, NOBODY, NOBODY)
    atomic_write(link, "report\n")
    assert not link.is_symlink() and link.read_text() == "report\n"
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_a_fifo_is_written_into(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    atomic_write(fifo, "report\n")
    reader.join(30)
    assert got == [b"report\n"] and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"cannot write .*: not a regular file"):
        atomic_write(tmp_path, "x")


def test_a_regular_file_is_replaced_and_keeps_its_mode(tmp_path: Path) -> None:
    f = tmp_path / "r.json"
    f.write_text("old")
    f.chmod(0o600)
    atomic_write(f, "new")
    assert f.read_text() == "new" and stat.S_IMODE(f.stat().st_mode) == 0o600


def test_without_streams_a_planted_fifo_is_replaced_not_waited_on(tmp_path: Path) -> None:
    """A textfile directory: a FIFO named like the output would block a writer forever."""
    fifo = tmp_path / "gomedic_check.prom"
    os.mkfifo(fifo)
    atomic_write(fifo, "x 1\n", streams=False)
    assert fifo.read_text() == "x 1\n" and stat.S_ISREG(os.lstat(fifo).st_mode)
