"""`gomedic report`: the bug-report document's parsers (pure, property-tested) and its content."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.commands.report import container_kind, cpu_level, parse_os_release
from gomedic.facts.cpu import parse_cpuinfo
from tests.support.cli import validate_report
from tests.support.goenv import GoEnv

CPUINFO = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) CPU @ 2.20GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch invpcid_single ssbd ibrs ibpb stibp fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm rdseed adx smap xsaveopt arat md_clear arch_capabilities

processor\t: 1
model name\t: other
"""  # noqa: E501 (a verbatim /proc/cpuinfo line)


def test_cpu_level() -> None:
    """The report names the level the CPU fact computes (one table: facts/cpu.py, GOAMD64's own flags)."""
    cpu = parse_cpuinfo(CPUINFO)
    assert cpu.model == "Intel(R) Xeon(R) CPU @ 2.20GHz"
    assert cpu_level(cpu) == "v3"
    assert cpu_level(parse_cpuinfo(CPUINFO.replace(" movbe", ""))) == "v2"
    assert cpu_level(parse_cpuinfo("flags\t: lm sse2\n")) == "below v1 (no 64-bit Go can run)"
    assert cpu_level(parse_cpuinfo("Features\t: fp asimd aes\n")) is None  # arm64: no x86-64 level


def test_os_release_and_container() -> None:
    assert parse_os_release('NAME="Alpine Linux"\nVERSION_ID=3.20.1\n') == "Alpine Linux 3.20.1"
    assert parse_os_release('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n') == "Debian GNU/Linux 12 (bookworm)"
    assert container_kind("0::/kubepods/burstable/pod1", False, False, "") == "kubepods"
    assert container_kind("0::/", False, True, "") == "podman"
    assert container_kind("0::/", False, False, "") == "none detected"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_parsers_never_crash(text: str) -> None:
    cpu = parse_cpuinfo(text)
    assert "\n" not in cpu.model and all(f.strip() == f and f for f in cpu.flags)
    assert cpu_level(cpu) in (None, "v1", "v2", "v3", "v4", "below v1 (no 64-bit Go can run)")
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
