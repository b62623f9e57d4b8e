"""Pure parts of the fix machinery: the rc-file block, line removal, backups, the env block's effect;
property tests feed them hostile text."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.errors import UsageError
from gomedic.fix.actions import RemoveLines
from gomedic.fix.backup import backup, restore
from gomedic.fix.envblock import bad_path_value
from gomedic.fix.plan import FixError
from gomedic.fix.rcblock import BEGIN, END, WriteBlock, replace_block
from gomedic.fix.shell import EnvBlock, parse_shell

_LINES = st.lists(st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=40), max_size=20)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=500), _LINES, _LINES)
def test_replace_block_idempotent(text: str, body: list[str], body2: list[str]) -> None:
    once = replace_block(text, body)
    assert replace_block(once, body) == once
    assert once.count(BEGIN) >= 1
    if BEGIN not in text:
        assert once.startswith(text)  # what was there stays, the block is appended once
        assert once.split("\n").count(BEGIN) == 1
        changed = replace_block(once, body2)
        assert changed.startswith(text) and changed.split("\n").count(BEGIN) == 1


def test_replace_block_in_place() -> None:
    text = f"a\n{BEGIN}\nold\n{END}\nb\n"
    assert replace_block(text, ["new"]) == f"a\n{BEGIN}\nnew\n{END}\nb\n"


def test_remove_lines_moved_and_changed(tmp_path: Path) -> None:
    p = tmp_path / "env"
    p.write_text("A=1\nB=2\nC=3\n")
    # planned against an older file where B was line 1: it moved, and is found by its text
    assert RemoveLines(str(p), ((1, "B=2"),)).apply()
    assert p.read_text() == "A=1\nC=3\n"
    p.write_text("X=1\nX=1\n")
    with pytest.raises(FixError, match="changed since the plan"):
        RemoveLines(str(p), ((5, "X=1"),)).apply()  # ambiguous: left alone
    assert p.read_text() == "X=1\nX=1\n"
    assert not RemoveLines(str(p), ((1, "Y=2"),)).needed()


def test_backup_and_restore_keep_bytes_and_mode(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"\xffraw\r\nbytes")
    os.chmod(p, 0o640)
    b = backup(str(p), "20260101T000000Z", once=False)
    b2 = backup(str(p), "20260101T000000Z", once=False)
    assert b != b2 and b.endswith(".gomedic-20260101T000000Z.bak") and b2.endswith(".1.bak")
    p.write_text("changed")
    restore(b, str(p))
    assert p.read_bytes() == b"\xffraw\r\nbytes" and os.stat(p).st_mode & 0o777 == 0o640


def test_write_block_creates_and_keeps_mode(tmp_path: Path) -> None:
    rc = tmp_path / "sub" / ".zshrc"
    w = WriteBlock(str(rc), ("export A=1",), os.getuid(), os.getgid())
    assert w.needed() and w.apply() == ()  # a new file needs no backup
    assert rc.read_text() == f"{BEGIN}\nexport A=1\n{END}\n" and not w.needed()
    os.chmod(rc, 0o600)
    w2 = WriteBlock(str(rc), ("export A=2",), os.getuid(), os.getgid())
    backups = w2.apply()
    assert len(backups) == 1 and os.stat(rc).st_mode & 0o777 == 0o600
    assert "export A=2" in rc.read_text() and "export A=1" not in rc.read_text()


def test_env_block_effect() -> None:
    b = EnvBlock(unset=(("GOROOT", "x"),), prepend=(("/go/bin", "y"),), append=(("/h/go/bin", "z"),))
    env = b.apply_to({"PATH": "/usr/bin:/go/bin", "GOROOT": "/old"})
    assert env == {"PATH": "/usr/bin:/go/bin:/h/go/bin"}
    assert b.apply_to(env) == env


def test_bad_path_values() -> None:
    assert bad_path_value("GOPATH", "/a:/b") is None
    assert "empty" in (bad_path_value("GOPATH", "/a:") or "")
    assert "~" in (bad_path_value("GOBIN", "~/bin") or "")
    assert "quotes" in (bad_path_value("GOCACHE", "'/x'") or "")
    assert "relative" in (bad_path_value("GOMODCACHE", "mod") or "")


def test_parse_shell() -> None:
    assert parse_shell("/usr/bin/zsh").value == "zsh" and parse_shell("-bash").value == "bash"
    assert parse_shell("/bin/dash").value == "sh"
    with pytest.raises(UsageError):
        parse_shell("/usr/bin/nu")
