"""Issue 12 item 3: root's atomic writes and backups in a directory a user can write. The user swaps
every temporary file and backup name for a symlink to a root file (a large file widens the window)
while root edits the user's rc file (`fix --edit-rc`) and writes `report -o DIR/out.md` 50 times each."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gomedic.errors import UsageError
from gomedic.fix import backup
from gomedic.fix.plan import FixError
from gomedic.fix.rcblock import WriteBlock
from gomedic.fsutil import atomic_write
from tests.security.conftest import RACER_HEAD, SECRET, Racer, Victim, make_user
from tests.support.users import User

RUNS = 50
BIG = b"# padding\n" * 200_000  # 2 MB: a long write between create and rename

# As the user: replace every temporary file (.NAME.*.tmp) and backup (NAME.gomedic-*.bak) that appears
# in the directory with a symlink to the victim, and plant symlinks at the next backup names.
SWAPPER = RACER_HEAD + """
import time
d, vfile, base = sys.argv[1:4]
while True:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for k in ("", ".1", ".2"):
        try:
            os.symlink(vfile, os.path.join(d, f"{base}.gomedic-{stamp}{k}.bak"))
            n += 1
        except OSError:
            pass
    for name in os.listdir(d):
        if not (name.endswith(".tmp") or ".gomedic-" in name):
            continue
        p = os.path.join(d, name)
        try:
            if os.path.islink(p):
                continue
            os.unlink(p)
            os.symlink(vfile, p)
            n += 1
        except OSError:
            pass
"""


@pytest.fixture
def user() -> Iterator[User]:
    yield from make_user("gmfix3")


def _no_secret_in(d: Path) -> None:
    for p in d.rglob("*"):
        if stat.S_ISREG(os.lstat(p).st_mode):
            assert SECRET.encode() not in p.read_bytes(), p


def _regular(path: Path, user: User, data: bytes, mode: int) -> None:
    """Put `path` back as a regular file (the racer may have left a symlink where a rename raced)."""
    if path.is_symlink():
        path.unlink()
    path.write_bytes(data)
    os.chown(path, user.uid, user.gid)
    os.chmod(path, mode)


def test_rc_edit_and_backup_race(user: User, victim: Victim, racers: list[Racer]) -> None:
    home = Path(user.home)
    rc = home / ".bashrc"
    _regular(rc, user, BIG, 0o640)
    racer = Racer(user, SWAPPER, str(home), str(victim.secret), ".bashrc")
    racers.append(racer)
    _wait_for(lambda: any(".gomedic-" in n for n in os.listdir(home)), "the racer to start attacking")
    for i in range(RUNS):
        backup._made.clear()  # each run is a new `gomedic fix` process
        if rc.is_symlink() or not rc.exists():
            _regular(rc, user, BIG, 0o640)
        try:
            WriteBlock(str(rc), (f"export RUN={i}",), user.uid, user.gid, user.home).apply()
        except FixError as e:  # the racer removed or swapped a file root was using: nothing was changed
            assert SECRET not in str(e)
        assert victim.intact(), f"run {i}: a root file changed"
        assert racer.alive(), f"run {i}: the racer is gone"
        if not rc.is_symlink():
            st = os.lstat(rc)
            assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (user.uid, 0o640)
    attacks, err = racer.stop()
    assert attacks > 0, f"the racer made no attack: {err}"
    assert victim.intact()
    _no_secret_in(home)
    # A racer that never sleeps may win every run (each refused, nothing changed); without one the fix works.
    backup._made.clear()
    if rc.is_symlink() or not rc.exists():
        _regular(rc, user, BIG, 0o640)
    WriteBlock(str(rc), ("export RUN=last",), user.uid, user.gid, user.home).apply()
    assert "export RUN=last" in rc.read_text()


def _wait_for(pred: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_report_output_race(user: User, victim: Victim, racers: list[Racer]) -> None:
    out_dir = Path(user.home) / "reports"
    out_dir.mkdir()
    os.chown(out_dir, user.uid, user.gid)  # a directory the user can write
    out = out_dir / "out.md"
    out.write_bytes(b"old report\n")
    os.chmod(out, 0o600)  # root's own 0600 file stays 0600
    racer = Racer(user, SWAPPER, str(out_dir), str(victim.secret), "out.md")
    racers.append(racer)
    _wait_for(lambda: any(".gomedic-" in n for n in os.listdir(out_dir)), "the racer to start attacking")
    for i in range(RUNS):
        if out.is_symlink():
            out.unlink()
            out.write_bytes(b"old report\n")
            os.chmod(out, 0o600)
        try:
            atomic_write(out, BIG + f"run {i}\n".encode())
        except UsageError as e:
            assert SECRET not in str(e)
        assert victim.intact(), f"run {i}: a root file changed"
        assert racer.alive(), f"run {i}: the racer is gone"
        if not out.is_symlink():
            st = os.lstat(out)
            assert (st.st_uid, stat.S_IMODE(st.st_mode)) == (0, 0o600)
    attacks, err = racer.stop()
    assert attacks > 0, f"the racer made no attack: {err}"
    assert victim.intact()
    _no_secret_in(out_dir)
    if out.is_symlink():  # the racer may win every run (each refused, nothing changed); alone, the write works
        out.unlink()
    atomic_write(out, b"last report\n")
    assert out.read_bytes() == b"last report\n"
