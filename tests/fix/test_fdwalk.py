"""fdwalk: chown -R, mkdir -p and chmod inside a home through directory fds (the races are in
tests/security/test_chown_race.py)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from gomedic.fix.fdwalk import add_mode_bits, chown_tree, make_dirs
from gomedic.safefs import UnsafePath

UID, GID = 4321, 4322


def _tree(home: Path) -> Path:
    top = home / "cache"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "f").write_text("x")
    (top / "a" / "b" / "g").write_text("y")
    os.symlink("/etc/hostname", top / "link")
    return top


def test_counts_then_changes_everything_but_link_targets(tmp_path: Path) -> None:
    top = _tree(tmp_path)
    dry = chown_tree(str(top), str(tmp_path), UID, GID, apply=False)
    assert (dry.foreign, dry.changed) == (6, 0)
    assert chown_tree(str(top), str(tmp_path), UID, GID, apply=False, cap=2).foreign == 2
    done = chown_tree(str(top), str(tmp_path), UID, GID, apply=True)
    assert done.changed == 6
    assert all(os.lstat(p).st_uid == UID for p in [top, *top.rglob("*")])
    assert os.stat("/etc/hostname").st_uid == 0
    assert chown_tree(str(top), str(tmp_path), UID, GID, apply=False).foreign == 0


def test_hard_linked_file_left_alone_and_said(tmp_path: Path) -> None:
    top = _tree(tmp_path)
    outside = tmp_path / "rootfile"
    outside.write_text("root")
    os.link(outside, top / "a" / "hl")
    t = chown_tree(str(top), str(tmp_path), UID, GID, apply=True)
    assert t.hardlinked == 1 and "hard links left alone" in t.notes()[0]
    assert os.stat(outside).st_uid == 0


def test_symlink_on_the_way_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real"
    _tree(real)
    home = tmp_path / "home"
    home.mkdir()
    (home / "c").symlink_to(real)
    with pytest.raises(UnsafePath, match="symlink"):
        chown_tree(str(home / "c" / "cache"), str(home), UID, GID, apply=True)
    with pytest.raises(UnsafePath, match="symlink"):
        make_dirs(str(home / "c" / "new"), str(home), UID, GID, 0o755)
    with pytest.raises(UnsafePath, match="symlink"):
        add_mode_bits(str(home / "c"), str(home), 0o700)
    assert all(os.lstat(p).st_uid == 0 for p in [real, *real.rglob("*")])
    assert not (real / "new").exists()


def test_subdirectory_that_is_a_symlink_is_not_entered(tmp_path: Path) -> None:
    top = _tree(tmp_path)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "f").write_text("v")
    os.symlink(victim, top / "a" / "d")
    chown_tree(str(top), str(tmp_path), UID, GID, apply=True)
    assert os.lstat(top / "a" / "d").st_uid == UID  # the link itself
    assert os.stat(victim).st_uid == 0 and os.stat(victim / "f").st_uid == 0


def test_mount_point_not_entered(tmp_path: Path) -> None:
    top = _tree(tmp_path)
    mnt = top / "mnt"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "gmfix", str(mnt)], capture_output=True, timeout=30).returncode:
        pytest.skip("cannot mount a tmpfs here (no CAP_SYS_ADMIN)")
    try:
        (mnt / "inner").write_text("i")
        t = chown_tree(str(top), str(tmp_path), UID, GID, apply=True)
        assert t.other_fs == 1 and os.stat(mnt / "inner").st_uid == 0
    finally:
        subprocess.run(["umount", str(mnt)], check=True, timeout=30)


def test_make_dirs_and_mode_bits(tmp_path: Path) -> None:
    made = make_dirs(str(tmp_path / "x" / "y"), str(tmp_path), UID, GID, 0o750)
    assert made == [str(tmp_path / "x"), str(tmp_path / "x" / "y")]
    st = os.stat(tmp_path / "x" / "y")
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (UID, GID, 0o750)
    os.chmod(tmp_path / "x", 0o500)
    add_mode_bits(str(tmp_path / "x"), str(tmp_path), 0o700)
    assert os.stat(tmp_path / "x").st_mode & 0o777 == 0o700
    assert make_dirs(str(tmp_path / "x" / "y"), str(tmp_path), UID, GID, 0o750) == []
