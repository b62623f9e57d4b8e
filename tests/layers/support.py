"""Running real shells (and the real go inside them) against a built HOME, and gomedic's prediction."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.goenv import GoEnv

KEYS = ("GOFLAGS", "GOOS", "GOPRIVATE", "GOPROXY", "GONOSUMDB", "GOINSECURE", "GOEXPERIMENT", "GOTOOLCHAIN")


def write(p: Path, text: str) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def real_go_env(goenv: GoEnv, argv: list[str], cwd: Path | None = None, keys: tuple[str, ...] = KEYS) -> dict[str, str]:
    """What `go env` says inside a real shell started as argv + [command]: the value that really wins."""
    # the go by absolute path: a login shell's /etc/profile resets PATH (Debian), and the value is what matters
    cmd = f"{goenv.goroot}/bin/go env -json " + " ".join(keys)
    p = subprocess.run(
        [*argv, cmd] if argv else cmd.split(),
        env=goenv.env,
        cwd=cwd or goenv.root,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert p.returncode == 0, (argv, p.stdout, p.stderr)
    start = p.stdout.index("{")
    got: dict[str, str] = json.loads(p.stdout[start:])
    return got


def real_which_go(goenv: GoEnv, argv: list[str]) -> str:
    p = subprocess.run([*argv, "command -v go || echo none"], env=goenv.env, cwd=goenv.root, capture_output=True,
                       text=True, timeout=60, stdin=subprocess.DEVNULL)
    return p.stdout.strip().splitlines()[-1]


def predicted(goenv: GoEnv, cwd: Path | None = None) -> dict[str, Any]:
    run = goenv.gomedic("layers", "--format", "json", cwd=cwd)
    assert run.returncode == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    return doc


def wins(doc: dict[str, Any], context: str, key: str) -> str | None:
    var = doc["variables"].get(key)
    if var is None:
        return None
    value: str | None = var["wins"][context]["value"]
    return value


def agree(doc: dict[str, Any], context: str, real: dict[str, str], goenv: GoEnv) -> None:
    """gomedic's winner equals go's value for every key; where gomedic finds no layer (None), go must show
    its own default: what the same go reports without any shell (`go env` run directly)."""
    defaults = real_go_env(goenv, [], keys=tuple(real))
    for key, value in real.items():
        if key == "GONOSUMDB" and wins(doc, context, key) is None and value == real.get("GOPRIVATE"):
            continue  # go's derived default (GONOSUMDB defaults to GOPRIVATE), not a layer
        expect = wins(doc, context, key)
        assert (expect if expect is not None else defaults[key]) == value, \
            (context, key, value, doc["variables"].get(key))
