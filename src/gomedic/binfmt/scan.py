"""Scanning a tree for executables quickly: walk as `go version -m DIR` does, sniff each file with one small
read, and spread the work over the CPUs for large trees.

Most files of a real package tree are not executables (docs, man pages, sources): they cost one open and
one 16-byte read, no stat. Only ELF, Mach-O and PE files are parsed, and only the header tables and the
build-info blob are read (pread of the ranges needed, never the whole file).
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from gomedic.binfmt.exe import sniff
from gomedic.binfmt.source import FileSource

S = TypeVar("S")
T = TypeVar("T")
PARALLEL_MIN = 256  # files; below this the fork costs more than it saves
_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)  # a FIFO must not block


def walk(d: str) -> Iterator[tuple[str, bool]]:
    """(path, is_symlink) for the files under d in filepath.WalkDir order (lexical, depth first); symlinks
    are not followed into. Regular files are known from the directory entry alone (no stat)."""
    try:
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                yield from walk(e.path)
            elif e.is_symlink():
                yield e.path, True
            elif e.is_file(follow_symlinks=False):
                yield e.path, False
        except OSError:
            continue


def open_executable(path: str) -> FileSource | None:
    """The file as a source when it starts like an ELF, Mach-O or PE file; None for anything else
    (text, a directory, a FIFO, an unreadable file). One open and one small read."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return None
    try:
        head = os.pread(fd, 16, 0)
        if len(head) < 16 or sniff(head) is None:
            os.close(fd)
            return None
        size = os.fstat(fd).st_size
    except OSError:
        os.close(fd)
        return None
    return FileSource.adopt(fd, path, size)


def fork_map(fn: Callable[[S], T], items: Sequence[S], workers: int | None = None) -> list[T]:
    """[fn(x) for x in items], spread over forked workers (os.cpu_count()) when there are many items.

    Items are dealt out round-robin (executables cluster in a few directories); each worker sends its
    pickled results back through a pipe. A worker that fails is redone in this process.
    """
    n = min(workers or os.cpu_count() or 1, 8)
    if n < 2 or len(items) < PARALLEL_MIN or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    children: list[tuple[int, int, int]] = []  # (index, pid, read fd)
    for k in range(1, n):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: compute its share, send it, and leave without running any cleanup
            os.close(r)
            code = 0
            try:
                data = pickle.dumps([fn(x) for x in items[k::n]], protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(w, "wb") as pipe:
                    pipe.write(data)
            except BaseException:  # anything at all: the parent redoes this share
                code = 1
            os._exit(code)
        os.close(w)
        children.append((k, pid, r))
    out: list[T | None] = [None] * len(items)
    out[0::n] = [fn(x) for x in items[0::n]]
    for k, pid, r in children:
        with os.fdopen(r, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        share = pickle.loads(data) if status == 0 and data else [fn(x) for x in items[k::n]]
        out[k::n] = share
    return out  # type: ignore[return-value]
