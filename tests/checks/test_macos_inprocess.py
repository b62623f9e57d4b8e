"""macos.* in-process, the paths tests/macos/test_macos.py leaves out: a go command gomedic cannot read (a
version-manager shim) and the whole area through the runner, over the recorded Macs (tests/macos/recordings)."""

from __future__ import annotations

from pathlib import Path

from gomedic.checks.macos import go_release, rosetta
from gomedic.facts.go import GO_CMD, GO_ENV_PROBE, GoEnvProbe
from gomedic.facts.macos import MACOS
from gomedic.facts.pathscan import inspect_go
from gomedic.model import Status
from tests.macos.test_macos import darwin_go, recording
from tests.support.seeded import facts, one, run_area


def test_a_shim_go_cannot_be_judged_and_says_so(tmp_path: Path) -> None:
    shim = tmp_path / "bin" / "go"
    shim.parent.mkdir()
    shim.write_text("#!/bin/sh\nexec /opt/homebrew/bin/go \"$@\"\n")
    shim.chmod(0o755)
    f = facts({"HOME": "/Users/ana", "PATH": str(shim.parent)})
    f.seed(MACOS, recording("macos-14.4.1-arm64-clt"))
    f.seed(GO_CMD, inspect_go(str(shim)))
    f.seed(GO_ENV_PROBE, GoEnvProbe(str(shim), None, "`go env -json` exited 127: /opt/homebrew/bin/go: not found"))
    r = one(rosetta(f))
    assert r.status is Status.SKIP and r.summary == f"cannot read the architecture of {shim}"
    assert r.evidence["hw.optional.arm64"] == "1"
    assert one(go_release(f)).summary == "the go version is unknown"


def test_the_area_through_the_runner_on_an_intel_mac_with_a_too_new_go(tmp_path: Path) -> None:
    f = facts({"HOME": "/Users/ana", "PATH": "/nonexistent", "CGO_ENABLED": "0"})
    f.seed(MACOS, recording("macos-12.7.6-x86_64"))
    f.seed(GO_CMD, inspect_go(str(darwin_go(tmp_path, "1.27.3", "amd64"))))
    f.seed(GO_ENV_PROBE, GoEnvProbe("/usr/local/go/bin/go", None, "not run on this machine"))
    got = {cid: [(r.status, r.summary) for r in rs] for cid, rs in run_area("macos", f).items()}
    assert [s for s, _ in got["macos.rosetta"]] == [Status.OK]
    assert got["macos.clt"] == [(Status.OK, "CGO_ENABLED=0: builds do not need the Command Line Tools")]
    assert got["macos.go-release"][0][0] is Status.FAIL
    assert "go1.27.3 requires macOS 13 Ventura or later; this Mac runs macOS 12.7.6" in got["macos.go-release"][0][1]
