"""`gomedic report`: the bug-report document's parsers (pure, property-tested) and its content."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.commands.report import container_kind, parse_cpuinfo, parse_os_release, x86_level
from tests.support.cli import validate_report
from tests.support.goenv import GoEnv

CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
flags\t\t: fpu sse2 lm cx16 lahf_lm popcnt sse4_1 sse4_2 ssse3 avx avx2 bmi1 bmi2 f16c fma abm movbe xsave

processor\t: 1
model name\t: other
"""


def test_cpu_level() -> None:
    model, flags = parse_cpuinfo(CPUINFO)
    assert model == "Intel(R) Xeon(R) CPU @ 2.20GHz"
    assert x86_level(flags) == "v3"
    assert x86_level(flags - {"movbe"}) == "v2"
    assert x86_level(frozenset({"lm", "sse2"})) == "v1"


def test_os_release_and_container() -> None:
    assert parse_os_release('NAME="Alpine Linux"\nVERSION_ID=3.20.1\n') == "Alpine Linux 3.20.1"
    assert parse_os_release('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n') == "Debian GNU/Linux 12 (bookworm)"
    assert container_kind("0::/kubepods/burstable/pod1", False, False, "") == "kubepods"
    assert container_kind("0::/", False, True, "") == "podman"
    assert container_kind("0::/", False, False, "") == "none detected"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_parsers_never_crash(text: str) -> None:
    model, flags = parse_cpuinfo(text)
    assert "\n" not in model and all(f.strip() == f and f for f in flags)
    assert x86_level(flags) in ("v1", "v2", "v3", "v4")
    assert "\n" not in parse_os_release(text)
    assert container_kind(text, False, False, "") in ("kubepods", "docker", "containerd", "lxc", "libpod",
                                                      "none detected")


def test_report_document(goenv: GoEnv) -> None:
    goenv.write_goenv("GOFOO=1\n")  # a failing result with evidence
    run = goenv.gomedic("report", "--area", "toolchain", "--area", "goenv")
    assert run.returncode == 0, run.stderr
    md = run.stdout
    for heading in ("# Go environment report", "## Go", "## System", "## Problems found by gomedic"):
        assert heading in md
    assert "`go version`: `go1.27.3`" in md and "GOVERSION='go1.27.3'" in md
    assert "| Kernel |" in md and "| libc |" in md and "| Container |" in md and "| WSL |" in md
    assert "### FAIL `goenv.file`" in md and "unknown go command variable GOFOO" in md
    assert "GOTOOLCHAIN='auto'" in md  # the user's setting, not the probe's `local`
    out = goenv.root / "bug.md"
    assert goenv.gomedic("report", "--area", "toolchain", "-o", str(out)).returncode == 0
    assert out.read_text().startswith("# Go environment report")
    doc = validate_report(json.loads(goenv.gomedic("report", "--format", "json", "--area", "toolchain").stdout))
    assert doc["command"] == "report" and doc["context"]["go_env"]["GOVERSION"] == "go1.27.3"
    assert {"os", "cpu", "container", "wsl"} <= set(doc["context"]["system"])
