"""The `--pid` side of a probe: start time, the binary's Go release and GODEBUG defaults, a /proc sample.

Reuses the host facts' readers (facts.proc, facts.cgroup); adds what they do not read: the process start
time (/proc/<pid>/stat field 22 + /proc/stat btime) and the build info of /proc/<pid>/exe. The binary
is read, never executed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from gomedic import safeio
from gomedic.facts.limits import NOFILE
from gomedic.facts.proc import ProcessInfo
from gomedic.probe.sample import M
from gomedic.values import frozen


def parse_stat_starttime(text: str) -> int | None:
    """Field 22 (starttime, clock ticks after boot) of /proc/<pid>/stat; the comm may hold spaces and `)`."""
    _, sep, rest = text.rpartition(")")
    if not sep:
        return None
    fields = rest.split()
    if len(fields) < 20:
        return None
    try:
        v = int(fields[19])
    except ValueError:
        return None
    return v if v >= 0 else None


def parse_btime(text: str) -> int | None:
    for line in text.splitlines():
        if line.startswith("btime "):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def start_time(pid: int, root: Path = Path("/")) -> float | None:
    """Unix time the process started, or None when /proc does not say."""
    try:
        stat = safeio.read_text(root / f"proc/{pid}/stat", 4096)
        btime = parse_btime(safeio.read_text(root / "proc/stat", 1 << 20))
    except OSError:
        return None
    ticks = parse_stat_starttime(stat)
    if ticks is None or btime is None:
        return None
    return btime + ticks / os.sysconf("SC_CLK_TCK")


@frozen
class BinaryGo:
    """What the process's executable says about its Go build."""

    path: str
    version: str | None
    default_godebug: str | None = None
    note: str = ""
    is_go: bool | None = None  # False: read, and not a Go executable; None: could not be read


def read_binary(pid: int, root: Path = Path("/")) -> BinaryGo:
    from gomedic.binfmt.buildinfo import read_file
    from gomedic.errors import FormatError

    exe = root / f"proc/{pid}/exe"
    try:
        target = os.readlink(exe)
    except OSError as e:
        return BinaryGo(str(exe), None, note=f"{exe} not readable ({e.strerror or e})")
    try:
        info = read_file(exe)
    except FormatError as e:
        return BinaryGo(target, None, note=f"{target}: {e}", is_go=False)
    except OSError as e:
        return BinaryGo(target, None, note=f"{target} not readable ({e.strerror or e})")
    return BinaryGo(target, info.go_version or None, dict(info.settings).get("DefaultGODEBUG"), is_go=True)


def proc_values(p: ProcessInfo, started: float | None) -> Mapping[M, float]:
    """The sample values /proc gives for a process: threads, fds and their limit, start time."""
    out: dict[M, float] = {}
    if p.status.threads is not None:
        out[M.THREADS] = p.status.threads
    if p.fd_count is not None:
        out[M.OPEN_FDS] = p.fd_count
    nofile = p.limits.get(NOFILE) if p.limits is not None else None
    if nofile is not None and nofile.soft is not None:
        out[M.MAX_FDS] = nofile.soft
    if started is not None:
        out[M.START_TIME] = started
    return out
