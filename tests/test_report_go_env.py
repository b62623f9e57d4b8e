"""`gomedic report` lists the `go env` keys the release in use has, with empty values shown as empty.

Ground truth is the release's own `go env` (no arguments: every key it knows), run for each toolchain.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gomedic.facts.go import ENV_KEYS
from tests.support.goenv import make_env
from tests.support.toolchains import MATRIX, VERSIONS

RELEASES = tuple(dict.fromkeys((*MATRIX, *VERSIONS)))


@pytest.mark.parametrize("version", RELEASES)
def test_go_env_keys_are_the_releases_own(tmp_path: Path, version: str) -> None:
    env = make_env(tmp_path, version)
    env.env["GOCACHE"] = str(tmp_path / "gocache")  # `go env` with no key computes GOGCCFLAGS
    own = {line.split("=", 1)[0] for line in env.go("env").stdout.splitlines() if "=" in line}
    md = env.gomedic("report", "--area", "toolchain").stdout
    block = md.split("<summary><code>go env</code></summary>", 1)[1].split("</details>", 1)[0]
    shown = dict(re.findall(r"(?m)^([A-Z0-9_]+)=(.*)$", block))
    assert set(shown) == own & set(ENV_KEYS), (sorted(set(shown) ^ (own & set(ENV_KEYS))), env.version)
    assert ("GOTOOLCHAIN" in shown) == (env.minor >= 21)
    empty = [k for k in shown if not env.go("env", k).stdout.strip()]
    assert empty and all(shown[k] == "" for k in empty), {k: shown[k] for k in empty}  # KEY=, never KEY=***
    if "GOAUTH" in empty:
        assert "GOAUTH=\n" in block
    doc = json.loads(env.gomedic("report", "--format", "json", "--area", "toolchain").stdout)
    assert set(doc["context"]["go_env"]) == set(shown)
