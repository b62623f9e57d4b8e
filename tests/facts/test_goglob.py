"""Module path globs (GOPRIVATE & co), cross-checked against Go's own path.Match in a real Go program."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.facts.goglob import match_prefix_patterns, path_match
from tests.support.gomodules import write_module
from tests.support.systools import system_path
from tests.support.toolchains import cache_dir, go

CASES = [
    ("*", "github.com"), ("*", "a/b"), ("github.com", "github.com"), ("*.corp.example", "git.corp.example"),
    ("git.corp.*", "git.corp.example"), ("a?c", "abc"), ("a?c", "a/c"), ("[a-c]x", "bx"), ("[^a-c]x", "bx"),
    ("[!a]x", "bx"), ("a\\*b", "a*b"), ("a\\*b", "axb"), ("[", "["), ("a[", "a"), ("*[", "x"), ("\\", "\\"),
    ("[]a]", "]"), ("[a-]", "a"), ("*x", "xxx"), ("a*b*c", "abxbc"), ("github.com/*", "github.com/x"),
    ("*/*", "a/b"), ("", ""), ("[\\]]", "]"), ("[x-\\]]", "y"),
]

GO_MAIN = """package main

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"strings"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		pattern, name, _ := strings.Cut(sc.Text(), "\\t")
		m, _ := path.Match(pattern, name)
		fmt.Println(m)
	}
}
"""


@pytest.fixture(scope="module")
def go_match(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = write_module(tmp_path_factory.mktemp("gomatch"), "example.com/gomatch", "1.22", {"main.go": GO_MAIN})
    exe = d / "gomatch"
    env = {"HOME": str(d), "PATH": system_path(), "GOCACHE": str(cache_dir() / "gocache" / "1.27.3"),
           "GOTOOLCHAIN": "local", "GOPROXY": "off", "CGO_ENABLED": "0"}
    subprocess.run([str(go()), "build", "-o", str(exe), "."], cwd=d, env=env, check=True, timeout=600)
    return exe


def _go(exe: Path, cases: list[tuple[str, str]]) -> list[bool]:
    text = "".join(f"{p}\t{s}\n" for p, s in cases)
    p = subprocess.run([str(exe)], input=text, capture_output=True, text=True, check=True, timeout=60)
    return [line == "true" for line in p.stdout.splitlines()]


@pytest.mark.slow
def test_path_match_agrees_with_go(go_match: Path) -> None:
    assert [path_match(p, s) for p, s in CASES] == _go(go_match, CASES)


@pytest.mark.slow
@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="ab*?[]^!-\\/", max_size=6), st.text(alphabet="ab/-]\\", max_size=6)),
                min_size=1, max_size=40))
def test_path_match_agrees_with_go_on_random_globs(go_match: Path, cases: list[tuple[str, str]]) -> None:
    assert [path_match(p, s) for p, s in cases] == _go(go_match, cases)


def test_prefix_patterns_as_cmd_go() -> None:
    assert match_prefix_patterns("*.corp.example", "git.corp.example/team/lib")
    assert match_prefix_patterns("github.com/mycorp", "github.com/mycorp/tool/v2")
    assert not match_prefix_patterns("github.com/mycorp", "github.com/other/tool")
    assert match_prefix_patterns("x.io,,github.com/mycorp/", "github.com/mycorp/a")
    assert not match_prefix_patterns("a/b/c", "a/b")  # not enough path elements
    assert match_prefix_patterns("*", "golang.org/x/text")
    assert not match_prefix_patterns("", "golang.org/x/text")
