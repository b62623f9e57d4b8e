"""The CPU's features from /proc/cpuinfo: the x86-64 micro-architecture level and ARM features.

`parse_cpuinfo(text)` is pure; the `CPU` fact reads /proc/cpuinfo once per run. Levels use the flag names
Linux prints for the bits Go's runtime tests at startup (runtime/asm_amd64.s): SSE3 is `pni`, LZCNT is
`abm`, and OSXSAVE shows as `xsave`.
"""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.values import frozen

X86_LEVELS: tuple[tuple[int, frozenset[str]], ...] = (
    (1, frozenset({"lm", "cmov", "cx8", "fpu", "fxsr", "mmx", "syscall", "sse", "sse2"})),
    (2, frozenset({"cx16", "lahf_lm", "popcnt", "pni", "sse4_1", "sse4_2", "ssse3"})),
    (3, frozenset({"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "abm", "movbe", "xsave"})),
    (4, frozenset({"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"})),
)
MAX_CPUINFO = 4 << 20


@frozen
class CpuInfo:
    flags: frozenset[str]  # x86 `flags`, or ARM `Features` (the first processor's)
    model: str
    x86_64_level: int | None  # 1-4, or None when these are not x86-64 flags (0 if not even v1)

    def missing_for(self, level: int) -> list[str]:
        """The /proc/cpuinfo flags an x86-64 level needs that this CPU lacks."""
        need: set[str] = set()
        for lv, flags in X86_LEVELS:
            if lv <= level:
                need |= flags
        return sorted(need - self.flags)

    def has(self, *features: str) -> bool:
        return all(f in self.flags for f in features)


def x86_64_level(flags: frozenset[str]) -> int:
    level = 0
    for lv, need in X86_LEVELS:
        if not need <= flags:
            break
        level = lv
    return level


def parse_cpuinfo(text: str) -> CpuInfo:
    """Features of the first processor block. Unknown lines are ignored; an empty text gives no flags."""
    flags: frozenset[str] | None = None
    features: frozenset[str] | None = None
    model = ""
    for line in text[:MAX_CPUINFO].splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key == "flags" and flags is None:
            flags = frozenset(value.split())
        elif key == "features" and features is None:
            features = frozenset(value.split())
        elif key in ("model name", "cpu model", "cpu", "uarch") and not model:
            model = value.strip()
    if flags is not None:
        return CpuInfo(flags, model, x86_64_level(flags) if "lm" in flags else 0)
    return CpuInfo(features or frozenset(), model, None)


@fact("host.cpu")
def CPU(f: Facts) -> CpuInfo:
    path = f.options.subject.cpuinfo or "/proc/cpuinfo"
    try:
        root = "/" if path.startswith("/") else f.cwd  # a relative path: as given, from the cwd
        return parse_cpuinfo(f.reader.read(root, path, MAX_CPUINFO).decode("utf-8", "replace"))
    except OSError as e:
        raise FactUnavailable(f"cannot read {path}: {e.strerror or e}") from None
