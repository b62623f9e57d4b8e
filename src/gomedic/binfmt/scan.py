"""Scanning a tree for executables quickly: walk as `go version -m DIR` does, sniff each file with one small
read, and spread the work over the CPUs for large trees.

Most files of a real package tree are not executables (docs, man pages, sources): they cost one open and
one 16-byte read, no stat. Only ELF, Mach-O and PE files are parsed, and only the header tables and the
build-info blob are read (pread of the ranges needed, never the whole file).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Callable, Sequence

from gomedic import proctree
from gomedic.binfmt import buildinfo
from gomedic.binfmt.exe import sniff
from gomedic.binfmt.source import FileSource
from gomedic.errors import FormatError
from gomedic.typenames import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # the full inspector loads only for `gomedic binary` verdicts, not for --buildinfo
    from gomedic.binfmt.exe import Exe
    from gomedic.binfmt.inspect import Inspection

S = TypeVar("S")
T = TypeVar("T")
PARALLEL_MIN = 2048  # files; below this a fork costs more than it saves
_MAGIC4 = frozenset((b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                     b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"))  # as exe.sniff, with MZ for PE
_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK | os.O_NOCTTY  # a FIFO must not block, a tty not be taken


def _entries(d: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(d) as it:
            return sorted(it, key=_name)
    except OSError:
        return []


def _name(e: os.DirEntry[str]) -> str:
    return e.name


def walk(d: str) -> list[tuple[str, bool]]:
    """(path, is_symlink) for the files under d in filepath.WalkDir order (lexical, depth first); symlinks
    are not followed into. Regular files are known from the directory entry alone (no stat). Iterative: a
    deep tree costs no chain of generators."""
    out: list[tuple[str, bool]] = []
    stack = [iter(_entries(d))]
    while stack:
        for e in stack[-1]:
            try:
                if e.is_file(follow_symlinks=False):
                    out.append((e.path, False))
                elif e.is_dir(follow_symlinks=False):
                    stack.append(iter(_entries(e.path)))
                    break
                elif e.is_symlink():
                    out.append((e.path, True))
            except OSError:
                continue
        else:
            stack.pop()
    return out


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NONBLOCK


def _join(base: str, name: str) -> str:
    return base + name if base.endswith("/") else base + "/" + name  # as DirEntry.path joins


def _starts_like_exe(fd: int) -> bool:
    """Whether the open file's first 16 bytes look like an ELF, Mach-O or PE header (the fd is closed)."""
    try:
        head = os.pread(fd, 16, 0)
    except OSError:
        head = b""
    finally:
        os.close(fd)
    return len(head) == 16 and (head[:4] in _MAGIC4 or head[:2] == b"MZ")


def _listing(d: str) -> list[tuple[str, int]]:
    """(name, kind) of a directory's entries in name order: 0 a regular file that starts like an ELF,
    Mach-O or PE file, 1 a directory, 2 a symlink; other files are left out. The files are opened relative
    to the directory (openat): the kernel looks up one name per file, not the whole path again."""
    try:
        fd = os.open(d, _DIR_FLAGS)
    except OSError:
        return []
    out: list[tuple[str, int]] = []
    flags, opn, close = _FLAGS, os.open, os.close
    try:
        with os.scandir(fd) as it:
            entries = sorted(it, key=_name)
        for e in entries:
            try:
                if e.is_file(follow_symlinks=False):
                    if _starts_like_exe(opn(e.name, flags, dir_fd=fd)):
                        out.append((e.name, 0))
                elif e.is_dir(follow_symlinks=False):
                    out.append((e.name, 1))
                elif e.is_symlink():
                    out.append((e.name, 2))
            except OSError:
                continue
    except OSError:
        pass
    finally:
        close(fd)
    return out


def walk_executables(d: str) -> list[tuple[str, bool]]:
    """executables(walk(d)) in one pass, for one process: the regular files that start like an
    executable, in walk order, and every symlink (sniffed when opened: see _open_found). One directory
    descriptor is open at a time, so a deep tree cannot run out of them."""
    out: list[tuple[str, bool]] = []
    stack = [(d, iter(_listing(d)))]
    while stack:
        base, it = stack[-1]
        for name, kind in it:
            path = _join(base, name)
            if kind == 1:
                stack.append((path, iter(_listing(path))))
                break
            out.append((path, kind == 2))
        else:
            stack.pop()
    return out


def walk_tree(d: str) -> list[tuple[str, bool]]:
    """The files under d for scan_map: all of them (walk) when there are idle CPUs for forked workers to
    sniff them, else walk_executables (what scan_map would keep of walk, at less cost)."""
    return walk(d) if min(idle_cpus(), 8) >= 2 else walk_executables(d)


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


def _regular_target(path: str) -> bool:
    """A symlink found in a directory counts only when it leads to a regular file (as in go version -m)."""
    try:
        return os.path.isfile(path)
    except OSError:
        return False


def executables(items: Sequence[tuple[str, bool]]) -> list[tuple[str, bool]]:
    """The items that start like an ELF, Mach-O or PE file: one open, one 16-byte read and one close per
    file, in a tight loop (most files of a package tree are docs and sources)."""
    out = []
    flags, opn = _FLAGS, os.open
    for item in items:
        try:
            fd = opn(item[0], flags)
        except OSError:
            continue
        if _starts_like_exe(fd):
            out.append(item)
    return out


def _open_found(item: tuple[str, bool]) -> FileSource | None:
    """A file found in a directory, opened when it starts like an executable (a link only when it leads
    to a regular file, as in go version -m)."""
    path, link = item
    if link and not _regular_target(path):
        return None
    return open_executable(path)


def found_buildinfo(item: tuple[str, bool], fmt: str = "text") -> str | None:
    """`go version -m` output (`-json` with fmt="json") for a file found in a directory; None when it is
    not a Go binary with build info (go passes over those silently)."""
    path, _ = item
    src = _open_found(item)
    if src is None:
        return None
    try:
        bi = buildinfo.read(src)
    except FormatError:
        return None
    finally:
        src.close()
    return buildinfo.go_json(bi) if fmt == "json" else buildinfo.format_m(path, bi)


def found_inspection(item: tuple[str, bool]) -> Inspection | None:
    """The inspection of a Go binary found in a directory (build info or, without it, a Go runtime)."""
    from gomedic.binfmt.exe import open_exe
    from gomedic.binfmt.inspect import SECTIONS, Inspection, inspect_exe, inspect_source

    path, _ = item
    src = _open_found(item)
    if src is None:
        return None
    hostile = (FormatError, ValueError, OverflowError, MemoryError, RecursionError, struct.error)
    try:
        try:
            x = open_exe(src, sections=SECTIONS)
        except hostile:
            ins = inspect_source(src, path)  # it says what is wrong with the file
        else:
            try:
                raw: tuple[str, str] | FormatError = buildinfo.raw_exe(x)
            except FormatError as e:
                raw = e
            if isinstance(raw, FormatError) and not _looks_go(x):
                return None
            ins = inspect_exe(path, x, src.size, raw)
    except hostile as e:
        ins = Inspection(path, error=f"{path}: malformed executable ({type(e).__name__}: {e})")
    finally:
        src.close()
    return ins if ins.is_go else None


def _looks_go(x: Exe) -> bool:
    """Cheap pre-check, for an executable without build info, before a full inspection: a Go pclntab
    section, or (PE, no sections to tell) anything; a C or Rust ELF/Mach-O stops here."""
    from gomedic.binfmt import elf, macho

    f = x.file
    if isinstance(f, elf.ElfFile):
        return any(s.name in (".gopclntab", ".data.rel.ro.gopclntab", ".note.go.buildid") for s in f.sections) or (
            not f.section_count)
    if isinstance(f, macho.MachoFile):
        return f.section("__gopclntab") is not None
    return True


def idle_cpus() -> int:
    """CPUs with nothing else to run: os.cpu_count() less the 1-minute load. On a busy machine a forked
    worker only competes with the parent (measured: slower than one process), so it is not started."""
    cpus = os.cpu_count() or 1
    try:
        busy = int(os.getloadavg()[0])
    except OSError:
        busy = 0
    return max(1, cpus - busy)


def fork_map(fn: Callable[[S], T], items: Sequence[S], workers: int | None = None) -> list[T]:
    """[fn(x) for x in items], spread over forked workers (one per idle CPU unless `workers` says).

    Items are dealt out round-robin (executables cluster in a few directories); each worker sends its
    pickled results back through a pipe. A worker that fails is redone in this process.
    """
    n = min(workers or idle_cpus(), 8, len(items))
    if n < 2 or not hasattr(os, "fork"):
        return [fn(x) for x in items]
    import pickle  # here, not at top: ~2 ms of every start, for large trees only

    children: list[tuple[int, int, int]] = []  # (index, pid, read fd)
    parent = os.getpid()
    for k in range(1, n):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: compute its share, send it, and leave without running any cleanup
            os.close(r)
            proctree.die_with_parent()
            if os.getppid() != parent:  # the parent died before the line above took effect
                os._exit(1)
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


def scan_map(fn: Callable[[tuple[str, bool]], T | None], files: Sequence[tuple[str, bool]]) -> list[T]:
    """fn over the executables among files (walk order kept), None results left out. A large tree is
    split round-robin over the idle CPUs, each worker sniffing and reading its share."""
    n = min(idle_cpus(), 8)
    if n < 2 or len(files) < PARALLEL_MIN:
        return [r for r in map(fn, executables(files)) if r is not None]
    indexed = list(enumerate(files))

    def share(part: list[tuple[int, tuple[str, bool]]]) -> list[tuple[int, T]]:
        keep = {f: i for i, f in part}
        return [(keep[f], r) for f in executables([f for _, f in part]) if (r := fn(f)) is not None]

    parts = fork_map(share, [indexed[k::n] for k in range(n)], workers=n)
    return [r for _, r in sorted((pair for part in parts for pair in part), key=lambda p: p[0])]
