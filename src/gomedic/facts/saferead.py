"""Reading a user's files without following their symlinks when gomedic runs as root.

As root, a file under an anchor (the user's HOME, the project) is opened component by component through
directory fds with O_NOFOLLOW: a symlink planted in the user's tree cannot make root read /etc/shadow into a
report. Other users read normally (the kernel's permissions protect them). Files are capped in size and must be
regular files (a FIFO would block: O_NONBLOCK, then fstat).
"""

from __future__ import annotations

import os
import stat

from gomedic import safeio

MAX_TEXT = 1 << 20


class SafeReader:
    def __init__(self, anchors: list[str], cap: int = MAX_TEXT, as_root: bool | None = None) -> None:
        self.anchors = [os.path.realpath(a) for a in anchors if a and os.path.isabs(a)]
        self.cap = cap
        self.as_root = os.geteuid() == 0 if as_root is None else as_root
        self.problems: dict[str, str] = {}  # path -> why it was not read (missing files are not problems)
        self.read_ok: list[str] = []

    def __call__(self, path: str) -> str | None:
        try:
            data = self._read(path)
        except FileNotFoundError:
            return None
        except OSError as e:
            why = e.strerror or str(e)
            if e.errno == 40:  # ELOOP from O_NOFOLLOW
                why = "a symlink, not followed as root"
            self.problems[path] = why
            return None
        if data is None:
            return None
        self.read_ok.append(path)
        return data.decode("utf-8", "replace")

    def _anchor(self, path: str) -> tuple[str, list[str]] | None:
        for a in self.anchors:
            if path == a or path.startswith(a.rstrip("/") + "/"):
                rest = path[len(a):].strip("/")
                return a, [p for p in rest.split("/") if p]
        return None

    def _read(self, path: str) -> bytes | None:
        path = os.path.normpath(path)
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC
        anchored = self._anchor(path) if self.as_root else None
        if anchored is None:
            fd = os.open(path, flags)
        else:
            anchor, parts = anchored
            if not parts:
                return None
            dfd = os.open(anchor, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                for part in parts[:-1]:
                    nfd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=dfd)
                    os.close(dfd)
                    dfd = nfd
                fd = os.open(parts[-1], flags | os.O_NOFOLLOW, dir_fd=dfd)
            finally:
                os.close(dfd)
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise safeio.refusal(path, st.st_mode)
            if st.st_size > self.cap:
                raise OSError(0, f"larger than {self.cap} bytes, not read")
            chunks = []
            left = self.cap + 1
            while left > 0:
                b = os.read(fd, min(left, 65536))
                if not b:
                    break
                chunks.append(b)
                left -= len(b)
            data = b"".join(chunks)
            if len(data) > self.cap:
                raise OSError(0, f"larger than {self.cap} bytes, not read")
            return data
        finally:
            os.close(fd)

    def is_file(self, path: str) -> bool:
        try:
            return stat.S_ISREG(os.stat(path).st_mode)
        except OSError:
            return False
