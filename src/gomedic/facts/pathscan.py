"""Where `go` commands are: every one on PATH, in PATH order, and installs in the usual places.

Versions come from each binary's embedded build info (what `go version` prints) and its root's
VERSION file: nothing found here is executed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from gomedic import safeio
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from gomedic.facts.door import Reader


@frozen
class GoInstall:
    path: str  # as found (a PATH entry joined with "go")
    realpath: str
    root: str | None  # the GOROOT this binary belongs to, when it sits in <root>/bin
    version: str | None  # embedded runtime version: what `go version` prints
    goarch: str | None  # from the ELF header
    goos: str | None
    root_version: str | None  # first line of <root>/VERSION

    @property
    def label(self) -> str:
        return f"{self.path} ({self.version or 'unknown version'})"


def path_dirs(env: Mapping[str, str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for d in env.get("PATH", "").split(os.pathsep):
        d = d or "."
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def is_executable_file(p: str) -> bool:
    try:
        return os.path.isfile(p) and os.access(p, os.X_OK)
    except OSError:
        return False


def which(name: str, env: Mapping[str, str], cwd: str | None = None) -> str | None:
    """First executable `name` on the PATH of `env` (an absolute or relative path is taken as is)."""
    if os.sep in name:
        p = name if os.path.isabs(name) or cwd is None else os.path.join(cwd, name)
        return p if is_executable_file(p) else None
    for d in path_dirs(env):
        p = os.path.join(d, name)
        if is_executable_file(p):
            return p
    return None


def first_on_path(reader: Reader, name: str, env: Mapping[str, str], cwd: str) -> str | None:
    """`which` through a reader: the first executable `name` on env's PATH (relative entries from cwd), as
    PATH names it."""
    for d in path_dirs(env):
        p = os.path.join(d, name)
        if reader.is_executable("/", os.path.join(cwd, p)):
            return p
    return None


def which_all(name: str, env: Mapping[str, str]) -> list[str]:
    return [os.path.join(d, name) for d in path_dirs(env) if is_executable_file(os.path.join(d, name))]


def read_version_file(root: str) -> str | None:
    try:
        first = safeio.read_text(os.path.join(root, "VERSION"), 256).split("\n", 1)[0].strip()
    except OSError:
        return None
    return first or None


def _exe_facts(path: str) -> tuple[str | None, str | None, str | None]:
    """(embedded go version, GOARCH, GOOS) of a binary, each None when unreadable."""
    # Imported here: `gomedic check` starts `go env` (which needs only the path) before reading binaries.
    from gomedic.binfmt import buildinfo, elf
    from gomedic.binfmt.source import FileSource
    from gomedic.errors import FormatError

    try:
        with FileSource(path) as src:
            head = src.read(0, min(4, src.size))
            if head != elf.ELF_MAGIC:
                from gomedic.binfmt import macho  # (only here: a go on Linux is ELF)

                if macho.is_macho(head) or macho.is_fat(head):  # a go on macOS: its arch decides Rosetta
                    return buildinfo.go_version_of(path), macho.parse(src).goarch, "darwin"
                return buildinfo.go_version_of(path), None, None
            f = elf.parse(src)
            try:
                vers = buildinfo.read(src).go_version
            except FormatError:
                vers = None
            return vers, f.goarch, "linux"
    except FormatError:
        return None, None, None


def inspect_go(path: str) -> GoInstall:
    real = os.path.realpath(path)
    bindir = os.path.dirname(real)
    root = os.path.dirname(bindir) if os.path.basename(bindir) == "bin" else None
    vers, arch, goos = _exe_facts(real)
    return GoInstall(path, real, root, vers, arch, goos, read_version_file(root) if root else None)


def gos_on_path(env: Mapping[str, str]) -> list[GoInstall]:
    return [inspect_go(p) for p in which_all("go", env)]


USUAL_PLACES = (
    "/usr/local/go/bin/go",
    "/usr/lib/go/bin/go",
    "/usr/lib/golang/bin/go",
    "/usr/lib/go-*/bin/go",
    "/opt/go*/bin/go",
    "/opt/homebrew/bin/go",
    "/snap/go/current/bin/go",
    "~/sdk/go*/bin/go",
    "~/go/bin/go1.*",
    "~/.go/bin/go",
    "~/.local/go/bin/go",
    "~/.goenv/versions/*/bin/go",
    "~/.asdf/installs/golang/*/go/bin/go",
    "~/.local/share/mise/installs/go/*/bin/go",
    "~/.gvm/gos/*/bin/go",
)


def usual_installs(env: Mapping[str, str]) -> list[str]:
    """Go commands in the places installers and version managers put them (not necessarily on PATH)."""
    home = env.get("HOME", "")
    found: list[str] = []
    for pattern in USUAL_PLACES:
        if pattern.startswith("~"):
            if not home:
                continue
            pattern = home + pattern[1:]
        import glob  # only when no go is on PATH

        for p in sorted(glob.glob(pattern)):
            if is_executable_file(p) and p not in found:
                found.append(p)
    return found
