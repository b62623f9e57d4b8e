"""What a binary is judged against: a Target (the machine it will run on) and the loader layouts."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from gomedic.targets.rootfs import RootFS
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any


class Libc(str, Enum):
    GLIBC = "glibc"
    MUSL = "musl"
    NONE = "none"  # no C library at all (scratch, distroless/static)


# GOARCH -> glibc loader (PT_INTERP), musl's arch name, Debian multiarch triplet
GLIBC_LOADERS: dict[str, str] = {
    "amd64": "/lib64/ld-linux-x86-64.so.2",
    "386": "/lib/ld-linux.so.2",
    "arm64": "/lib/ld-linux-aarch64.so.1",
    "arm": "/lib/ld-linux-armhf.so.3",
    "ppc64le": "/lib64/ld64.so.2",
    "ppc64": "/lib64/ld64.so.1",
    "s390x": "/lib/ld64.so.1",
    "riscv64": "/lib/ld-linux-riscv64-lp64d.so.1",
    "loong64": "/lib64/ld-linux-loongarch-lp64d.so.1",
    "mips64le": "/lib64/ld.so.1",
}
MUSL_ARCH: dict[str, str] = {
    "amd64": "x86_64",
    "386": "i386",
    "arm64": "aarch64",
    "arm": "armhf",
    "ppc64le": "powerpc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loong64": "loongarch64",
    "mips64le": "mips64el",
}
TRIPLETS: dict[str, str] = {
    "amd64": "x86_64-linux-gnu",
    "386": "i386-linux-gnu",
    "arm64": "aarch64-linux-gnu",
    "arm": "arm-linux-gnueabihf",
    "ppc64le": "powerpc64le-linux-gnu",
    "s390x": "s390x-linux-gnu",
    "riscv64": "riscv64-linux-gnu",
    "mips64le": "mips64el-linux-gnuabi64",
    "loong64": "loongarch64-linux-gnu",
}
BITS: dict[str, int] = {"386": 32, "arm": 32, "mips": 32, "mipsle": 32}
LAYOUTS = ("debian", "rhel", "alpine", "distroless")


def musl_loader(goarch: str) -> str:
    return f"/lib/ld-musl-{MUSL_ARCH.get(goarch, goarch)}.so.1"


def lib_dirs(layout: str, goarch: str) -> tuple[str, ...]:
    """Where the loader looks by default on this layout (ld.so.conf included for Debian multiarch)."""
    if layout == "alpine":
        return ("/lib", "/usr/local/lib", "/usr/lib")
    if layout == "rhel":
        return ("/lib64", "/usr/lib64") if BITS.get(goarch, 64) == 64 else ("/lib", "/usr/lib")
    trip = TRIPLETS.get(goarch, goarch)
    return (f"/lib/{trip}", f"/usr/lib/{trip}", "/lib", "/usr/lib")


def parse_version(text: str, parts: int = 3) -> tuple[int, ...] | None:
    """`4.18.0-553.el8.x86_64` -> (4, 18, 0); `2.36` -> (2, 36, 0); None when it does not start with a number."""
    nums: list[int] = []
    for piece in text.strip().split("."):
        digits = ""
        for c in piece:
            if not c.isdigit():
                break
            digits += c
        if not digits:
            break
        nums.append(int(digits))
        if len(digits) != len(piece) or len(nums) == parts:
            break
    if not nums:
        return None
    return tuple(nums + [0] * (parts - len(nums)))


def vstr(v: tuple[int, ...] | None) -> str:
    if v is None:
        return "unknown"
    while len(v) > 2 and v[-1] == 0:
        v = v[:-1]
    return ".".join(map(str, v))


@frozen
class Target:
    """The machine a binary is judged against. `*_source` says where each value came from."""

    name: str
    description: str
    goarch: str
    libc: Libc
    libc_version: tuple[int, ...] | None
    kernel: tuple[int, ...] | None
    cpu_level: int | None  # x86-64 level (1-4) for amd64 targets
    fs: RootFS
    layout: str = "debian"
    goos: str = "linux"
    cpu_flags: frozenset[str] | None = None  # the real CPU's flags (host targets only)
    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    emulated: frozenset[str] = frozenset()  # GOARCHes binfmt_misc runs through an emulator
    is_host: bool = False
    macos_version: tuple[int, ...] | None = None  # macOS targets: the ProductVersion (13, 0, 0)

    def source(self, key: str) -> str:
        return self.sources.get(key, "profile")

    @property
    def lib_dirs(self) -> tuple[str, ...]:
        return lib_dirs(self.layout, self.goarch)

    @property
    def libc_label(self) -> str:
        if self.libc is Libc.NONE:
            return "no C library"
        return f"{self.libc.value} {vstr(self.libc_version)}" if self.libc_version else self.libc.value

    def as_context(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "os": self.goos,
            "arch": self.goarch,
            "libc": self.libc_label,
            "kernel": vstr(self.kernel) if self.kernel else None,
            "cpu": f"x86-64-v{self.cpu_level}" if self.cpu_level else None,
            "root": self.fs.description,
            **({"macos": vstr(self.macos_version)} if self.macos_version else {}),
        }
