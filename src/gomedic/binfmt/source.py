"""Random-access byte sources: read only the ranges a parser asks for, never whole files."""

from __future__ import annotations

import mmap
import os
import stat

from gomedic import safeio
from gomedic.errors import FormatError
from gomedic.typenames import Protocol

MAX_READ = 64 << 20  # no single structure gomedic reads is larger; a bigger request is a corrupt header


class Source(Protocol):
    size: int
    name: str

    def read(self, offset: int, n: int) -> bytes: ...

    def find(self, needle: bytes, start: int, end: int) -> int: ...

    def rfind(self, needle: bytes, start: int, end: int) -> int: ...


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

    def find(self, needle: bytes, start: int, end: int) -> int:
        return self._data.find(needle, max(0, start), min(end, self.size))

    def rfind(self, needle: bytes, start: int, end: int) -> int:
        return self._data.rfind(needle, max(0, start), min(end, self.size))


class FileSource:
    """pread on an open descriptor. Use as a context manager."""

    _map: mmap.mmap | None = None

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.name = os.fspath(path)
        try:
            self._fd = safeio.open_fd(self.name)  # a FIFO or device is refused, never waited on
        except OSError as e:
            raise FormatError(f"{self.name}: {e.strerror or e}") from None
        try:
            st = os.fstat(self._fd)
        except OSError as e:
            os.close(self._fd)
            raise FormatError(f"{self.name}: {e.strerror or e}") from None
        if not stat.S_ISREG(st.st_mode):
            os.close(self._fd)
            raise FormatError(f"{self.name}: not a regular file")
        self.size = st.st_size

    @classmethod
    def adopt(cls, fd: int, name: str, size: int) -> FileSource:
        """Wrap a descriptor already open for reading (closed by close())."""
        src = cls.__new__(cls)
        src.name, src._fd, src.size = name, fd, size
        return src

    def read(self, offset: int, n: int) -> bytes:
        _check(self.size, offset, n, self.name)
        try:
            data = os.pread(self._fd, n, offset)
        except OSError as e:
            raise FormatError(f"{self.name}: {e.strerror or e}") from None
        if len(data) != n:
            raise FormatError(f"{self.name}: short read at offset {offset}")
        return data

    def find(self, needle: bytes, start: int, end: int) -> int:
        """bytes.find over [start, end) of the file through a read-only mapping: nothing is copied, and only
        the pages searched are touched (scanning megabytes of rodata for one string)."""
        return int(self._mapped().find(needle, max(0, start), min(end, self.size)))

    def rfind(self, needle: bytes, start: int, end: int) -> int:
        """find, from the end."""
        return int(self._mapped().rfind(needle, max(0, start), min(end, self.size)))

    def _mapped(self) -> mmap.mmap:
        if self._map is None:
            try:
                self._map = mmap.mmap(self._fd, 0, prot=mmap.PROT_READ)
            except (OSError, ValueError) as e:
                raise FormatError(f"{self.name}: cannot map: {e}") from None
        return self._map

    def close(self) -> None:
        if self._map is not None:
            self._map.close()
            self._map = None
        os.close(self._fd)

    def __enter__(self) -> FileSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
