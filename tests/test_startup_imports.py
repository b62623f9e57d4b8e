"""What `gomedic check` imports: modules that cost start-up time and that no default run needs stay out
(CONTRIBUTING.md, "Values and start-up time"; bench/README.md has what each one cost). Not a timing test:
it asserts which modules are loaded, which does not depend on the machine."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.cli import gomedic_env
from tests.support.goenv import GoEnv

# Run as the program runs it (cli.main with no argv), in a healthy environment, on an interpreter without
# `site` (-S: a .pth file of the test machine may import anything first); the modules gomedic loaded are
# listed when the report is written (cli._exit_at_once), and the report must still be complete.
PROGRAM = """
import json, os, sys
before = set(sys.modules)
import gomedic.cli as cli
end = cli._exit_at_once
def at_end(code):
    with open(os.environ["GOMEDIC_TEST_MODULES"], "w") as fh:
        json.dump(sorted(set(sys.modules) - before), fh)
    end(code)
cli._exit_at_once = at_end
sys.argv = ["gomedic", "check", "--format", "json"]
sys.exit(cli.main())
"""

NOT_ON_THE_PATH = ("typing", "pathlib", "urllib.parse", "ipaddress", "hashlib", "shutil", "ctypes", "logging",
                   "inspect", "dataclasses", "gomedic.binfmt.macho", "gomedic.binfmt.pe", "yaml", "rich", "importlib")


def test_check_imports_nothing_it_does_not_need(goenv: GoEnv) -> None:
    out = goenv.root / "modules.json"
    env = gomedic_env({**goenv.env, "GOMEDIC_TEST_MODULES": str(out)})
    p = subprocess.run([sys.executable, "-S", "-c", PROGRAM], env=env, cwd=goenv.root, capture_output=True, text=True,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    assert {r["id"] for r in json.loads(p.stdout)["results"]} >= {
        "toolchain.go-on-path",
        "goenv.file",
        "layers.conflict",
    }
    loaded = set(json.loads(out.read_text()))
    assert sorted(loaded & set(NOT_ON_THE_PATH)) == []
