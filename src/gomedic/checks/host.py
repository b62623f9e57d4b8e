"""host.*: the machine (and the process) a Go service runs on. Reads /proc and /sys only.

The evaluated process is gomedic itself, or `--pid PID`; `--root DIR` reads a captured tree instead of
the live /proc and /sys. The cgroup checks live in gomedic.checks.host_cgroup (imported below).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gomedic.checks import host_cgroup as _cgroup  # noqa: F401  (registers host.cgroup-*)
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.cgroup import CGROUP
from gomedic.facts.host import HOST
from gomedic.facts.kernel import CONTAINER, SYSCTL, WINDOWS_GO
from gomedic.facts.limits import NOFILE, NPROC, fmt_limit, parse_int
from gomedic.facts.proc import PROCESS, target_env
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check


@check("host.platform", category=Category.RUNTIME, severity=Severity.INFO,
       title="What this host is: OS, kernel, libc, CPU, container")
def platform(f: Facts) -> Finding:
    """Reports the OS, kernel, libc, CPU architecture and x86-64 level, and whether gomedic runs in a
    container or WSL. Informational: it explains the other results (which kernel a binary.kernel result
    compared with, why GOMAXPROCS is what it is). Nothing to fix."""
    from gomedic.facts.cpu import CPU

    h = f.get(HOST)
    level = ""
    try:
        lv = f.get(CPU).x86_64_level
        level = f", x86-64-v{lv}" if lv else ""
    except FactUnavailable:
        pass
    osrel = (f.get(SYSCTL).get("kernel.osrelease") or h.kernel).strip()
    container = f.get(CONTAINER)
    where = f"in a container ({container})" if container else "not in a container"
    wsl = " under WSL" if "microsoft" in osrel.lower() else ""
    return ok(f"{h.goos}/{h.goarch} kernel {osrel}{wsl}, {h.libc or 'libc unknown'}{level}, {where}",
              kernel=osrel, libc=h.libc, arch=h.goarch, container=container or "none")


@check("host.nofile", category=Category.LIMITS, severity=Severity.HIGH,
       title="Enough file descriptors: RLIMIT_NOFILE and the kernel's file table",
       thresholds={"min": 4096, "recommended": 65536, "usage-pct": 80})
def nofile(f: Facts) -> Finding:
    """Checks RLIMIT_NOFILE of the evaluated process. Since Go 1.19 the runtime raises the soft limit to
    the hard limit at start, so the hard limit is what a Go server gets. When it is exhausted Go logs
    `http: Accept error: accept tcp [::]:8080: accept4: too many open files; retrying in 1s`.
    Also reports fs.file-max and the open-file count (fs.file-nr), and for --pid the open fds.
    Fix: raise the limit (systemd `LimitNOFILE=65536`, `docker run --ulimit nofile=65536:65536`,
    /etc/security/limits.conf), or find the fd leak."""
    p = f.get(PROCESS)
    lim = p.limits.get(NOFILE) if p.limits else None
    if lim is None:
        raise FactUnavailable(f"no `{NOFILE}` row in /proc/{p.pid}/limits")
    sc = f.get(SYSCTL)
    file_max, file_nr = sc.get("fs.file-max"), " ".join((sc.get("fs.file-nr") or "").split())
    ev: dict[str, Any] = {"soft": fmt_limit(lim.soft), "hard": fmt_limit(lim.hard), "fs.file-max": file_max or "",
          "fs.file-nr": file_nr or "", "open fds": "" if p.fd_count is None else p.fd_count}
    hard = lim.hard
    lo, rec, pct = int(f.threshold("host.nofile.min")), int(f.threshold("host.nofile.recommended")), int(
        f.threshold("host.nofile.usage-pct"))
    what = f"{p.label}: Max open files {lim.show()} (/proc/{p.pid}/limits)"
    fix = "raise the hard limit: LimitNOFILE=65536 in the unit, or `ulimit -Hn 65536` / --ulimit nofile=65536:65536"
    if hard is not None and hard < lo:
        return fail(f"{what}; below the minimum {lo} for a Go server", fix=fix, **ev)
    if p.fd_count is not None and lim.soft and p.pid != "self" and p.fd_count * 100 >= lim.soft * pct:
        return warn(
            f"{what}; {p.fd_count} fds open, {pct}% or more of the soft limit", fix="find the fd leak, or " + fix, **ev
        )
    nr, fmax = parse_int(file_nr), parse_int(file_max)
    if nr is not None and fmax and nr * 100 >= fmax * pct:
        return warn(f"the kernel file table is {nr}/{fmax} full (fs.file-nr)", fix="sysctl -w fs.file-max=...", **ev)
    if hard is not None and hard < rec:
        return warn(f"{what}; below the recommended {rec}", fix=fix, **ev)
    return ok(f"{what}; Go uses the hard limit", **ev)


@check("host.threads", category=Category.LIMITS, severity=Severity.MEDIUM,
       title="Enough processes/threads: RLIMIT_NPROC, cgroup pids.max, kernel.threads-max",
       thresholds={"min": 1024, "usage-pct": 80})
def threads(f: Facts) -> Finding:
    """Checks the limits on OS threads a Go program can create: RLIMIT_NPROC (per user, counts all of
    that user's processes), the cgroup's pids.max and kernel.threads-max. When hit, Go dies with
    `runtime: failed to create new OS thread (have 772 already; errno=11)` and
    `runtime: may need to increase max user processes (ulimit -u)`.
    Fix: raise LimitNPROC/TasksMax in the unit, `ulimit -u`, or the container's --pids-limit."""
    p = f.get(PROCESS)
    cg = f.get(CGROUP)
    tmax = f.get(SYSCTL).number("kernel.threads-max")
    lim = p.limits.get(NPROC) if p.limits else None
    bounds = [(v, name) for v, name in (
        (lim.soft if lim else None, f"RLIMIT_NPROC (/proc/{p.pid}/limits)"),
        (int(cg.pids.value) if cg.pids else None, cg.pids.source if cg.pids else "pids.max"),
        (tmax, "kernel.threads-max"),
    ) if v is not None]
    ev: dict[str, Any] = {"RLIMIT_NPROC": lim.show() if lim else "", "pids.max": cg.pids.value if cg.pids else "max",
          "kernel.threads-max": "" if tmax is None else tmax, "threads": p.status.threads or ""}
    if not bounds:
        return ok(f"{p.label}: no thread limit found (RLIMIT_NPROC unlimited, no pids.max)", **ev)
    value, name = min(bounds)
    need = int(f.threshold("host.threads.min"))
    if value < need:
        return fail(f"{p.label}: at most {value} threads ({name}); a Go server may need {need}",
                    fix="raise LimitNPROC= / TasksMax= in the unit, `ulimit -u`, or the pids limit", **ev)
    t = p.status.threads
    if t is not None and t * 100 >= value * int(f.threshold("host.threads.usage-pct")):
        return warn(f"{p.label} runs {t} threads of at most {value} ({name})",
                    fix="look for goroutines blocked in syscalls or cgo", **ev)
    return ok(f"{p.label}: up to {value} threads ({name} is the tightest)", **ev)


@check("host.max-map-count", category=Category.LIMITS, severity=Severity.MEDIUM,
       title="vm.max_map_count and overcommit leave room for the Go heap", thresholds={"min": 65530})
def max_map_count(f: Facts) -> Finding:
    """Checks vm.max_map_count (the number of memory mappings a process may have) and
    vm.overcommit_memory. A process that runs out of mappings dies with
    `fatal error: runtime: cannot allocate memory`. overcommit_memory=2 makes large Go heaps fail early.
    Fix: `sysctl -w vm.max_map_count=262144` (persist in /etc/sysctl.d/)."""
    sc = f.get(SYSCTL)
    mmc = sc.number("vm.max_map_count")
    over = sc.get("vm.overcommit_memory")
    if mmc is None:
        raise FactUnavailable("vm.max_map_count is not readable under /proc/sys")
    p = f.get(PROCESS)
    ev: dict[str, Any] = {"vm.max_map_count": mmc, "vm.overcommit_memory": over or "", "maps": p.maps_count or ""}
    need = int(f.threshold("host.max-map-count.min"))
    if mmc < need:
        return fail(f"vm.max_map_count={mmc} is below {need}", fix=f"sysctl -w vm.max_map_count={need}", **ev)
    if p.maps_count and p.maps_count * 100 >= mmc * 80:
        return warn(
            f"{p.label} has {p.maps_count} mappings of at most {mmc}", fix="sysctl -w vm.max_map_count=262144", **ev
        )
    if over == "2":
        return warn(f"vm.max_map_count={mmc}; vm.overcommit_memory=2 (strict) can fail large Go heaps",
                    fix="sysctl -w vm.overcommit_memory=0", **ev)
    return ok(f"vm.max_map_count={mmc}, vm.overcommit_memory={over}", **ev)


@check("host.inotify", category=Category.LIMITS, severity=Severity.LOW,
       title="inotify limits allow file watchers (fsnotify, gopls)",
       thresholds={"min-watches": 8192, "min-instances": 128})
def inotify(f: Facts) -> Finding:
    """Checks fs.inotify.max_user_watches and max_user_instances. Go programs that watch files
    (fsnotify, hot reload, gopls) fail with `too many open files` or `no space left on device` from
    inotify_add_watch when these are low. Fix: `sysctl -w fs.inotify.max_user_watches=524288`."""
    sc = f.get(SYSCTL)
    w, i = sc.number("fs.inotify.max_user_watches"), sc.number("fs.inotify.max_user_instances")
    if w is None or i is None:
        raise FactUnavailable("fs.inotify sysctls are not readable")
    ev: dict[str, Any] = {"max_user_watches": w, "max_user_instances": i}
    mw, mi = int(f.threshold("host.inotify.min-watches")), int(f.threshold("host.inotify.min-instances"))
    if w < mw or i < mi:
        return fail(
            f"fs.inotify.max_user_watches={w} (min {mw}), max_user_instances={i} (min {mi})",
            fix=f"sysctl -w fs.inotify.max_user_watches={max(w, mw)} fs.inotify.max_user_instances={max(i, mi)}",
            **ev,
        )
    return ok(f"fs.inotify.max_user_watches={w}, max_user_instances={i}", **ev)


@check("host.aslr", category=Category.RUNTIME, severity=Severity.INFO, title="Address space randomisation is on")
def aslr(f: Facts) -> Finding:
    """Reports kernel.randomize_va_space: 2 randomises stack, mmap, heap and PIE load addresses; 1 leaves
    the heap (brk) fixed; 0 turns ASLR off and makes every PIE Go binary's addresses predictable (what
    binary.hardening reports as PIE is then worth nothing). Informational: nothing fails to start.
    Fix: `sysctl -w kernel.randomize_va_space=2` (persist in /etc/sysctl.d/)."""
    v = f.get(SYSCTL).get("kernel.randomize_va_space")
    if v is None:
        raise FactUnavailable("kernel.randomize_va_space is not readable")
    if v != "2":
        return warn(f"kernel.randomize_va_space={v} (2 is full randomisation)",
                    fix="sysctl -w kernel.randomize_va_space=2", value=v)
    return ok("kernel.randomize_va_space=2 (full randomisation)", value=v)


@check(
    "host.wsl", category=Category.RUNTIME, severity=Severity.LOW, title="WSL: Go data not on the slow Windows drives"
)
def wsl(f: Facts) -> Iterator[Finding]:
    """Under WSL, GOPATH/GOCACHE/GOMODCACHE or the working directory on /mnt/<drive> (the Windows file
    system through 9p) makes builds many times slower and breaks file watching; a Windows `go.exe` on
    PATH runs Windows Go against Linux paths. Fix: keep Go data in the Linux home, drop /mnt/c/... Go
    entries from PATH (appendWindowsPath=false in /etc/wsl.conf)."""
    osrel = f.get(SYSCTL).get("kernel.osrelease") or ""
    env = target_env(f)
    if "microsoft" not in osrel.lower() and "WSL_DISTRO_NAME" not in env:
        yield skip(f"not WSL (kernel {osrel.strip() or 'unknown'})")
        return
    found = False
    for key in ("GOPATH", "GOCACHE", "GOMODCACHE", "PWD"):
        v = env.get(key, "")
        if v.startswith("/mnt/") and len(v) >= 6 and v[5].isalpha():
            found = True
            yield warn(f"{key}={v} is on a Windows drive (slow 9p file system)",
                       fix=f"move it under the Linux home and update {key}", subject=key)
    for d in f.get(WINDOWS_GO):
        found = True
        yield warn(f"a Windows go.exe is on PATH in {d}", fix="remove the Windows Go directory from PATH",
                   subject="PATH")
    if not found:
        yield ok("WSL: GOPATH, caches, working directory and PATH stay on the Linux file system")
