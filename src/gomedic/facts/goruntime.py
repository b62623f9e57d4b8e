"""What the Go runtime of a given release will do on this host, pure: GOMAXPROCS, GOMEMLIMIT parsing.

GOMAXPROCS (runtime/cgroup_linux.go, Go 1.25): without the env var, Go >= 1.25 with containermaxprocs
enabled uses min(CPUs, ceil(cgroup quota)), never below 2 (unless fewer CPUs); Go < 1.25, or a main module
whose `go` line is < 1.25 (DefaultGODEBUG carries containermaxprocs=0), or GODEBUG=containermaxprocs=0,
uses the CPU count and ignores the quota. The `GO_BINARY` fact is the Go program being evaluated.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from gomedic.binfmt import goversion
from gomedic.facts import Facts, fact
from gomedic.values import frozen

if TYPE_CHECKING:
    from gomedic.binfmt.inspect import Inspection


def godebug_value(godebug: str, key: str) -> str | None:
    """The last `key=value` of a comma-separated GODEBUG string (later entries win, as in the runtime)."""
    found = None
    for item in godebug.split(","):
        k, sep, v = item.strip().partition("=")
        if sep and k == key:
            found = v
    return found


@frozen
class MaxProcs:
    value: int
    reason: str
    honours_quota: bool


def cgroup_aware(go_version: str | None, default_godebug: str, env_godebug: str) -> tuple[bool | None, str]:
    """Whether the runtime's GOMAXPROCS default follows the cgroup quota; None when the release is unknown."""
    if not go_version or not goversion.is_valid(go_version):
        return None, "Go release unknown"
    if goversion.compare(go_version, "go1.25") < 0:
        return False, f"{go_version} predates container-aware GOMAXPROCS (Go 1.25)"
    if godebug_value(env_godebug, "containermaxprocs") == "0":
        return False, "GODEBUG=containermaxprocs=0 in the environment"
    if godebug_value(default_godebug, "containermaxprocs") == "0":
        return False, "its main module's go line is < 1.25 (DefaultGODEBUG has containermaxprocs=0)"
    return True, f"{go_version} follows the cgroup CPU quota"


def predict_gomaxprocs(cpus: int, quota: float | None, env_value: str | None, aware: bool) -> MaxProcs:
    # the runtime's atoi32: ASCII digits only (no spaces, no sign) and within int32, else it is ignored
    if env_value and env_value.isascii() and env_value.isdecimal() and 0 < int(env_value) < 1 << 31:
        return MaxProcs(int(env_value), f"GOMAXPROCS={env_value} is set in the environment", True)
    if aware and quota is not None:
        v = min(cpus, max(2, math.ceil(quota)))
        return MaxProcs(v, f"min(CPUs {cpus}, max(2, ceil(quota {quota:g})))", True)
    return MaxProcs(cpus, f"the CPU count ({cpus})", quota is None)


_MEM = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB|TiB)?\s*$", re.ASCII)
_UNITS = {None: 1, "B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def parse_gomemlimit(v: str) -> int | None:
    """GOMEMLIMIT bytes; `off` -> None; raises ValueError on syntax the runtime rejects."""
    if v.strip() == "off":
        return None
    m = _MEM.match(v)
    if not m:
        raise ValueError(f"GOMEMLIMIT={v!r} is not a number with an optional B/KiB/MiB/GiB/TiB suffix")
    return int(float(m.group(1)) * _UNITS[m.group(2)])


@fact("go.binary")
def GO_BINARY(f: Facts) -> Inspection | None:
    """The Go program host checks reason about: --binary, else the unit's ExecStart, else /proc/<pid>/exe."""
    from gomedic.binfmt.inspect import inspect

    path = f.options.subject.binary
    if not path and f.options.subject.pid is not None:
        from gomedic.facts.proc import PROCESS

        path = f.get(PROCESS).exe
    if not path:
        return None
    ins = inspect(str(path))
    return ins if ins.error is None else None
