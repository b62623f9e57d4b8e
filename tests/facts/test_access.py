"""facts.access against the kernel: every verdict is compared with what a real unprivileged user gets."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic.facts.access import Principal, R, W, Want, X, can, current_principal, principal_for_user
from tests.support.users import User, as_user, ensure_user

FLAGS = {R: "-r", W: "-w", X: "-x"}


def kernel_says(user: User, path: Path, want: Want) -> bool:
    """`test -r/-w/-x` run as the user: access(2) decided by the kernel."""
    flag = FLAGS[want]
    p = subprocess.run(as_user(user, ["test", flag, str(path)]), timeout=30)
    return p.returncode == 0


@pytest.fixture(scope="module")
def alice() -> User:
    return ensure_user("gmaccess1")


@pytest.fixture(scope="module")
def bob() -> User:
    return ensure_user("gmaccess2")


@pytest.fixture
def tree(alice: User, bob: User) -> Iterator[Path]:
    """A world-searchable root (pytest's tmp dirs are root-only) with files of every owner/mode combination."""
    base = Path(tempfile.mkdtemp(prefix="gomedic-access-", dir="/tmp"))
    root = base / "t"
    root.mkdir()
    os.chmod(base, 0o755)
    os.chmod(root, 0o755)
    yield from _populate(root, alice, bob)
    shutil.rmtree(base, ignore_errors=True)


def _populate(root: Path, alice: User, bob: User) -> Iterator[Path]:
    specs = {
        "own-600": (alice.uid, alice.gid, 0o600),
        "other-600": (bob.uid, bob.gid, 0o600),
        "other-644": (bob.uid, bob.gid, 0o644),
        "group-640": (bob.uid, alice.gid, 0o640),
        "group-604": (bob.uid, alice.gid, 0o604),  # group class matches first: no read for the group
        "own-066": (alice.uid, alice.gid, 0o066),  # owner class matches first: no access for the owner
        "exec-755": (bob.uid, bob.gid, 0o755),
        "exec-700": (bob.uid, bob.gid, 0o700),
        "root-000": (0, 0, 0o000),
    }
    for name, (uid, gid, mode) in specs.items():
        p = root / name
        p.write_text("x")
        os.chown(p, uid, gid)
        os.chmod(p, mode)
    locked = root / "locked"
    locked.mkdir()
    (locked / "inner").write_text("x")
    os.chmod(locked / "inner", 0o644)
    os.chown(locked, bob.uid, bob.gid)
    os.chmod(locked, 0o750)
    yield root


@pytest.mark.parametrize("name", ["own-600", "other-600", "other-644", "group-640", "group-604", "own-066",
                                  "exec-755", "exec-700", "root-000", "locked/inner", "locked"])
@pytest.mark.parametrize("want", [R, W, X])
def test_matches_the_kernel(tree: Path, alice: User, name: str, want: Want) -> None:
    who = principal_for_user(alice.name)
    acc = can(tree / name, who, want)
    assert acc.ok == kernel_says(alice, tree / name, want), acc.reason
    assert acc.path_examined
    if not acc.ok:
        assert alice.name in acc.reason


def test_ancestor_without_search_permission_is_named(tree: Path, alice: User) -> None:
    acc = can(tree / "locked" / "inner", principal_for_user(alice.name), R)
    assert not acc.ok
    assert acc.path_examined == str(tree / "locked")
    assert acc.mode == "drwxr-x---"
    assert "no execute permission on directory" in acc.reason


def test_root_bypasses_bits_but_needs_an_x_bit_to_execute(tree: Path) -> None:
    root = Principal(0, frozenset({0}), "root")
    assert can(tree / "root-000", root, R | W).ok
    assert not can(tree / "root-000", root, X).ok
    assert can(tree / "exec-700", root, X).ok


def test_missing_path_and_create(tree: Path, alice: User, bob: User) -> None:
    who = principal_for_user(alice.name)
    missing = can(tree / "nope" / "deeper", who, R)
    assert not missing.ok and "does not exist" in missing.reason
    assert not can(tree / "nope", who, W, create=True).ok  # tree is root-owned 755
    os.chown(tree, alice.uid, alice.gid)
    made = can(tree / "nope" / "deeper", who, W, create=True)
    assert made.ok and made.path_examined == str(tree)
    # and the kernel agrees: the user can create it
    subprocess.run(as_user(alice, ["mkdir", "-p", str(tree / "nope" / "deeper")]), check=True, timeout=30)


def test_symlink_is_followed(tree: Path, alice: User) -> None:
    link = tree / "link"
    link.symlink_to(tree / "other-600")
    acc = can(link, principal_for_user(alice.name), R)
    assert not acc.ok and "-> " in acc.reason
    assert acc.ok == kernel_says(alice, link, R)


def test_principals(alice: User) -> None:
    p = principal_for_user(alice.name)
    assert p.uid == alice.uid and alice.gid in p.gids and not p.is_root
    assert principal_for_user(str(alice.uid)) == p
    assert current_principal().uid == os.geteuid()
    with pytest.raises(KeyError):
        principal_for_user("no-such-user-gomedic")


def test_empty_and_not_a_directory(tree: Path, alice: User) -> None:
    who = principal_for_user(alice.name)
    assert not can("", who, R).ok
    acc = can(tree / "other-644" / "x", who, R)
    assert not acc.ok and "not a directory" in acc.reason


def test_root_option_ignores_directories_above_the_root(alice: User) -> None:
    outer = Path(tempfile.mkdtemp(prefix="gomedic-access-root-", dir="/tmp"))  # root-only 700
    base = outer / "rootfs"
    try:
        base.mkdir(mode=0o755)  # the root's own "/" must be searchable, as on a real system
        (base / "usr/bin").mkdir(parents=True)
        prog = base / "usr/bin/app"
        prog.write_text("#!/bin/sh\n")
        os.chmod(prog, 0o755)
        for d in (base / "usr", base / "usr/bin"):
            os.chmod(d, 0o755)
        who = principal_for_user(alice.name)
        os.chmod(base, 0o755)
        assert not can(prog, who, X).ok  # on this host, /tmp/gomedic-access-root-* is 700 root
        assert can(prog, who, X, root=str(base)).ok  # inside the unpacked root, / is the base
        os.chmod(base, 0o700)
        assert not can(prog, who, X, root=str(base)).ok
    finally:
        shutil.rmtree(outer, ignore_errors=True)
