"""The system's programs without its Go: what tests put on PATH instead of /usr/bin:/bin.

A machine with Debian's `golang-go` has /usr/bin/go (-> ../lib/go-1.19/bin/go); a test that builds PATH
from /usr/bin would then see a Go it did not choose. `tools_dir()` is a directory of symlinks to every
program in the system directories (sh, env, gcc, cc, ld, as, ar, git, setpriv, id, python3, ...) except
Go toolchains (go, gofmt, golang.org/dl's go1.N wrappers). It is built once per distinct set of programs,
in the test cache, atomically, so parallel workers share it; tests pass `[tools_dir()]` where they
used to pass the system directories.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from tests.support.toolchains import cache_dir

SYSTEM_DIRS = ("/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin")
_GO_NAMES = re.compile(r"^(go|gofmt|go1\.[0-9].*)$")


def _programs() -> dict[str, str]:
    """name -> path of the first executable of that name in SYSTEM_DIRS order, Go toolchains left out."""
    out: dict[str, str] = {}
    for d in SYSTEM_DIRS:
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for name in names:
            p = os.path.join(d, name)
            if name in out or _GO_NAMES.match(name) or not os.access(p, os.X_OK) or os.path.isdir(p):
                continue
            out[name] = p
    return out


@lru_cache(maxsize=1)
def tools_dir() -> Path:
    progs = _programs()
    key = hashlib.sha256("\n".join(f"{k}={v}" for k, v in sorted(progs.items())).encode()).hexdigest()[:16]
    dest = cache_dir() / f"systools-{key}"
    if dest.is_dir():
        return dest
    tmp = Path(tempfile.mkdtemp(prefix=".systools-", dir=cache_dir()))
    for name, path in progs.items():
        os.symlink(path, tmp / name)
    os.chmod(tmp, 0o755)  # the unprivileged users of permission tests run with this PATH too
    try:
        os.rename(tmp, dest)
    except OSError:  # another worker made it first
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def system_path(*first: str | os.PathLike[str]) -> str:
    """A PATH of `first` then the system's programs (no Go)."""
    return os.pathsep.join([*(os.fspath(d) for d in first), str(tools_dir())])
