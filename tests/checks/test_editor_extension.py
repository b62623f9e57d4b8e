"""editor.go-extension: the installed Go extension's version (a real package.json in a real home) against the
real go on PATH: Debian's go1.19 and the newest release, judged by vscode-go's compatibility table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gomedic.facts.vscodego import compat, ext_tuple
from tests.support.goenv import GoEnv, make_env


def _extension(env: GoEnv, version: str) -> Path:
    p = env.home / ".vscode" / "extensions" / f"golang.go-{version}" / "package.json"
    p.parent.mkdir(parents=True)
    p.write_text(json.dumps({"name": "go", "publisher": "golang", "version": version}))
    return p


def test_table_rows_and_versions() -> None:
    t = compat()
    assert t.last_for("go1.18.10") == "0.41.3" and t.last_for("go1.19.8") == "0.42.1"
    assert t.last_for("go1.21.13") is None and t.oldest == "go1.16"
    assert "golang/vscode-go" in t.source
    assert ext_tuple("0.47.0-rc.1") == (0, 47, 0) and ext_tuple("0.46.1") > ext_tuple("0.42.1")


def test_newer_extension_on_debian_go119_warns(tmp_path: Path) -> None:
    env = make_env(tmp_path, "1.19-debian")
    pj = _extension(env, "0.46.1")
    r = env.check("--area", "editor").result("editor.go-extension")
    assert r["status"] == "warn" and "0.46.1 is newer than 0.42.1, the last version known to work with go1.19" \
        in r["summary"]
    assert r["fix"].endswith("code --install-extension golang.go@0.42.1")
    assert r["evidence"]["file"] == str(pj) and r["evidence"]["go"].startswith("go1.19")


def test_last_compatible_extension_on_go119_is_ok(tmp_path: Path) -> None:
    env = make_env(tmp_path, "1.19-debian")
    _extension(env, "0.42.1")
    assert env.check("--area", "editor").result("editor.go-extension")["status"] == "ok"


@pytest.mark.parametrize("installed", [[], ["0.44.0", "0.46.1"]])
def test_newest_go_and_no_extension(goenv: GoEnv, installed: list[str]) -> None:
    for v in installed:
        _extension(goenv, v)
    r = goenv.check("--area", "editor").result("editor.go-extension")
    if installed:  # the newest installed version is the one judged
        assert r["status"] == "ok" and r["summary"] == "the Go extension 0.46.1 supports go1.27.3"
    else:
        assert r["status"] == "skip"
