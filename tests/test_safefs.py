"""safefs: writes and reads through directory fds, never through a symlink below the allowed directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.safefs import UnsafePath, open_dir, read_file, write_file


def test_new_file_mode_and_existing_mode_kept(tmp_path: Path) -> None:
    p = tmp_path / "out.md"
    write_file(str(p), b"one")
    assert p.read_bytes() == b"one" and stat.S_IMODE(os.stat(p).st_mode) == 0o644
    os.chmod(p, 0o600)
    write_file(str(p), b"two", mode=0o644)
    assert p.read_bytes() == b"two" and stat.S_IMODE(os.stat(p).st_mode) == 0o600
    write_file(str(p), b"three", mode=0o640, keep=False)
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o640
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out.md"]  # no temporary file left


def test_owner_set_on_the_fd(tmp_path: Path) -> None:
    p = tmp_path / "f"
    write_file(str(p), b"x", owner=(4321, 4322))
    st = os.stat(p)
    assert (st.st_uid, st.st_gid) == (4321, 4322)


def test_destination_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"keep")
    os.chmod(target, 0o600)
    (tmp_path / "out").symlink_to(target)
    write_file(str(tmp_path / "out"), b"new")
    assert target.read_bytes() == b"keep" and stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert not (tmp_path / "out").is_symlink() and (tmp_path / "out").read_bytes() == b"new"


def test_under_refuses_symlinked_components_and_outside_paths(tmp_path: Path) -> None:
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (home / "cfg").symlink_to(elsewhere)
    with pytest.raises(UnsafePath, match="symlink"):
        write_file(str(home / "cfg" / "f"), b"x", under=str(home))
    with pytest.raises(UnsafePath, match="not inside"):
        write_file(str(elsewhere / "f"), b"x", under=str(home))
    with pytest.raises(UnsafePath, match="not inside"):
        open_dir(str(home / ".." / "elsewhere"), str(home))
    assert list(elsewhere.iterdir()) == []
    os.close(open_dir(str(home), str(home)))
    write_file(str(home / "f"), b"ok", under=str(home))
    assert (home / "f").read_bytes() == b"ok"


def test_read_refuses_links_fifos_strangers_and_hard_links(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"s")
    (tmp_path / "link").symlink_to(secret)
    with pytest.raises(UnsafePath, match="symlink"):
        read_file(str(tmp_path / "link"))
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(UnsafePath, match="not a regular file"):
        read_file(str(tmp_path / "fifo"))  # refused at once: O_NONBLOCK, no writer needed
    with pytest.raises(UnsafePath, match="owned by uid"):
        read_file(str(secret), owner=4321)
    os.chown(secret, 4321, 4321)
    os.link(secret, tmp_path / "hard")
    with pytest.raises(UnsafePath, match="hard links"):
        read_file(str(tmp_path / "hard"), owner=4321)
    assert read_file(str(tmp_path / "missing")) is None
    os.unlink(tmp_path / "hard")
    assert read_file(str(secret), owner=4321) == b"s"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["a", "b", "link", "..", ".", "", "file", "missing"]), min_size=1, max_size=6))
def test_open_dir_never_leaves_the_home(tmp_path: Path, parts: list[str]) -> None:
    """Whatever path is asked for, open_dir(path, home) gives a directory inside home or refuses."""
    home = tmp_path / "home"
    if not home.exists():
        (home / "a" / "b").mkdir(parents=True)
        (home / "b").mkdir()
        (home / "file").write_text("f")
        (tmp_path / "outside").mkdir()
        (home / "link").symlink_to(tmp_path / "outside")
        (home / "a" / "link").symlink_to(home / "b")
    path = str(home) + "/" + "/".join(parts)
    try:
        fd = open_dir(path, str(home))
    except OSError:
        return
    try:
        real = os.readlink(f"/proc/self/fd/{fd}")
    finally:
        os.close(fd)
    assert real == str(home) or real.startswith(str(home) + "/"), (path, real)
