"""showable: as root, a file is shown only when the user controlling its name could read it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic.facts.gomod import read_modfile
from gomedic.facts.showable import open_showable
from gomedic.safefs import UnsafePath
from tests.security.conftest import make_user
from tests.support.users import User, as_user


@pytest.fixture
def user() -> Iterator[User]:
    yield from make_user("gmfix6")


def _user_link(user: User, target: Path, link: Path) -> None:
    subprocess.run(as_user(user, ["ln", "-s", str(target), str(link)]), check=True, timeout=30)


def test_links_judged_by_what_their_owner_may_read(user: User, shared_tmp: Path) -> None:
    d = shared_tmp / "mod"
    d.mkdir()
    os.chown(d, user.uid, user.gid)
    private, public = shared_tmp / "private", shared_tmp / "public"
    private.write_text("module secret.example/x\n")
    os.chmod(private, 0o600)
    public.write_text("module example.com/pub\n")
    os.chmod(public, 0o644)
    _user_link(user, private, d / "go.work")
    _user_link(user, public, d / "go.mod")
    with pytest.raises(UnsafePath, match="is not shown"):
        open_showable(str(d / "go.work"))
    mod, err, hidden = read_modfile(str(d / "go.work"))
    assert mod is None and hidden and err and "secret.example" not in err
    mod, err, hidden = read_modfile(str(d / "go.mod"))
    assert mod is not None and mod.module == "example.com/pub" and not hidden
    own = d / "own"
    own.write_text("module mine.example\n")
    os.chown(own, user.uid, user.gid)
    os.chmod(own, 0)  # the user's own file: they can chmod it, so showing it is fine
    os.close(open_showable(str(own)))


def test_root_files_in_root_directories_are_shown(tmp_path: Path) -> None:
    p = tmp_path / "go.mod"
    p.write_text("module root.example\n")
    os.chmod(p, 0o600)
    os.close(open_showable(str(p)))


def test_fifo_refused_at_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "go.mod")
    with pytest.raises(OSError, match="is a FIFO, not a regular file"):  # safeio.NotRegularFile, for anyone
        open_showable(str(tmp_path / "go.mod"))
