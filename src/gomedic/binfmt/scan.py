"""Scanning a tree for executables quickly: walk as `go version -m DIR` does, sniff each file with one small
read, and spread the work over the CPUs for large trees.

Most files of a real package tree are not executables (docs, man pages, sources): they cost one open and
one 16-byte read, no stat. Only ELF, Mach-O and PE files are parsed, and only the header tables and the
build-info blob are read (pread of the ranges needed, never the whole file).
"""

from __future__ import annotations

import errno
import functools
import os
import stat
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


def _open_dir(d: str, follow: bool) -> int:
    """A descriptor of directory d. A directory found in the tree (follow=False) is opened with O_NOFOLLOW:
    swapped for a symlink since it was listed, it is refused, so a scan never wanders out of its tree; the
    directory named on the command line may be a link."""
    return os.open(d, _DIR_FLAGS | (0 if follow else os.O_NOFOLLOW))


def _name(e: os.DirEntry[str]) -> str:
    return e.name


def walk(d: str) -> list[tuple[str, bool]]:
    """(path, is_symlink) for the files under d in filepath.WalkDir order (lexical, depth first); symlinks
    are not followed into. Regular files are known from the directory entry alone (no stat). Iterative: a
    deep tree costs no chain of generators."""
    out: list[tuple[str, bool]] = []
    stack = [iter(_units(d, follow=True))]
    while stack:
        for path, kind in stack[-1]:
            if kind == 1:
                stack.append(iter(_units(path, follow=False)))
                break
            out.append((path, kind == 2))
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


def _listing(d: str, follow: bool, sniff: bool = True) -> list[tuple[str, int]]:
    """(name, kind) of a directory's entries in name order: 0 a regular file (with `sniff`, only one that
    starts like an ELF, Mach-O or PE file), 1 a directory, 2 a symlink; other files are left out. The files
    are opened relative to the directory (openat): the kernel looks up one name per file, not the whole
    path again."""
    try:
        fd = _open_dir(d, follow)
    except OSError:
        return []
    out: list[tuple[str, int]] = []
    flags, opn, close = _FLAGS | os.O_NOFOLLOW, os.open, os.close  # a name swapped for a symlink: refused
    try:
        with os.scandir(fd) as it:
            entries = sorted(it, key=_name)
        for e in entries:
            try:
                if e.is_file(follow_symlinks=False):
                    if not sniff or _starts_like_exe(opn(e.name, flags, dir_fd=fd)):
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


def walk_executables(d: str, follow: bool = True) -> list[tuple[str, bool]]:
    """executables(walk(d)) in one pass, for one process: the regular files that start like an
    executable, in walk order, and every symlink (sniffed when opened: see _open_found). One directory
    descriptor is open at a time, so a deep tree cannot run out of them. `follow`: d itself may be a
    symlink (the directory named on the command line); directories found under it never are followed."""
    out: list[tuple[str, bool]] = []
    stack = [(d, iter(_listing(d, follow)))]
    while stack:
        base, it = stack[-1]
        for name, kind in it:
            path = _join(base, name)
            if kind == 1:
                stack.append((path, iter(_listing(path, False))))
                break
            out.append((path, kind == 2))
        else:
            stack.pop()
    return out


def _open_regular(path: str, link: bool) -> int:
    """A read descriptor of a file found in a directory, only when it is a regular file (OSError else).

    A name listed as a regular file is opened with O_NOFOLLOW: swapped for a symlink since, it is refused.
    A symlink is opened with O_PATH first (which opens nothing), its target checked on that descriptor, and
    only a regular file is then opened for reading, through /proc/self/fd: the same file, no race. So a
    symlink planted in a scanned tree never makes gomedic open a device (opening some acts by itself: a
    watchdog starts, a tape rewinds) or a FIFO; go version -m too reads only links to regular files.
    """
    if not link:
        return os.open(path, _FLAGS | os.O_NOFOLLOW)
    if not hasattr(os, "O_PATH"):  # macOS: open without blocking, then check what was opened
        fd = os.open(path, _FLAGS)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "not a regular file", path)
        return fd
    pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(pfd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
        try:
            return os.open(f"/proc/self/fd/{pfd}", _FLAGS)
        except FileNotFoundError:  # no /proc mounted: by name, right after the check
            return os.open(path, _FLAGS)
    finally:
        os.close(pfd)


def _open_found(item: tuple[str, bool]) -> FileSource | None:
    """A file found in a directory as a source when it starts like an ELF, Mach-O or PE file; None for
    anything else (text, a FIFO, an unreadable file, a link to anything but a regular file). One open and
    one small read."""
    path, link = item
    try:
        fd = _open_regular(path, link)
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
    """CPUs with nothing else to run now: this process's CPUs less the other tasks runnable at this moment
    (/proc/loadavg's running count; the 1-minute load where that is missing). On a busy machine a forked
    worker only competes with the parent (measured: slower than one process), so it is not started. The
    1-minute load is not used on Linux: it lags by a minute, so a machine that has just finished a build,
    or runs short commands back to back, looked busy for a minute."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    try:
        with open("/proc/loadavg", "rb") as fh:
            busy = int(fh.read().split()[3].split(b"/")[0]) - 1  # runnable now, this thread included
    except (OSError, ValueError, IndexError):
        try:
            busy = int(os.getloadavg()[0])
        except OSError:
            busy = 0
    return max(1, cpus - max(0, busy))


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


# A share of a tree scan, in walk order: units (path, kind), kind 0 a regular file, 1 a directory to walk
# whole, 2 a symlink. Several units of files, or one directory (whose size is not known until walked).
Task = tuple[tuple[str, int], ...]
SPLIT_LEVELS = 3  # directory levels listed by the parent to cut a tree into tasks
SPLIT_UNITS = 64  # per worker: enough tasks that a large directory taken last does not leave the others idle
CHUNK = 256  # files sniffed per task
MAX_TASKS = 1024  # 4-byte task numbers: the whole queue fits in one atomic pipe write (PIPE_BUF)


def scan_dir(fn: Callable[[tuple[str, bool]], T | None], d: str) -> list[T]:
    """fn over the executables under d (as walk_executables finds them, in walk order), None results left
    out. A large tree is cut into tasks (a few directory levels listed here) that forked workers, one per
    idle CPU, take from a queue as they go: the walk, the sniffing and fn all run in parallel."""
    n = min(idle_cpus(), 8)
    if n < 2 or _threaded():
        return [r for r in map(fn, walk_executables(d)) if r is not None]
    tasks, whole = plan(d, n)
    files = sum(len(t) for t in tasks)
    if whole and files < PARALLEL_MIN:
        n = 1
    done = fork_queue(functools.partial(_run_task, fn), tasks, n)
    return [r for part in done for r in part]


def _threaded() -> bool:
    """Whether this process runs other threads: a fork would copy their locks in whatever state they are."""
    import sys

    threading = sys.modules.get("threading")
    return threading is not None and threading.active_count() > 1


def _units(d: str, follow: bool) -> list[tuple[str, int]]:
    """(path, kind) of a directory's entries in name order, as _listing gives them but without sniffing."""
    return [(_join(d, name), kind) for name, kind in _listing(d, follow, sniff=False)]


def plan(d: str, workers: int) -> tuple[list[Task], bool]:
    """The tree under d cut into tasks, in walk order, and whether it was listed whole (no directory left
    for a task to walk). Directories are listed level by level until there are enough units."""
    units: list[tuple[str, int]] = [(d, 1)]
    for _ in range(SPLIT_LEVELS):
        if len(units) >= SPLIT_UNITS * workers or not any(k == 1 for _, k in units):
            break
        units = [u for unit in units for u in (_units(unit[0], unit[0] == d) if unit[1] == 1 else [unit])]
    tasks: list[Task] = []
    files: list[tuple[str, int]] = []
    for unit in units:
        if unit[1] == 1:
            if files:
                tasks.append(tuple(files))
                files = []
            tasks.append((unit,))
        else:
            files.append(unit)
            if len(files) == CHUNK:
                tasks.append(tuple(files))
                files = []
    if files:
        tasks.append(tuple(files))
    while len(tasks) > MAX_TASKS:  # a directory of many thousands of subdirectories: pair neighbours up
        tasks = [tasks[i] + tasks[i + 1] if i + 1 < len(tasks) else tasks[i] for i in range(0, len(tasks), 2)]
    return tasks, not any(k == 1 for t in tasks for _, k in t)


def _run_task(fn: Callable[[tuple[str, bool]], T | None], task: Task) -> list[T]:
    out: list[T] = []
    for path, kind in task:
        if kind == 1:
            items = walk_executables(path, follow=False)  # found in the tree (plan always lists the root)
        elif kind == 2:
            items = [(path, True)]  # sniffed when opened (_open_found), as walk_executables leaves it
        else:
            try:
                fd = os.open(path, _FLAGS | os.O_NOFOLLOW)  # listed as a regular file: a symlink now is refused
            except OSError:
                continue
            items = [(path, False)] if _starts_like_exe(fd) else []
        out.extend(r for r in map(fn, items) if r is not None)
    return out


def fork_queue(fn: Callable[[S], T], tasks: Sequence[S], workers: int) -> list[T]:
    """[fn(t) for t in tasks], taken from a shared queue by this process and workers - 1 forked ones.

    The queue is a pipe holding every task's number (4 bytes each, written at once: at most MAX_TASKS, so
    one atomic write that never blocks); each process reads one number at a time until the pipe is empty,
    so a process that drew large tasks takes fewer. Workers send their pickled results back through pipes
    of their own; the tasks of a worker that failed are redone here.
    """
    n = min(workers, len(tasks))
    if n < 2 or not hasattr(os, "fork") or len(tasks) > MAX_TASKS:
        return [fn(t) for t in tasks]
    import pickle  # here, not at top: ~2 ms of every start, for large trees only

    qr, qw = os.pipe()
    os.write(qw, b"".join(struct.pack("=I", i) for i in range(len(tasks))))
    parent = os.getpid()
    children: list[tuple[int, int]] = []  # (pid, read fd of its results)
    try:
        for _ in range(1, n):
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:  # the worker: drain the queue, send what it did, leave without running any cleanup
                code = 1
                try:
                    os.close(r)
                    os.close(qw)
                    proctree.die_with_parent()
                    if os.getppid() == parent:  # else the parent died before the line above took effect
                        code = _send(pickle.dumps(_drain(fn, tasks, qr), protocol=pickle.HIGHEST_PROTOCOL), w)
                except BaseException:  # anything at all: the parent redoes this worker's tasks
                    code = 1
                finally:
                    os._exit(code)
            os.close(w)
            children.append((pid, r))
    finally:
        os.close(qw)  # with the workers' copies closed, an empty queue reads as the end
    out = _drain(fn, tasks, qr)
    os.close(qr)
    for pid, r in children:
        with os.fdopen(r, "rb") as f:
            data = f.read()
        _, status = os.waitpid(pid, 0)
        if status == 0 and data:
            out.update(pickle.loads(data))
    return [out[i] if i in out else fn(t) for i, t in enumerate(tasks)]


def _drain(fn: Callable[[S], T], tasks: Sequence[S], queue: int) -> dict[int, T]:
    done: dict[int, T] = {}
    while len(rec := os.read(queue, 4)) == 4:
        i = struct.unpack("=I", rec)[0]
        done[i] = fn(tasks[i])
    return done


def _send(data: bytes, fd: int) -> int:
    with os.fdopen(fd, "wb") as pipe:
        pipe.write(data)
    return 0
