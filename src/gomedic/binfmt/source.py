"""Random-access byte sources: read only the ranges a parser asks for, never whole files."""

from __future__ import annotations

import os

from gomedic.errors import FormatError
from gomedic.typenames import Protocol

MAX_READ = 64 << 20  # no single structure gomedic reads is larger; a bigger request is a corrupt header


class Source(Protocol):
    size: int
    name: str

    def read(self, offset: int, n: int) -> bytes: ...


def _check(size: int, offset: int, n: int, name: str) -> None:
    if n < 0 or offset < 0 or n > MAX_READ:
        raise FormatError(f"{name}: bad read of {n} bytes at offset {offset}")
    if offset + n > size:
        raise FormatError(f"{name}: truncated (wanted {n} bytes at offset {offset}, file has {size})")


class BytesSource:
    def __init__(self, data: bytes, name: str = "<bytes>") -> None:
        self._data = data
        self.size = len(data)
        self.name = name

    def read(self, offset: int, n: int) -> bytes:
        _check(self.size, offset, n, self.name)
        return self._data[offset : offset + n]


class FileSource:
    """pread on an open descriptor. Use as a context manager."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.name = os.fspath(path)
        try:
            self._fd = os.open(self.name, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except OSError as e:
            raise FormatError(f"{self.name}: {e.strerror or e}") from None
        try:
            self.size = os.fstat(self._fd).st_size
        except OSError as e:
            os.close(self._fd)
            raise FormatError(f"{self.name}: {e.strerror or e}") from None

    def read(self, offset: int, n: int) -> bytes:
        _check(self.size, offset, n, self.name)
        try:
            data = os.pread(self._fd, n, offset)
        except OSError as e:
            raise FormatError(f"{self.name}: {e.strerror or e}") from None
        if len(data) != n:
            raise FormatError(f"{self.name}: short read at offset {offset}")
        return data

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> FileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
