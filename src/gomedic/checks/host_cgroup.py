"""host.cgroup-cpu and host.cgroup-memory: cgroup limits vs what the Go runtime will do (part of area host)."""

from __future__ import annotations

from typing import Any

from gomedic.facts import Facts
from gomedic.facts.cgroup import CGROUP
from gomedic.facts.goruntime import GO_BINARY, cgroup_aware, parse_gomemlimit, predict_gomaxprocs
from gomedic.facts.proc import PROCESS, target_env
from gomedic.finding import Finding, fail, ok, warn
from gomedic.model import Category, Severity
from gomedic.registry import check
from gomedic.units import gomemlimit_value, mib


def _cpus(f: Facts) -> int:
    import os

    p = f.get(PROCESS)
    if p.status.cpus_allowed:
        return p.status.cpus_allowed
    return os.cpu_count() or 1


@check("host.cgroup-cpu", category=Category.LIMITS, severity=Severity.HIGH,
       title="GOMAXPROCS fits the cgroup CPU quota")
def cgroup_cpu(f: Facts) -> Finding:
    """Reads the cgroup CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us/cpu.cfs_period_us; the tightest of
    the process's cgroup and its ancestors) and predicts the GOMAXPROCS the Go runtime will pick.
    Go < 1.25, or a main module whose go.mod says `go 1.24` or older, sets GOMAXPROCS to the CPU count and
    ignores the quota: a 1.5-CPU container on a 16-CPU host runs 16 Ps, and the CFS throttles it (latency
    spikes, no error message). Go >= 1.25 uses ceil(quota), at least 2.
    Fix: set GOMAXPROCS in the service's environment, or rebuild with Go >= 1.25 and `go 1.25` in go.mod
    (or import go.uber.org/automaxprocs for older Go)."""
    cg = f.get(CGROUP)
    cpus = _cpus(f)
    env = target_env(f)
    ev: dict[str, Any] = {"cgroup": cg.version, "cpus": cpus, "GOMAXPROCS env": env.get("GOMAXPROCS", "")}
    if cg.cpu is None:
        return ok(f"no cgroup CPU quota (cgroup {cg.version}); GOMAXPROCS follows the {cpus} CPUs", **ev)
    quota = float(cg.cpu.value)
    ev.update({"quota": cg.cpu.extra, "quota file": cg.cpu.source, "quota CPUs": f"{quota:g}"})
    seen = f"cgroup CPU quota {quota:g} CPUs ({cg.cpu.extra} in {cg.cpu.source}), {cpus} CPUs"
    b = f.get(GO_BINARY)
    aware, why = cgroup_aware(b.go_version if b else None, b.setting("DefaultGODEBUG") if b else "",
                              env.get("GODEBUG", ""))
    # What container-aware Go (1.25+) picks: the quota rounded up, never below 2. More Ps than that is the bug.
    target = predict_gomaxprocs(cpus, quota, None, True).value
    fix = f"set GOMAXPROCS={target} in the service environment, or rebuild with Go >= 1.25 and `go 1.25` in go.mod"
    if b is not None:
        ev.update({"binary": b.path, "go": b.go_version or ""})
    if aware is None and "GOMAXPROCS" not in env:
        old = predict_gomaxprocs(cpus, quota, None, False)
        new = predict_gomaxprocs(cpus, quota, None, True)
        if old.value > target:
            return warn(f"{seen}: a Go < 1.25 program here runs GOMAXPROCS={old.value} (Go >= 1.25: {new.value})",
                        fix=fix + " (name the program with --binary or --pid to know)", **ev)
        return ok(f"{seen}: GOMAXPROCS={old.value} with any Go release", **ev)
    mp = predict_gomaxprocs(cpus, quota, env.get("GOMAXPROCS"), bool(aware))
    ev["GOMAXPROCS"] = mp.value
    who = f"{b.path} ({b.go_version})" if b else "the program"
    if mp.value > target:
        return fail(f"{seen}: {who} will run GOMAXPROCS={mp.value}, {mp.reason}: {why}; CFS throttling",
                    fix=fix, **ev)
    return ok(f"{seen}: {who} runs GOMAXPROCS={mp.value} ({mp.reason}; {why}), not above the quota", **ev)


@check("host.cgroup-memory", category=Category.LIMITS, severity=Severity.HIGH,
       title="GOMEMLIMIT is set below the cgroup memory limit", thresholds={"suggest-pct": 90})
def cgroup_memory(f: Facts) -> Finding:
    """Reads the cgroup memory limit (v2 memory.max, v1 memory.limit_in_bytes; tightest ancestor) and
    the GOMEMLIMIT of the evaluated environment. The Go runtime does not derive GOMEMLIMIT from the
    cgroup: with GOGC=100 the heap may grow to twice the live heap and the kernel OOM-kills the process
    (`OOMKilled`, exit 137) while most of the heap is garbage.
    Fix: set GOMEMLIMIT to about 90% of the limit (the summary suggests a value), e.g.
    `Environment=GOMEMLIMIT=460MiB` in the unit or from the Kubernetes downward API."""
    cg = f.get(CGROUP)
    env = target_env(f)
    raw = env.get("GOMEMLIMIT")
    ev: dict[str, Any] = {"cgroup": cg.version, "GOMEMLIMIT": raw or ""}
    if cg.memory is None:
        return ok(f"no cgroup memory limit (cgroup {cg.version}); GOMEMLIMIT={raw or 'unset'}", **ev)
    limit = int(cg.memory.value)
    ev.update({"memory limit": limit, "limit file": cg.memory.source})
    pct = int(f.threshold("host.cgroup-memory.suggest-pct"))
    suggest = gomemlimit_value(limit * pct // 100)
    seen = f"cgroup memory limit {mib(limit)} ({limit} bytes in {cg.memory.source})"
    fix = f"set GOMEMLIMIT={suggest} ({pct}% of the limit) in the service environment"
    if raw is None:
        return warn(f"{seen} and GOMEMLIMIT is unset: the heap can grow into the OOM killer", fix=fix,
                    suggested=suggest, **ev)
    try:
        v = parse_gomemlimit(raw)
    except ValueError as e:
        return fail(f"{e}; the Go runtime refuses to start", fix=fix, **ev)
    if v is None:
        return warn(f"{seen} and GOMEMLIMIT=off", fix=fix, suggested=suggest, **ev)
    if v >= limit:
        return fail(f"{seen} but GOMEMLIMIT={raw} is not below it: the OOM killer acts first", fix=fix,
                    suggested=suggest, **ev)
    return ok(f"{seen}; GOMEMLIMIT={raw} is below it", **ev)
