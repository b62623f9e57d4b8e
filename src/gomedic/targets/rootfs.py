"""A target's file system: this host, an unpacked root directory, a `docker export` tar, or a profile's
list of files. Paths are absolute paths *inside* the root; symlinks resolve inside it (an absolute link
target is relative to the root, `..` never leaves it), as they would for a process chrooted there.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable, Mapping
from enum import Enum

from gomedic import safeio
from gomedic.binfmt.source import BytesSource, FileSource, Source
from gomedic.errors import FormatError, UsageError

MAX_LINKS = 40
MAX_MEMBER_READ = 64 << 20


def norm(path: str) -> str:
    """An absolute, normalised path inside a root (`//x`, `./x` and `x/../y` all made plain)."""
    return posixpath.normpath("/" + path.lstrip("/")).replace("//", "/")


class Kind(str, Enum):
    FILE = "file"
    DIR = "dir"
    LINK = "link"


class RootFS:
    """Read-only view of a root file system. Subclasses provide _lstat, _readlink, _listdir, _source."""

    description = "a file system"
    # What kind() found per path, for the life of this object (one run's target): a scan of 200 binaries
    # asks for the same libraries, CA bundles and zoneinfo files of the same root once per binary.
    _kinds: dict[str, Kind | None] | None = None

    def _lstat(self, path: str) -> Kind | None:
        raise NotImplementedError

    def _readlink(self, path: str) -> str:
        raise NotImplementedError

    def _listdir(self, path: str) -> list[str]:
        raise NotImplementedError

    def _source(self, path: str) -> Source | None:
        raise NotImplementedError

    def resolve(self, path: str) -> str | None:
        """The path with every symlink resolved inside the root, or None when it does not exist."""
        parts = [p for p in norm(path).split("/") if p]
        done = "/"
        hops = 0
        while parts:
            part = parts.pop(0)
            if part == "..":
                done = posixpath.dirname(done) or "/"
                continue
            cand = posixpath.join(done, part)
            kind = self._lstat(cand)
            if kind is None:
                return None
            if kind is Kind.LINK:
                hops += 1
                if hops > MAX_LINKS:
                    return None
                target = self._readlink(cand)
                base = "/" if target.startswith("/") else done
                parts = [p for p in posixpath.join(base, target).split("/") if p and p != "."] + parts
                done = "/"
                continue
            if parts and kind is not Kind.DIR:
                return None
            done = cand
        return done

    def kind(self, path: str) -> Kind | None:
        kinds = self._kinds
        if kinds is None:
            kinds = self._kinds = {}
        elif path in kinds:
            return kinds[path]
        real = self.resolve(path)
        k = kinds[path] = None if real is None else (Kind.DIR if real == "/" else self._lstat(real))
        return k

    def exists(self, path: str) -> bool:
        return self.kind(path) is not None

    def is_file(self, path: str) -> bool:
        return self.kind(path) is Kind.FILE

    def is_dir(self, path: str) -> bool:
        return self.kind(path) is Kind.DIR

    def listdir(self, path: str) -> list[str]:
        real = self.resolve(path)
        return [] if real is None or self.kind(real) is not Kind.DIR else sorted(self._listdir(real))

    def source(self, path: str) -> Source | None:
        """A random-access source over a regular file's bytes (None for profiles, which hold no bytes)."""
        real = self.resolve(path)
        if real is None or self._lstat(real) is not Kind.FILE:
            return None
        return self._source(real)

    def read_text(self, path: str, limit: int = 1 << 20) -> str | None:
        src = self.source(path)
        if src is None:
            return None
        try:
            return src.read(0, min(src.size, limit)).decode("utf-8", "replace")
        except FormatError:
            return None
        finally:
            close = getattr(src, "close", None)
            if close is not None:
                close()


class DirRoot(RootFS):
    """A directory tree: `/` for this host, or an unpacked container root (`--root DIR`)."""

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.description = "this host" if self.root == "/" else f"the root file system {self.root}"

    def host_path(self, path: str) -> str:
        return os.path.join(self.root, path.lstrip("/"))

    def _lstat(self, path: str) -> Kind | None:
        try:
            st = os.lstat(self.host_path(path))
        except (OSError, ValueError):
            return None
        if stat.S_ISLNK(st.st_mode):
            return Kind.LINK
        return Kind.DIR if stat.S_ISDIR(st.st_mode) else Kind.FILE

    def _readlink(self, path: str) -> str:
        try:
            return os.readlink(self.host_path(path))
        except OSError:
            return "/nonexistent-link-target"

    def _listdir(self, path: str) -> list[str]:
        try:
            return os.listdir(self.host_path(path))
        except OSError:
            return []

    def _source(self, path: str) -> Source | None:
        try:
            return FileSource(self.host_path(path))
        except FormatError:
            return None


class TarRoot(RootFS):
    """A tar of a root file system (`docker export`), indexed once; members are read on demand."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.description = f"the root file system in {path}"
        import tarfile  # here, not at top: ~5 ms of every `gomedic binary` start, for --root TAR only

        try:
            self._tar = tarfile.open(fileobj=safeio.open_binary(path), mode="r:*")  # noqa: SIM115 (kept open: members are read on demand)
            members = self._tar.getmembers()
        except (OSError, tarfile.TarError, EOFError) as e:
            raise UsageError(f"--root {path}: not a readable tar archive ({e})") from None
        self._entries: dict[str, tarfile.TarInfo] = {}
        self._children: dict[str, set[str]] = {"/": set()}
        for m in members:
            p = norm(m.name)
            self._entries[p] = m
            self._add_parents(p)

    def _add_parents(self, p: str) -> None:
        while p != "/":
            parent = posixpath.dirname(p)
            self._children.setdefault(parent, set()).add(posixpath.basename(p))
            p = parent

    def _lstat(self, path: str) -> Kind | None:
        m = self._entries.get(path)
        if m is None:
            return Kind.DIR if path in self._children else None
        if m.issym():
            return Kind.LINK
        if m.isdir():
            return Kind.DIR
        return Kind.FILE if m.isfile() or m.islnk() else None

    def _readlink(self, path: str) -> str:
        return self._entries[path].linkname

    def _listdir(self, path: str) -> list[str]:
        return list(self._children.get(path, ()))

    def _source(self, path: str) -> Source | None:
        m = self._entries[path]
        hops = 0
        while m.islnk() and hops < MAX_LINKS:  # hard link: the member it names holds the bytes
            nxt = self._entries.get(norm(m.linkname))
            if nxt is None:
                return None
            m, hops = nxt, hops + 1
        if m.size > MAX_MEMBER_READ:
            return None
        fh = self._tar.extractfile(m)
        if fh is None:
            return None
        return BytesSource(fh.read(), f"{self.path}:{path}")


class VirtualRoot(RootFS):
    """The files a target profile says exist: paths only, no contents (except small text files given)."""

    def __init__(self, files: Iterable[str], links: Mapping[str, str] | None = None,
                 texts: Mapping[str, str] | None = None, description: str = "a target profile") -> None:
        self.description = description
        self._files = {norm(f) for f in files} | {norm(t) for t in texts or {}}
        self._links = {norm(k): v for k, v in (links or {}).items()}
        self._texts = {norm(k): v for k, v in (texts or {}).items()}
        self._dirs: set[str] = {"/"}
        for p in self._files | set(self._links):
            while p != "/":
                p = posixpath.dirname(p)
                self._dirs.add(p)

    def _lstat(self, path: str) -> Kind | None:
        if path in self._links:
            return Kind.LINK
        if path in self._files:
            return Kind.FILE
        return Kind.DIR if path in self._dirs else None

    def _readlink(self, path: str) -> str:
        return self._links[path]

    def _listdir(self, path: str) -> list[str]:
        pre = path.rstrip("/") + "/"
        return sorted({p[len(pre):].split("/", 1)[0] for p in self._files | self._dirs | set(self._links)
                       if p.startswith(pre) and p != path})

    def _source(self, path: str) -> Source | None:
        text = self._texts.get(path)
        return None if text is None else BytesSource(text.encode(), path)
