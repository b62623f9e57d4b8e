"""The GOENV file parser and the `go env -w` rules, checked against what the real go command does."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gomedic.facts.envfile import entry_problems, parse, split_quoted
from tests.support.goenv import GoEnv


def test_parse_like_cmd_go() -> None:
    text = "# comment\nGOPROXY=a\n\nlower=x\nNOEQUALS\nGOPROXY=b\nGOFLAGS=-x=1 =2\n"
    f = parse(text)
    assert f.values() == {"GOPROXY": "b", "GOFLAGS": "-x=1 =2"}  # the last duplicate wins
    assert f.last("GOPROXY").line == 6  # type: ignore[union-attr]
    assert [n for n, _ in f.ignored] == [4, 5]


@given(st.text(max_size=2000))
def test_parse_never_raises(text: str) -> None:
    f = parse(text)
    assert all(e.key and "A" <= e.key[0] <= "Z" and "\n" not in e.value for e in f.entries)


@given(st.text(max_size=300))
def test_split_quoted_never_raises_unexpectedly(text: str) -> None:
    try:
        parts = split_quoted(text)
    except ValueError:
        return
    assert all(p == p for p in parts)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("GOROOT", "/opt/go", "GOROOT cannot be modified"),
        ("GOENV", "/x", "GOENV can only be set using the OS environment"),
        ("GOFOO", "1", "unknown go command variable GOFOO"),
        ("GO111MODULE", "yes", "invalid GO111MODULE value \"yes\""),
        ("GOPATH", "~/go", "GOPATH entry cannot start with shell metacharacter '~': \"~/go\""),
        ("GOPATH", "go", "GOPATH entry is relative; must be absolute path: \"go\""),
        ("GOMODCACHE", "mod", "GOMODCACHE entry is relative; must be absolute path: \"mod\""),
        ("CC", "bin/gcc", "CC entry is relative; must be absolute path: \"bin/gcc\""),
        ("CC", "gcc", None),
        ("GOPROXY", "https://proxy.golang.org,direct", None),
    ],
)
def test_rules_agree_with_go_env_w(goenv: GoEnv, key: str, value: str, message: str | None) -> None:
    """Ask the real `go env -w` and compare with entry_problems (quotes differ: Go's %q vs Python's repr)."""
    ours = entry_problems(key, value)
    real = subprocess.run([str(goenv.goroot / "bin/go"), "env", "-w", f"{key}={value}"], env=goenv.env,
                          capture_output=True, text=True, timeout=30)
    if message is None:
        assert ours == [] and real.returncode == 0, real.stderr
    else:
        assert real.returncode != 0 and message in real.stderr, real.stderr
        assert [p.replace("'", '"') for p in ours] == [message.replace("'", '"')] or ours == [message]
