"""The door to the world: how fact gatherers read files and start programs.

`Facts(options, reader=..., runner=...)` takes both (the real ones below by default), so a test can give
a gatherer a recorded tree (`RecordedReader`, in tests/support) instead of this machine. Every path is
named by a root (`/`, or `--root DIR`) and an absolute path inside it, as `/proc/1/environ` under `/`.
"""

from __future__ import annotations

import os

from gomedic import safeio
from gomedic.typenames import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from gomedic.execx import CmdResult

    Root = str | os.PathLike[str]  # `/`, or `--root DIR`: a str or a Path (no pathlib at start-up)

MAX_TEXT = 1 << 16


def under(root: Root, path: str) -> str:
    """`path` (absolute inside the root) as a path on this machine."""
    return os.path.join(os.fspath(root), path.lstrip("/"))


class Reader(Protocol):
    def read(self, root: Root, path: str, limit: int) -> bytes:
        """At most `limit` bytes of a regular file; OSError (with the reason) when it cannot be read."""

    def text(self, root: Root, path: str, limit: int = MAX_TEXT) -> str | None:
        """The file's text (at most `limit` bytes, bad UTF-8 replaced), or None when it is unreadable."""

    def data(self, root: Root, path: str, limit: int) -> bytes | None:
        """At most `limit` bytes of a regular file, or None when it is unreadable."""

    def listdir(self, root: Root, path: str) -> list[str]:
        """The names in a directory; OSError when it cannot be listed."""

    def stat(self, root: Root, path: str) -> os.stat_result:
        """stat(2), following symlinks; OSError when it fails."""

    def lstat(self, root: Root, path: str) -> os.stat_result:
        """lstat(2): a symlink itself; OSError when it fails."""

    def realpath(self, root: Root, path: str) -> str:
        """The path on this machine with every symlink resolved (os.path.realpath)."""

    def readlink(self, root: Root, path: str) -> str:
        """A symlink's target; OSError when it is not one or cannot be read."""

    def exists(self, root: Root, path: str) -> bool:
        """Whether the path exists (a symlink: whether its target does)."""

    def is_executable(self, root: Root, path: str) -> bool:
        """A regular file this process may execute (access(2) X_OK)."""

    def xattr(self, root: Root, path: str, name: str) -> bytes | None:
        """The extended attribute `name` of the file, or None when it has none."""


class Runner(Protocol):
    def __call__(self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
                 cwd: str | os.PathLike[str] | None = None, input: bytes | None = None,
                 search_path: str | None = None) -> CmdResult:
        """Run argv to completion (execx.run's contract)."""


class HostReader:
    """This machine's files, opened through safeio (regular files only, never blocking, bounded)."""

    def text(self, root: Root, path: str, limit: int = MAX_TEXT) -> str | None:
        data = self.data(root, path, limit)
        return None if data is None else data.decode("utf-8", "replace")

    def read(self, root: Root, path: str, limit: int) -> bytes:
        with safeio.open_binary(under(root, path)) as fh:
            return fh.read(limit)

    def data(self, root: Root, path: str, limit: int) -> bytes | None:
        try:
            return self.read(root, path, limit)
        except (OSError, ValueError):
            return None

    def listdir(self, root: Root, path: str) -> list[str]:
        return os.listdir(under(root, path))

    def stat(self, root: Root, path: str) -> os.stat_result:
        return os.stat(under(root, path))

    def lstat(self, root: Root, path: str) -> os.stat_result:
        return os.lstat(under(root, path))

    def realpath(self, root: Root, path: str) -> str:
        return os.path.realpath(under(root, path))

    def readlink(self, root: Root, path: str) -> str:
        return os.readlink(under(root, path))

    def exists(self, root: Root, path: str) -> bool:
        return os.path.exists(under(root, path))

    def is_executable(self, root: Root, path: str) -> bool:
        p = under(root, path)
        try:
            return os.path.isfile(p) and os.access(p, os.X_OK)
        except OSError:
            return False

    def xattr(self, root: Root, path: str, name: str) -> bytes | None:
        try:
            return os.getxattr(under(root, path), name)
        except OSError:
            return None


HOST_READER = HostReader()


def host_runner(argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
                cwd: str | os.PathLike[str] | None = None, input: bytes | None = None,
                search_path: str | None = None) -> CmdResult:
    """execx.run, imported when a gatherer first starts a program (not at start-up)."""
    from gomedic import execx

    return execx.run(argv, timeout=timeout, env=env, cwd=cwd, input=input, search_path=search_path)
