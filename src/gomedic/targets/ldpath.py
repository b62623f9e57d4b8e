"""Where the dynamic loader finds a DT_NEEDED library on a target, in ld.so's order.

glibc: DT_RPATH (only without DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, /etc/ld.so.conf (with includes),
then the default directories. musl: LD_LIBRARY_PATH, RPATH/RUNPATH alike, /etc/ld-musl-<arch>.path or its
defaults. A candidate only counts when it is an ELF of the same class, byte order and machine.
"""

from __future__ import annotations

import fnmatch
import posixpath

from gomedic.binfmt import elf
from gomedic.binfmt.inspect import ElfFacts
from gomedic.errors import FormatError
from gomedic.targets.model import MUSL_ARCH, Libc, Target
from gomedic.values import frozen

MAX_CONF_DEPTH = 8


@frozen
class Lookup:
    name: str
    found: str | None
    tried: tuple[str, ...]
    rejected: tuple[str, ...] = ()  # "PATH is WHY": present, but another architecture or not a library


def _expand(d: str, origin: str) -> str:
    return d.replace("${ORIGIN}", origin).replace("$ORIGIN", origin) if d else origin


def _conf_dirs(t: Target, path: str, depth: int = 0) -> list[str]:
    text = t.fs.read_text(path, 256 << 10)
    if text is None or depth > MAX_CONF_DEPTH:
        return []
    out: list[str] = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include "):
            for pattern in line.split()[1:]:
                if not pattern.startswith("/"):
                    pattern = posixpath.join(posixpath.dirname(path), pattern)
                d, base = posixpath.split(pattern)
                for name in t.fs.listdir(d):
                    if fnmatch.fnmatch(name, base):
                        out += _conf_dirs(t, posixpath.join(d, name), depth + 1)
        elif line.startswith("/"):
            out.append(line.split()[0])
    return out


def search_dirs(
    path: str, exe: ElfFacts, t: Target, libc: Libc, confs: dict[str, list[str]] | None = None
) -> list[str]:
    """The loader's directories for the binary at `path`; `confs` (one dict per scan) keeps ld.so.conf read once."""
    dyn = exe.dynamic
    origin = posixpath.dirname(posixpath.abspath(path))
    env = [d for d in t.env.get("LD_LIBRARY_PATH", "").split(":") if d] if t.is_host else []
    rpath = [_expand(d, origin) for d in dyn.rpath]
    runpath = [_expand(d, origin) for d in dyn.runpath]
    if libc is Libc.MUSL:
        path_file = f"/etc/ld-musl-{MUSL_ARCH.get(t.goarch, t.goarch)}.path"
        text = t.fs.read_text(path_file)
        defaults = [d for d in (text or "").replace("\n", ":").split(":") if d.strip()] if text else [
            "/lib", "/usr/local/lib", "/usr/lib"]
        dirs = env + rpath + runpath + defaults
    else:
        if confs is None or "/etc/ld.so.conf" not in confs:
            conf = _conf_dirs(t, "/etc/ld.so.conf")
            if confs is not None:
                confs["/etc/ld.so.conf"] = conf
        else:
            conf = confs["/etc/ld.so.conf"]
        dirs = ([] if runpath else rpath) + env + runpath + conf
        dirs += [*t.lib_dirs, "/lib64", "/usr/lib64", "/lib", "/usr/lib"] if exe.bits == 64 else [
            *t.lib_dirs, "/lib", "/usr/lib"]
    seen: list[str] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return seen


# A library's kind: (bits, big endian, machine, goarch), or why it is not a library. Memoised per scan.
Kind = tuple[int, bool, int, str] | str


def _kind(t: Target, path: str) -> Kind | None:
    src = t.fs.source(path)
    if src is None:
        return None
    try:
        f = elf.parse(src)
    except FormatError:
        head = src.read(0, min(src.size, 64)) if src.size else b""
        if head.lstrip().startswith((b"/*", b"GROUP", b"INPUT", b"OUTPUT_FORMAT")):
            return "a linker script for the compiler's linker, not a library"  # libc.so is `GROUP ( ... )` text
        return "not an ELF shared object"
    finally:
        getattr(src, "close", lambda: None)()
    return (f.bits, f.big_endian, f.machine, f.goarch)


def _mismatch(t: Target, path: str, exe: ElfFacts, cache: dict[str, Kind | None] | None = None) -> str | None:
    """Why ld.so would pass over this file (None: it is a usable library; unknowable for a profile: usable)."""
    if cache is None or path not in cache:
        kind = _kind(t, path)
        if cache is not None:
            cache[path] = kind
    else:
        kind = cache[path]
    if kind is None:
        return None
    if isinstance(kind, str):
        return kind
    bits, big, machine, goarch = kind
    if (bits, big, machine) == (exe.bits, exe.big_endian, exe.machine):
        return None
    return f"for another architecture ({goarch}, {bits}-bit)"


def find(name: str, exe: ElfFacts, t: Target, dirs: list[str], cache: dict[str, Kind | None] | None = None) -> Lookup:
    """Resolve one DT_NEEDED name; `cache` (one dict per scan) remembers what each candidate file is."""
    if "/" in name:
        ok = t.fs.is_file(name) and _mismatch(t, name, exe, cache) is None
        return Lookup(name, name if ok else None, (name,))
    tried: list[str] = []
    rejected: list[str] = []
    for d in dirs:
        p = posixpath.join(d, name)
        tried.append(p)
        if t.fs.is_file(p):
            why = _mismatch(t, p, exe, cache)
            if why is None:
                return Lookup(name, p, tuple(tried), tuple(rejected))
            rejected.append(f"{p} is {why}")
    return Lookup(name, None, tuple(tried), tuple(rejected))
