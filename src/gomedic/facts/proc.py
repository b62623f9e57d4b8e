"""The process a host or service check is about: gomedic itself, `--pid PID`, or a captured tree.

Pure parsers (`parse_status`, `parse_environ`, `parse_cpu_list`) are separate from `read_process`, which
reads /proc/<pid>/{status,limits,environ,fd,maps,exe} under a root directory (`/` on a live system; a
captured tree in tests and for `--root`). Files the caller may not read (another user's environ) leave
the field `None` and a note, never an exception.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from gomedic import safeio
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.door import HOST_READER, Reader
from gomedic.facts.limits import Limits, parse_limits
from gomedic.values import field, frozen

MAX_ENVIRON = 1 << 20
MAX_COUNT = 1 << 20  # fds/maps lines counted at most


@frozen
class ProcStatus:
    name: str = ""
    threads: int | None = None
    seccomp: int | None = None  # 0 disabled, 1 strict, 2 filter
    seccomp_filters: int | None = None
    uids: tuple[int, ...] = ()  # real, effective, saved, fs
    gids: tuple[int, ...] = ()
    groups: tuple[int, ...] = ()
    cap_eff: int | None = None
    cap_amb: int | None = None
    cpus_allowed: int | None = None


def parse_cpu_list(text: str) -> int | None:
    """Number of CPUs in a list like `0-3,8,10-11`; None when malformed."""
    total = 0
    for part in text.strip().split(","):
        if not part:
            continue
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            return None
        if a < 0 or b < a or b - a > 1 << 16:
            return None
        total += b - a + 1
    return total or None


def _ints(v: str) -> tuple[int, ...]:
    out: list[int] = []
    for tok in v.split():
        try:
            out.append(int(tok))
        except ValueError:
            return ()
    return tuple(out)


def _int(v: str, base: int = 10) -> int | None:
    try:
        return int(v.strip(), base)
    except ValueError:
        return None


def parse_status(text: str) -> ProcStatus:
    """/proc/<pid>/status: `Key:\tvalue` lines; unknown and malformed lines are ignored."""
    kv: dict[str, str] = {}
    for line in text[: 1 << 16].splitlines():
        k, sep, v = line.partition(":")
        if sep:
            kv[k.strip()] = v.strip()
    cpus = kv.get("Cpus_allowed_list")
    return ProcStatus(
        name=kv.get("Name", ""),
        threads=_int(kv.get("Threads", "")),
        seccomp=_int(kv.get("Seccomp", "")),
        seccomp_filters=_int(kv.get("Seccomp_filters", "")),
        uids=_ints(kv.get("Uid", "")),
        gids=_ints(kv.get("Gid", "")),
        groups=_ints(kv.get("Groups", "")),
        cap_eff=_int(kv.get("CapEff", ""), 16),
        cap_amb=_int(kv.get("CapAmb", ""), 16),
        cpus_allowed=parse_cpu_list(cpus) if cpus else None,
    )


def parse_environ(data: bytes) -> dict[str, str]:
    """/proc/<pid>/environ: NUL-separated KEY=VALUE; entries without `=` are skipped."""
    out: dict[str, str] = {}
    for item in data[:MAX_ENVIRON].split(b"\0"):
        k, sep, v = item.partition(b"=")
        if sep and k:
            out[k.decode("utf-8", "replace")] = v.decode("utf-8", "replace")
    return out


@frozen
class ProcessInfo:
    """What was read about one process. `pid` is "self" for gomedic itself."""

    pid: str
    root: Path
    status: ProcStatus
    limits: Limits | None
    environ: Mapping[str, str] | None
    fd_count: int | None
    maps_count: int | None
    exe: str | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        if str(self.root) != "/":
            return f"the process captured in {self.root}" + ("" if self.pid == "self" else f" (pid {self.pid})")
        return "gomedic itself" if self.pid == "self" else f"pid {self.pid}"

    @property
    def live(self) -> bool:
        return str(self.root) == "/"

    def env(self, key: str) -> str | None:
        return None if self.environ is None else self.environ.get(key)


def _count(path: Path, *, lines: bool) -> int | None:
    try:
        if lines:
            with safeio.open_binary(path) as fh:
                return sum(1 for _ in zip(range(MAX_COUNT), fh, strict=False))
        with os.scandir(path) as it:
            return sum(1 for _ in zip(range(MAX_COUNT), it, strict=False))
    except OSError:
        return None


def read_process(root: Path, pid: int | str = "self", reader: Reader = HOST_READER) -> ProcessInfo:
    """Read /proc/<pid> under `root`. Raises FactUnavailable when the process does not exist.

    The fd and mapping counts stream the live /proc (capped at MAX_COUNT), not through the reader."""
    base = f"/proc/{pid}"
    status_text = reader.text(root, base + "/status")
    if status_text is None:
        raise FactUnavailable(f"no process {pid}: {root / base.lstrip('/')}/status is not readable")
    notes: list[str] = []
    limits_text = reader.text(root, base + "/limits")
    if limits_text is None:
        notes.append(f"{base}/limits not readable")
    env: Mapping[str, str] | None = None
    try:
        env = MappingProxyType(parse_environ(reader.read(root, base + "/environ", MAX_ENVIRON)))
    except OSError as e:
        notes.append(f"{base}/environ not readable ({e.strerror or e})")
    exe: str | None = None
    try:
        exe = reader.readlink(root, base + "/exe")
    except OSError:
        exe = None
    return ProcessInfo(
        pid=str(pid),
        root=root,
        status=parse_status(status_text),
        limits=parse_limits(limits_text) if limits_text is not None else None,
        environ=env,
        fd_count=_count(root / base.lstrip("/") / "fd", lines=False),
        maps_count=_count(root / base.lstrip("/") / "maps", lines=True),
        exe=exe,
        notes=tuple(notes),
    )


def target_root(f: Facts) -> Path:
    """The root directory host facts are read under: `/`, or the `--root` a command was given."""
    r = f.options.subject.root
    return Path(r) if r else Path("/")


def target_pid(f: Facts) -> int | str:
    pid = f.options.subject.pid
    return "self" if pid is None else pid


@fact("proc.target")
def PROCESS(f: Facts) -> ProcessInfo:
    """The process host checks evaluate: `--pid`, else gomedic itself."""
    from gomedic.redact import remember, secrets_in_settings

    info = read_process(target_root(f), target_pid(f), f.reader)
    remember(secrets_in_settings(info.environ or {}))  # its secrets are hidden in every output, as gomedic's
    return info


def target_env(f: Facts) -> Mapping[str, str]:
    """The environment of the evaluated process: the --pid's environ, else gomedic's own environment."""
    if target_pid(f) == "self" and str(target_root(f)) == "/":
        return f.env
    env = f.get(PROCESS).environ
    if env is None:
        raise FactUnavailable(f"the environment of {f.get(PROCESS).label} is not readable")
    return env
