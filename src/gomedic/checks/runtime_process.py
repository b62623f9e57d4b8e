"""runtime (process side): fds, threads, GOMAXPROCS and the Go release of a probed service.

Registered by checks/runtime.py (area "runtime"). Values come from /metrics (process_*, go_threads,
go_sched_gomaxprocs_threads, go_info) or, with --pid, from /proc, the process's cgroup and its binary.
"""

from __future__ import annotations

from gomedic.checks.runtime import not_go, num, probe, sample
from gomedic.facts import Facts
from gomedic.facts.goruntime import godebug_value
from gomedic.facts.kernel import HOST_SYSCTL
from gomedic.facts.limits import NPROC
from gomedic.finding import Finding, fail, grade, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.probe import releases
from gomedic.probe.bounds import GO_MAX_THREADS, Bound, cpu_cap, go_default_gomaxprocs, tightest
from gomedic.probe.sample import M
from gomedic.registry import check

R = Category.RUNTIME


@check("runtime.fds", category=R, severity=Severity.HIGH, title="Open file descriptors are clear of the limit",
       thresholds={"warn": 0.8, "fail": 0.95})
def fds(f: Facts) -> Finding:
    """Open file descriptors stay under `warn` (warn) and `fail` (fail) of the process's limit.

    Go >= 1.19 raises the soft RLIMIT_NOFILE to the hard limit at start, so the limit read from the
    running process (process_max_fds, or /proc/PID/limits) is the one that bites. At the limit, accept
    loops log `http: Accept error: accept tcp ...: accept4: too many open files; retrying in 1s` and
    every open, dial and pipe fails with EMFILE.

    Fix: find the leak (`ls -l /proc/PID/fd`: sockets without deadlines, response bodies not closed,
    files not closed); raise LimitNOFILE= in the unit or `ulimit -n` (the hard limit).
    """
    d = probe(f)
    s = sample(d)
    n, lim = s.get(M.OPEN_FDS), s.get(M.MAX_FDS)
    ev = {"open fds": s.show(M.OPEN_FDS), "max fds": s.show(M.MAX_FDS)}
    if n is None or lim is None or lim <= 0:
        return skip("open fds or their limit not exposed: give --pid PID, or expose process_open_fds "
                    "and process_max_fds (client_golang's process collector)", subject=d.target.label, **ev)
    ratio = n / lim
    head = f"{int(n)} of {int(lim)} file descriptors open ({ratio:.0%}; {s.sources.get(M.OPEN_FDS)})"
    fix = (f"find what holds them (`ls -l /proc/{d.target.pid or 'PID'}/fd`); close response bodies and "
           "files, set deadlines; raise LimitNOFILE= (systemd) or the hard `ulimit -n`")
    return grade(ratio, num(f, "runtime.fds.warn"), num(f, "runtime.fds.fail"), head, fix=fix,
                 subject=d.target.label, **ev)


def _thread_bounds(d_pid: int | None, info_uid: int | None, nproc_soft: int | None,
                   pids_max: float | None, pids_src: str, threads_max: int | None) -> list[Bound]:
    bounds = [Bound(GO_MAX_THREADS, "Go's thread limit (debug.SetMaxThreads)", "runtime default")]
    if nproc_soft is not None and info_uid not in (None, 0):
        bounds.append(Bound(nproc_soft, "RLIMIT_NPROC (per user)", f"/proc/{d_pid}/limits"))
    if pids_max is not None:
        bounds.append(Bound(pids_max, "cgroup pids.max", pids_src))
    tmax = threads_max
    if tmax:
        bounds.append(Bound(tmax, "kernel.threads-max", "/proc/sys/kernel/threads-max"))
    return bounds


@check("runtime.threads", category=R, severity=Severity.MEDIUM, title="OS threads are clear of the limits",
       thresholds={"warn": 0.8, "fail": 0.95})
def threads(f: Facts) -> Finding:
    """The process's OS threads stay under `warn`/`fail` of the tightest limit: Go's own 10000 threads,
    RLIMIT_NPROC (counted per user, not enforced for root), the cgroup's pids.max, kernel.threads-max.

    Past a limit the runtime dies: `runtime: failed to create new OS thread (have 772 already;
    errno=11)` / `runtime: may need to increase max user processes (ulimit -u)`, or `fatal error: thread
    exhaustion` at Go's limit. Threads pile up when goroutines block in syscalls or cgo calls.

    Fix: find what blocks in syscalls (`curl URL/debug/pprof/goroutine?debug=2`, look for `[syscall]`
    and `locked to thread`); raise LimitNPROC=/TasksMax= or `ulimit -u`.
    """
    d = probe(f)
    s = sample(d)
    n = s.get(M.THREADS)
    if why := not_go(d):
        return skip(f"{why}: Go's thread limits do not apply", subject=d.target.label)
    if n is None:
        return skip("thread count not exposed: give --pid PID or expose go_threads", subject=d.target.label)
    info = d.process.info if d.process else None
    cg = d.process.cgroup if d.process else None
    nproc = info.limits.get(NPROC) if info is not None and info.limits is not None else None
    uid = info.status.uids[0] if info is not None and info.status.uids else None
    bounds = _thread_bounds(d.target.pid, uid, nproc.soft if nproc else None,
                            float(cg.pids.value) if cg is not None and cg.pids is not None else None,
                            cg.pids.source if cg is not None and cg.pids is not None else "",
                            f.get(HOST_SYSCTL).number("kernel.threads-max"))
    lim = tightest(bounds)
    assert lim is not None  # Go's own limit is always there
    ev = {"threads": s.show(M.THREADS)}
    ev.update({f"limit: {b.name}": f"{int(b.value)} ({b.source})" for b in bounds})
    ratio = n / lim.value
    head = f"{int(n)} OS threads = {ratio:.0%} of {lim.name} {int(lim.value)} ({s.sources.get(M.THREADS)})"
    fix = ("find goroutines blocked in syscalls or cgo (`/debug/pprof/goroutine?debug=2`: [syscall], locked to "
           "thread); raise LimitNPROC=/TasksMax= or `ulimit -u`")
    return grade(ratio, num(f, "runtime.threads.warn"), num(f, "runtime.threads.fail"), head, fix=fix,
                 subject=d.target.label, **ev)


@check("runtime.gomaxprocs", category=R, severity=Severity.MEDIUM,
       title="GOMAXPROCS matches the CPUs the process may use", thresholds={"warn_ratio": 1.0, "fail_ratio": 4.0})
def gomaxprocs(f: Facts) -> Finding:
    """GOMAXPROCS is not above the CPUs the process can use: its CPU affinity, capped by its cgroup CPU
    quota (rounded up; never below 2, as Go 1.25 does). Over `warn_ratio` times that warns, `fail_ratio`
    times fails.

    GOMAXPROCS comes from go_sched_gomaxprocs_threads, else the process's GOMAXPROCS variable, else what
    its Go release picks by default: before Go 1.25, or with `containermaxprocs=0` (a main module whose
    `go` line is below 1.25), the runtime ignores the CPU quota and runs as many threads as the host
    has CPUs; the kernel then throttles the process every period: latency spikes, no error message.

    Fix: build with Go >= 1.25 and `go 1.25` (or later) in go.mod; or set GOMAXPROCS to the quota in the
    service's environment; or use go.uber.org/automaxprocs on older Go.
    """
    d = probe(f)
    s = sample(d)
    info = d.process.info if d.process else None
    cg = d.process.cgroup if d.process else None
    binary = d.process.binary if d.process else None
    if info is None:
        return skip("the CPUs the process may use are known only with --pid PID", subject=d.target.label,
                    gomaxprocs=s.show(M.GOMAXPROCS))
    if why := not_go(d):
        return skip(f"{why}: it has no GOMAXPROCS", subject=d.target.label)
    affinity = info.status.cpus_allowed
    quota = float(cg.cpu.value) if cg is not None and cg.cpu is not None else None
    cap = cpu_cap(affinity, quota)
    env = info.environ or {}
    version = s.go_version or (binary.version if binary else None)
    default_godebug = (binary.default_godebug or "") if binary else ""
    cmp = godebug_value(env.get("GODEBUG", ""), "containermaxprocs") or godebug_value(default_godebug,
                                                                                       "containermaxprocs")
    gmp, why = s.get(M.GOMAXPROCS), "go_sched_gomaxprocs_threads"
    if gmp is None and env.get("GOMAXPROCS", "").strip().isdigit() and int(env["GOMAXPROCS"]) > 0:
        gmp, why = float(env["GOMAXPROCS"]), "the GOMAXPROCS variable in its environment"
    if gmp is None:
        default, why = go_default_gomaxprocs(version, default_godebug, env.get("GODEBUG", ""), affinity, quota)
        gmp = float(default) if default is not None else None
    ev = {"GOMAXPROCS": f"{gmp:g}" if gmp is not None else "unknown", "source": why,
          "CPU affinity": str(affinity), "cgroup CPU quota": f"{quota:g} CPUs ({cg.cpu.source})"
          if quota is not None and cg is not None and cg.cpu is not None else "none",
          "go version": version or "unknown", "GOMAXPROCS env": env.get("GOMAXPROCS", "unset"),
          "containermaxprocs": cmp or "default"}
    if gmp is None or cap is None:
        return skip("cannot tell GOMAXPROCS or the CPUs of the process", subject=d.target.label, **ev)
    ratio = gmp / cap
    head = f"GOMAXPROCS={gmp:g} ({why}) for {cap} usable CPU(s)"
    if quota is not None:
        head += f" (CPU quota {quota:g})"
    fix = (f"set GOMAXPROCS={cap} in the service's environment, or build with Go >= 1.25 and a `go 1.25` line "
           "in go.mod (automaxprocs on older Go)")
    if ratio >= num(f, "runtime.gomaxprocs.fail_ratio"):
        return fail(head + ": the kernel will throttle it", fix=fix, subject=d.target.label, **ev)
    if ratio > num(f, "runtime.gomaxprocs.warn_ratio"):
        return warn(head, fix=fix, subject=d.target.label, **ev)
    return ok(head, subject=d.target.label, **ev)


@check("runtime.go-release", category=R, severity=Severity.LOW,
       title="The service runs a supported Go release")
def go_release(f: Facts) -> Finding:
    """The Go release the service was built with is one of the newest two minors and their latest known
    patch (gomedic's release data, targets/data/go-releases.json, says as of when).

    Read from go_info{version} in /metrics, or from the build info of /proc/PID/exe (the binary is read,
    never run). Unsupported releases get no security fixes; an old patch misses the fixes of its own minor.

    Fix: rebuild the service with the release named in the summary and redeploy.
    """
    d = probe(f)
    s = sample(d)
    binary = d.process.binary if d.process else None
    version, src = s.go_version, "go_info in /metrics"
    if not version and binary is not None and binary.version:
        version, src = binary.version, binary.path
    if not version and (why := not_go(d)):
        return skip(why, subject=d.target.label)
    if not version:
        note = f" ({binary.note})" if binary is not None and binary.note else ""
        return skip("the Go release is not exposed: no go_info in /metrics, and no --pid binary to read" + note,
                    subject=d.target.label)
    data = releases.load()
    v = releases.judge(version, data)
    ev = {"go version": version, "source": src, "release data as of": data.as_of,
          "supported minors": ", ".join(f"1.{m}" for m in data.supported)}
    if v.support is releases.Support.UNKNOWN:
        return skip(f"{version} is not a Go release version gomedic can judge", subject=d.target.label, **ev)
    if v.support is releases.Support.UNSUPPORTED:
        return warn(f"{version} ({src}) is no longer supported; newest is go{v.latest}",
                    fix=f"rebuild with go{v.latest} and redeploy", subject=d.target.label, **ev)
    if v.support is releases.Support.OLD_PATCH:
        return warn(f"{version} ({src}) is not the latest patch of its minor (go{v.latest})",
                    fix=f"rebuild with go{v.latest} and redeploy", subject=d.target.label, **ev)
    return ok(f"{version} ({src}) is supported", subject=d.target.label, **ev)
