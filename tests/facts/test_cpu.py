"""parse_cpuinfo on captured /proc/cpuinfo texts (other CPUs cannot exist on this host: captured text)."""

from __future__ import annotations

from pathlib import Path

from gomedic.facts.cpu import parse_cpuinfo

# Captured on an Intel Skylake client (AVX2, no AVX-512), trimmed to one processor.
SKYLAKE = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Core(TM) i7-6700 CPU @ 3.40GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush dts acpi mmx fxsr sse sse2 ss ht tm pbe syscall nx pdpe1gb rdtscp lm constant_tsc pni pclmulqdq dtes64 monitor ds_cpl vmx est tm2 ssse3 sdbg fma cx16 xtpr pdcm pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand lahf_lm abm 3dnowprefetch fsgsbase tsc_adjust bmi1 hle avx2 smep bmi2 erms invpcid rtm mpx rdseed adx smap clflushopt xsaveopt xsavec xgetbv1 xsaves
"""  # noqa: E501 (a verbatim /proc/cpuinfo line)
# An early x86-64 (no SSE3 -> `pni` missing): baseline only.
K8 = ("processor : 0\nmodel name : AMD Athlon(tm) 64 Processor 3200+\nflags : fpu vme de pse tsc msr pae mce cx8 "
      "apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 syscall nx mmxext lm 3dnow\n")
# A Westmere-era server: v2 but no AVX.
WESTMERE = "flags : fpu cx8 cmov mmx fxsr sse sse2 syscall lm pni ssse3 cx16 sse4_1 sse4_2 popcnt lahf_lm\n"
NEOVERSE = ("processor : 0\nBogoMIPS : 50.00\nFeatures : fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp "
            "asimdhp cpuid\nCPU implementer : 0x41\n")
I686 = "flags : fpu vme de pse tsc msr pae mce cx8 cmov mmx fxsr sse sse2\n"


def test_levels() -> None:
    assert parse_cpuinfo(SKYLAKE).x86_64_level == 3
    assert parse_cpuinfo(SKYLAKE).missing_for(4) == ["avx512bw", "avx512cd", "avx512dq", "avx512f", "avx512vl"]
    assert parse_cpuinfo(K8).x86_64_level == 1
    assert parse_cpuinfo(WESTMERE).x86_64_level == 2
    assert parse_cpuinfo(I686).x86_64_level == 0  # a 32-bit CPU: not even x86-64 baseline
    assert "Skylake" not in parse_cpuinfo(SKYLAKE).model and "i7-6700" in parse_cpuinfo(SKYLAKE).model


def test_arm_and_garbage() -> None:
    arm = parse_cpuinfo(NEOVERSE)
    assert arm.x86_64_level is None and arm.has("atomics", "aes")
    assert parse_cpuinfo("").flags == frozenset() and parse_cpuinfo("\0\xff:::\n" * 1000).x86_64_level is None


def test_this_host_parses() -> None:
    info = parse_cpuinfo(Path("/proc/cpuinfo").read_text())
    assert info.flags
