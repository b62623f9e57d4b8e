"""Issue 12 item 2: `fix --user U --yes` hands a tree back to U while U swaps its subdirectories for
symlinks to a root directory and its files for hard links to a root file. Root's files never change."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic.fix.actions import ChownTree
from tests.security.conftest import RACER_HEAD, Racer, Victim, make_user
from tests.support.users import User, as_user

RUNS = 50
FILES = 300

# As the user: in every cache-* directory the user can write (after root handed it over), swap `sub`
# for a symlink to the victim directory and sub/f* for hard links to the victim's secret, and back.
SWAPPER = RACER_HEAD + """
home, vdir, vfile = sys.argv[1:4]
while True:
    for top in os.listdir(home):
        if not top.startswith("cache-"):
            continue
        sub = os.path.join(home, top, "sub")
        try:
            os.rename(sub, sub + ".real")
        except OSError:
            continue
        try:
            os.symlink(vdir, sub)
            n += 1
            for i in range(0, 300, 7):
                f = os.path.join(sub + ".real", f"f{i}")
                try:
                    os.unlink(f)
                    os.link(vfile, f)
                    n += 1
                except OSError:
                    pass
            os.unlink(sub)
        except OSError:
            pass
        finally:
            try:
                os.rename(sub + ".real", sub)
            except OSError:
                pass
"""


@pytest.fixture
def user() -> Iterator[User]:
    yield from make_user("gmfix2")


def _root_tree(home: Path, name: str) -> Path:
    """What `sudo go build` leaves in a user's home: a root-owned cache tree."""
    top = home / name
    top.mkdir()
    (top / "sub").mkdir()
    for i in range(FILES):
        (top / "sub" / f"f{i}").write_bytes(b"x" * 64)
    os.symlink("/etc/passwd", top / "link")
    return top


def _chown(top: Path, user: User) -> ChownTree:
    return ChownTree(str(top), user.uid, user.gid, f"{user.name}:{user.name}", "root:root", user.home)


def test_hard_link_to_root_file_is_left_alone(user: User, victim: Victim, hardlinks_unprotected: None) -> None:
    home = Path(user.home)
    top = _root_tree(home, "cache-static")
    os.chown(top, user.uid, user.gid)  # the user owns the directory and links a root file into it
    subprocess.run(as_user(user, ["ln", str(victim.secret), str(top / "hl")]), check=True, timeout=30)
    assert os.stat(victim.secret).st_nlink == 2
    action = _chown(top, user)
    assert "1 file(s) with several hard links left alone" in action.describe()
    action.apply()
    assert victim.intact()
    assert os.lstat(top / "sub" / "f0").st_uid == user.uid
    link = os.lstat(top / "link")
    assert link.st_uid == user.uid and os.stat("/etc/passwd").st_uid == 0  # the symlink itself, not its target


def test_swapping_directories_and_files_during_50_runs(user: User, victim: Victim, racers: list[Racer],
                                                       hardlinks_unprotected: None) -> None:
    home = Path(user.home)
    racer = Racer(user, SWAPPER, str(home), str(victim.dir), str(victim.secret))
    racers.append(racer)
    for i in range(RUNS):
        top = _root_tree(home, f"cache-{i}")
        _chown(top, user).apply()
        assert victim.intact(), f"run {i}: a root file changed"
        assert racer.alive(), f"run {i}: the racer is gone"
        assert os.lstat(top).st_uid == user.uid
    attacks, err = racer.stop()
    assert attacks > 0, f"the racer made no attack: {err}"
    assert victim.intact()
