"""A recorded tree for in-process check tests: `Facts(options, reader=RecordedReader({...}))`.

Files are given by absolute path (text or bytes); directories are implied by the files under them.
Nothing on this machine is read: a gatherer that reads through `facts.reader` sees only the tree.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gomedic.facts import Facts, Options
from gomedic.facts.door import MAX_TEXT, under
from gomedic.model import Result
from gomedic.subject import Subject

if TYPE_CHECKING:
    from gomedic.execx import CmdResult


def _missing(path: str) -> OSError:
    return FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)


class RecordedReader:
    def __init__(self, files: Mapping[str, str | bytes], *, executables: Iterable[str] = (),
                 links: Mapping[str, str] | None = None, xattrs: Mapping[tuple[str, str], bytes] | None = None,
                 unreadable: Iterable[str] = ()) -> None:
        self.files = {os.path.normpath(k): v.encode() if isinstance(v, str) else v for k, v in files.items()}
        self.executables = {os.path.normpath(p) for p in executables}
        self.files.update({p: self.files.get(p, b"\x7fELF") for p in self.executables})
        self.links = {os.path.normpath(k): v for k, v in (links or {}).items()}  # symlink -> its target
        self.xattrs = dict(xattrs or {})
        self.unreadable = {os.path.normpath(p) for p in unreadable}  # exist, but EACCES when read
        self.read_paths: list[str] = []

    def _key(self, root: Path, path: str) -> str:
        return os.path.normpath(str(under(root, path)))

    def _resolve(self, key: str) -> str:
        for _ in range(40):
            if key not in self.links:
                return key
            key = os.path.normpath(os.path.join(os.path.dirname(key), self.links[key]))
        return key

    def _is_dir(self, key: str) -> bool:
        prefix = key.rstrip("/") + "/"
        return key == "/" or any(p.startswith(prefix) for p in self.files)

    def read(self, root: Path, path: str, limit: int) -> bytes:
        key = self._resolve(self._key(root, path))
        self.read_paths.append(key)
        if key in self.unreadable:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), key)
        if key not in self.files:
            if self._is_dir(key):
                raise IsADirectoryError(errno.EISDIR, "is a directory, not a regular file", key)
            raise _missing(key)
        return self.files[key][:limit]

    def text(self, root: Path, path: str, limit: int = MAX_TEXT) -> str | None:
        data = self.data(root, path, limit)
        return None if data is None else data.decode("utf-8", "replace")

    def data(self, root: Path, path: str, limit: int) -> bytes | None:
        try:
            return self.read(root, path, limit)
        except OSError:
            return None

    def listdir(self, root: Path, path: str) -> list[str]:
        key = self._key(root, path)
        if not self._is_dir(key):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), key) if key in self.files \
                else _missing(key)
        prefix = key.rstrip("/") + "/"
        return sorted({p[len(prefix):].split("/", 1)[0] for p in self.files if p.startswith(prefix)})

    def stat(self, root: Path, path: str) -> os.stat_result:
        key = self._resolve(self._key(root, path))
        ino = 2 + sum(1 for p in self.files if p < key)  # distinct per path: same_file() tells them apart
        if key in self.files:
            mode = stat.S_IFREG | (0o755 if key in self.executables else 0o644)
            return os.stat_result((mode, ino, 1, 1, 0, 0, len(self.files[key]), 0, 0, 0))
        if self._is_dir(key):
            return os.stat_result((stat.S_IFDIR | 0o755, ino, 1, 2, 0, 0, 4096, 0, 0, 0))
        raise _missing(key)

    def lstat(self, root: Path, path: str) -> os.stat_result:
        key = self._key(root, path)
        if key in self.links:
            return os.stat_result((stat.S_IFLNK | 0o777, 1, 1, 1, 0, 0, len(self.links[key]), 0, 0, 0))
        return self.stat(root, path)

    def realpath(self, root: Path, path: str) -> str:
        return self._resolve(self._key(root, path))

    def readlink(self, root: Path, path: str) -> str:
        key = self._key(root, path)
        if key not in self.links:
            raise OSError(errno.EINVAL, os.strerror(errno.EINVAL), key)
        return self.links[key]

    def exists(self, root: Path, path: str) -> bool:
        key = self._resolve(self._key(root, path))
        return key in self.files or self._is_dir(key)

    def is_executable(self, root: Path, path: str) -> bool:
        return self._key(root, path) in self.executables

    def xattr(self, root: Path, path: str, name: str) -> bytes | None:
        return self.xattrs.get((self._key(root, path), name))


def recorded_facts(files: Mapping[str, str | bytes], *, env: Mapping[str, str] | None = None,
                   subject: Subject | None = None, cwd: str = "/work", **kw: Any) -> Facts:
    """Facts over a recorded tree, with the given environment (nothing of this machine's) and subject."""
    from types import MappingProxyType

    opts = Options(env=MappingProxyType(dict(env or {})), cwd=cwd, subject=subject or Subject())
    return Facts(opts, reader=RecordedReader(files, **kw))


def run(check_id: str, facts: Facts) -> list[Result]:
    """Run one registered check in-process as the runner does (FactUnavailable -> skip, a crash -> error)."""
    from gomedic.registry import load_all
    from gomedic.runner import run_one

    return run_one(load_all().get(check_id), facts)


def one(check_id: str, facts: Facts) -> Result:
    results = run(check_id, facts)
    assert len(results) == 1, [(r.status, r.summary) for r in results]
    return results[0]


class RecordedRunner:
    """Answers `argv` from a table of {argv tuple: (returncode, stdout)}; records every call. A program not
    in the table fails to start (CommandError), as one missing from the machine would."""

    def __init__(self, answers: Mapping[tuple[str, ...], tuple[int, str]]) -> None:
        self.answers = dict(answers)
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None,
                 cwd: str | os.PathLike[str] | None = None, input: bytes | None = None,
                 search_path: str | None = None) -> CmdResult:
        from gomedic.errors import CommandError
        from gomedic.execx import CmdResult

        key = tuple(argv)
        self.calls.append(key)
        if key not in self.answers:
            raise CommandError(f"{argv[0]}: not in the recorded answers")
        rc, out = self.answers[key]
        return CmdResult(key, rc, out, "", 0.0)
