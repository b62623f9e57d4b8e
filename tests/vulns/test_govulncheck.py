"""Agreement with Debian's govulncheck (0.0~git20230201) on the same binaries and the same local mirror.

That release reads the older database layout (index.json, <module>.json) and, in binary mode, only binaries
built by Go <= 1.20 with a symbol table: the binaries here are built with Debian's Go 1.19 (golang-1.19-go).
It reports an advisory only when a vulnerable symbol is in the binary, so its list must equal the advisories
binary.vulns fails for (`vulns`), with the same module and found version.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.debgo import Unavailable
from tests.vulns.conftest import Gomedic, ids
from tests.vulns.programs import debian_go, net_app_119, text_app_119

GOVULNCHECK = shutil.which("govulncheck", path="/usr/bin")

pytestmark = pytest.mark.skipif(GOVULNCHECK is None, reason="govulncheck (.ci/apt-packages.txt) is not installed")


@pytest.fixture(scope="module")
def goroot() -> Path:
    try:
        return debian_go()
    except Unavailable as e:
        pytest.skip(f"Debian's Go 1.19 cannot be fetched: {e}")


def govulncheck(exe: Path, mirror: Path, home: Path, goroot: Path) -> dict[str, tuple[str, str]]:
    """id -> (module path, found version) as govulncheck -json reports them (it runs `go env`: Go 1.19)."""
    assert GOVULNCHECK is not None
    env = {"PATH": f"{goroot / 'bin'}:/usr/bin:/bin", "GOROOT": str(goroot), "HOME": str(home), "GOVULNDB": f"file://{mirror}",
           "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOPROXY": "off"}
    p = subprocess.run([GOVULNCHECK, "-json", str(exe)], env=env, capture_output=True, text=True, timeout=300, cwd="/")
    assert p.returncode == 0, p.stderr
    out: dict[str, tuple[str, str]] = {}
    for v in json.loads(p.stdout).get("Vulns") or []:
        m = v["Modules"][0]
        out[v["OSV"]["id"]] = (m["Path"], m["FoundVersion"])
    return out


@pytest.mark.parametrize("build", [lambda: text_app_119("v0.3.6"),
                                   lambda: net_app_119("v0.0.0-20210405180319-a5a99cb37ef4"),
                                   lambda: net_app_119("v0.0.0-20220906165146-f3363e06e74c")],
                         ids=["x-text-v0.3.6", "x-net-2021", "x-net-2022"])
def test_same_findings_as_govulncheck(build: object, gomedic: Gomedic, mirror: Path, home: Path,
                                     goroot: Path) -> None:
    exe = build()  # type: ignore[operator]
    theirs = govulncheck(exe, mirror, home, goroot)
    run = gomedic("binary", "--vulns", "--vulndb", f"file://{mirror}", exe, "--format", "json")
    ev = run.result("binary.vulns", exe)["evidence"]
    assert ids(ev, "vulns") == set(theirs), run.stdout
    assert theirs, "the binary carries known vulnerabilities"
    for vid, (module, found) in theirs.items():
        shown = "go1.19.8" if module == "stdlib" else f"{module} {found}"
        assert ev[vid].startswith(shown), (vid, ev[vid])
