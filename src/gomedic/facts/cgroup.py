"""cgroup v1 and v2 limits of a process, walked from its leaf cgroup up to the hierarchy's mount root.

Pure parsers: `parse_proc_cgroup` (/proc/<pid>/cgroup), `parse_mountinfo` (/proc/<pid>/mountinfo),
`parse_cpu_max` (v2 cpu.max), `parse_bytes_limit`. `read_cgroup(root, pid)` resolves each controller's
directory (the mount whose root is a prefix of the process's cgroup path) and reads limits in every
ancestor, keeping the tightest: Go itself reads only the leaf (golang/go#81180), a parent's quota still
throttles. v1 memory limits of 2**62 and more mean "no limit" (the kernel prints PAGE_COUNTER_MAX pages).
"""

from __future__ import annotations

import re
from pathlib import Path

from gomedic.facts import Facts, fact
from gomedic.facts.door import HOST_READER, Reader
from gomedic.facts.proc import target_pid, target_root
from gomedic.values import frozen

V1_UNLIMITED = 1 << 62
MAX_DEPTH = 64


@frozen
class CgroupLine:
    hierarchy: int
    controllers: tuple[str, ...]  # empty for the v2 unified line "0::/path"
    path: str


@frozen
class Mount:
    mount_id: int
    parent_id: int
    root: str
    mount_point: str
    fstype: str
    source: str
    super_options: tuple[str, ...]


def parse_proc_cgroup(text: str) -> tuple[CgroupLine, ...]:
    out: list[CgroupLine] = []
    for line in text[: 1 << 16].splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3 or not parts[0].isdecimal() or not parts[2].startswith("/"):
            continue
        ctl = tuple(c for c in parts[1].split(",") if c)
        out.append(CgroupLine(int(parts[0]), ctl, parts[2]))
    return tuple(out)


_OCTAL = re.compile(r"\\([0-7]{3})")


def _unescape(s: str) -> str:
    return _OCTAL.sub(lambda m: chr(int(m.group(1), 8)), s)


def parse_mountinfo(text: str) -> tuple[Mount, ...]:
    """Lines: `id parent maj:min root mount-point options [optional...] - fstype source super-options`."""
    out: list[Mount] = []
    for line in text[: 1 << 20].splitlines():
        head, sep, tail = line.partition(" - ")
        if not sep:
            continue
        f = head.split()
        t = tail.split()
        if len(f) < 6 or len(t) < 2 or not f[0].isdecimal() or not f[1].isdecimal():
            continue
        out.append(Mount(int(f[0]), int(f[1]), _unescape(f[3]), _unescape(f[4]), t[0], _unescape(t[1]),
                         tuple(t[2].split(",")) if len(t) > 2 else ()))
    return tuple(out)


def parse_cpu_max(text: str) -> tuple[int | None, int] | None:
    """v2 cpu.max: `max 100000` -> (None, 100000); `150000 100000` -> (150000, 100000); else None."""
    parts = text.split()
    if not parts or len(parts) > 2:
        return None
    try:
        period = int(parts[1]) if len(parts) == 2 else 100000
        if period <= 0:
            return None
        if parts[0] == "max":
            return None, period
        quota = int(parts[0])
    except ValueError:
        return None
    return (quota if quota > 0 else None), period


def parse_bytes_limit(text: str) -> int | None:
    """A memory/pids limit file: `max` (v2), a huge number (v1) or -1 -> None (no limit); a number -> it."""
    t = text.strip()
    if t in ("max", "-1", ""):
        return None
    try:
        v = int(t)
    except ValueError:
        return None
    return None if v < 0 or v >= V1_UNLIMITED else v


@frozen
class Bound:
    """A limit and the file it came from (the tightest over the ancestors)."""

    value: float | int
    source: str
    extra: str = ""


@frozen
class CgroupInfo:
    version: str  # "v1", "v2", "hybrid", "none"
    paths: tuple[tuple[str, str], ...]  # (controller or "unified", cgroup dir read)
    cpu: Bound | None  # value: CPUs (quota/period); extra: "quota period"
    memory: Bound | None  # bytes
    memory_high: Bound | None
    pids: Bound | None
    notes: tuple[str, ...] = ()


def _mount_for(mounts: tuple[Mount, ...], line: CgroupLine, controller: str | None) -> Mount | None:
    cands = [m for m in mounts if (m.fstype == "cgroup2" if controller is None
                                   else m.fstype == "cgroup" and controller in m.super_options)]
    # The mount whose root is the longest prefix of the process's path; a mount of "/" covers everything.
    best: Mount | None = None
    for m in cands:
        r = m.root.rstrip("/")
        if (line.path == m.root or line.path.startswith(r + "/") or r == "") and (
            best is None or len(m.root) > len(best.root)
        ):
            best = m
    return best


def _dirs(mount: Mount, path: str) -> list[str]:
    """Cgroup dirs from the leaf up to the mount point, as absolute paths in the process's view."""
    r = mount.root.rstrip("/")
    rel = path[len(r):] if r and path.startswith(r) else path
    parts = [p for p in rel.split("/") if p and p not in (".", "..")][:MAX_DEPTH]
    base = mount.mount_point.rstrip("/")
    return ["/".join([base, *parts[:i]]) or "/" for i in range(len(parts), -1, -1)]


def _tightest(cands: list[Bound]) -> Bound | None:
    return min(cands, key=lambda b: b.value) if cands else None


def _read_limits(
    reader: Reader, root: Path, dirs: list[str], v2: bool
) -> tuple[list[Bound], list[Bound], list[Bound], list[Bound]]:
    cpu: list[Bound] = []
    mem: list[Bound] = []
    high: list[Bound] = []
    pids: list[Bound] = []
    for d in dirs:
        if v2:
            t = reader.text(root, d + "/cpu.max")
            q = parse_cpu_max(t) if t is not None else None
            if q and q[0] is not None:
                cpu.append(Bound(q[0] / q[1], d + "/cpu.max", f"{q[0]} {q[1]}"))
            for name, acc in (("memory.max", mem), ("memory.high", high)):
                t = reader.text(root, f"{d}/{name}")
                v = parse_bytes_limit(t) if t is not None else None
                if v is not None:
                    acc.append(Bound(v, f"{d}/{name}"))
        else:
            tq, tp = reader.text(root, d + "/cpu.cfs_quota_us"), reader.text(root, d + "/cpu.cfs_period_us")
            if tq is not None and tp is not None:
                q2 = parse_cpu_max(f"{tq.strip()} {tp.strip()}".replace("-1 ", "max "))
                if q2 and q2[0] is not None:
                    cpu.append(Bound(q2[0] / q2[1], d + "/cpu.cfs_quota_us", f"{q2[0]} {q2[1]}"))
            t = reader.text(root, d + "/memory.limit_in_bytes")
            v = parse_bytes_limit(t) if t is not None else None
            if v is not None:
                mem.append(Bound(v, d + "/memory.limit_in_bytes"))
        t = reader.text(root, d + "/pids.max")
        v = parse_bytes_limit(t) if t is not None else None
        if v is not None:
            pids.append(Bound(v, d + "/pids.max"))
    return cpu, mem, high, pids


def read_cgroup(root: Path, pid: int | str = "self", reader: Reader = HOST_READER) -> CgroupInfo:
    """The cgroup limits that apply to process `pid`, read under `root` (a live `/` or a captured tree)."""
    cg_text = reader.text(root, f"/proc/{pid}/cgroup")
    mi_text = reader.text(root, f"/proc/{pid}/mountinfo", limit=1 << 20)
    if cg_text is None or mi_text is None:
        return CgroupInfo("none", (), None, None, None, None, (f"/proc/{pid}/cgroup or mountinfo not readable",))
    lines, mounts = parse_proc_cgroup(cg_text), parse_mountinfo(mi_text)
    has_v1 = any(ln.controllers for ln in lines)
    has_v2 = any(m.fstype == "cgroup2" for m in mounts) and any(not ln.controllers for ln in lines)
    version = "hybrid" if has_v1 and has_v2 else "v1" if has_v1 else "v2" if has_v2 else "none"
    cpu: list[Bound] = []
    mem: list[Bound] = []
    high: list[Bound] = []
    pids: list[Bound] = []
    paths: list[tuple[str, str]] = []
    notes: list[str] = []
    for line in lines:
        wanted = [c for c in line.controllers if c in ("cpu", "memory", "pids")] if line.controllers else [None]
        for ctl in wanted:
            mount = _mount_for(mounts, line, ctl)
            if mount is None:
                if line.controllers or has_v2:
                    notes.append(f"no mount for cgroup {ctl or 'unified'}:{line.path}")
                continue
            dirs = _dirs(mount, line.path)
            paths.append((ctl or "unified", dirs[0]))
            c, m, h, p = _read_limits(reader, root, dirs, ctl is None)
            cpu += c if ctl in (None, "cpu") else []
            mem += m if ctl in (None, "memory") else []
            high += h
            pids += p if ctl in (None, "pids") else []
    return CgroupInfo(version, tuple(paths), _tightest(cpu), _tightest(mem), _tightest(high), _tightest(pids),
                      tuple(notes))


@fact("cgroup.target")
def CGROUP(f: Facts) -> CgroupInfo:
    return read_cgroup(target_root(f), target_pid(f), f.reader)
