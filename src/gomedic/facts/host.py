"""Basic facts about the machine gomedic runs on: OS, architecture, kernel, libc."""

from __future__ import annotations

import os
import sys

from gomedic.facts import Facts, fact
from gomedic.facts.door import HOST_READER, Reader
from gomedic.values import frozen

# uname -m -> GOARCH
UNAME_TO_GOARCH = {
    "x86_64": "amd64",
    "amd64": "amd64",
    "i386": "386",
    "i486": "386",
    "i586": "386",
    "i686": "386",
    "aarch64": "arm64",
    "arm64": "arm64",
    "armv6l": "arm",
    "armv7l": "arm",
    "armv8l": "arm",
    "ppc64le": "ppc64le",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
    "mips64": "mips64",
    "mips": "mips",
}


@frozen
class HostInfo:
    goos: str
    goarch: str
    machine: str
    kernel: str
    libc: str  # "glibc 2.36", "musl", or "" when unknown

    def as_context(self) -> dict[str, str]:
        return {"os": self.goos, "arch": self.goarch, "kernel": self.kernel, "libc": self.libc}


def goos() -> str:
    p = sys.platform
    if p.startswith("linux"):
        return "linux"
    if p == "darwin":
        return "darwin"
    if p in ("win32", "cygwin"):
        return "windows"
    return p.rstrip("0123456789")


def libc(reader: Reader = HOST_READER) -> str:
    try:
        v = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):
        v = None
    if v:
        return v
    if any(n.startswith("ld-musl-") for n in _listdir(reader, "/lib")):
        return "musl"
    return ""


def _listdir(reader: Reader, path: str) -> list[str]:
    try:
        return reader.listdir("/", path)
    except OSError:
        return []


@fact("host.info")
def HOST(f: Facts) -> HostInfo:
    u = os.uname()  # not platform.uname(): same answer without importing platform at start-up
    return HostInfo(goos(), UNAME_TO_GOARCH.get(u.machine, u.machine), u.machine, u.release, libc(f.reader))
