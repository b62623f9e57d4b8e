"""service.port and service.limits (part of area service)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gomedic.checks.service import principal
from gomedic.facts import Facts
from gomedic.facts.kernel import HOST_SYSCTL
from gomedic.facts.ports import ports_in_args, ports_in_env
from gomedic.facts.servicefiles import EXEC, MANAGER, PORTS
from gomedic.facts.systemd import UNIT, ServiceUnit
from gomedic.facts.unitexec import parse_rlimit, parse_tasks_max
from gomedic.finding import Finding, fail, ok, skip
from gomedic.model import Category, Severity
from gomedic.registry import check

CAP_NET_BIND_SERVICE = 10


def _may_bind_low(f: Facts, u: ServiceUnit, port: int) -> tuple[bool, str]:
    who, why = principal(f, u)
    bset = u.bounding_caps
    in_bounding = bset is None or (("CAP_NET_BIND_SERVICE" in bset[1]) != bset[0])
    if not in_bounding:
        return False, "CapabilityBoundingSet= drops CAP_NET_BIND_SERVICE"
    if who is not None and who.is_root:
        return True, f"runs as {why}"
    if "CAP_NET_BIND_SERVICE" in u.ambient_caps:
        return True, "AmbientCapabilities=CAP_NET_BIND_SERVICE"
    exe = f.get(EXEC)
    path, caps = exe.path, exe.caps
    if caps is not None and caps >> CAP_NET_BIND_SERVICE & 1:
        return True, f"{path} has the file capability cap_net_bind_service"
    start = f.get(HOST_SYSCTL).number("net.ipv4.ip_unprivileged_port_start")
    if start is not None and port >= start:
        return True, f"net.ipv4.ip_unprivileged_port_start={start}"
    return False, f"runs as {why} without CAP_NET_BIND_SERVICE"


@check("service.port", category=Category.NETWORK, severity=Severity.HIGH,
       title="The ports the unit listens on are free and bindable")
def port(f: Facts) -> Iterator[Finding]:
    """Finds the ports the unit names (ExecStart flags like --listen :8080 / -addr=:80 / --port 8080,
    Environment variables named *PORT*, *ADDR*, *LISTEN*, *BIND*) and checks each: not already held by
    another process (else `listen tcp :8080: bind: address already in use`), and for ports below 1024
    (below net.ipv4.ip_unprivileged_port_start) that the unit may bind it: root, AmbientCapabilities=
    CAP_NET_BIND_SERVICE, or a file capability (else `listen tcp :80: bind: permission denied`).
    Fix: stop the other listener or change the port; add `AmbientCapabilities=CAP_NET_BIND_SERVICE`
    (or `setcap cap_net_bind_service=+ep BINARY`)."""
    u = f.get(UNIT)
    named = ports_in_args(u.exec_argv) + ports_in_env(u.environment)
    if not named:
        yield skip("no listen port named in ExecStart or Environment", subject=u.name)
        return
    held = f.get(PORTS)
    own = f.options.subject.pid
    seen: set[int] = set()
    for np in named:
        if np.port in seen:
            continue
        seen.add(np.port)
        ev = {"port": np.port, "from": np.origin}
        use = held.get(np.port)
        if use is not None:
            socks, who = use.sockets, use.holders
            if own is not None and any(pid == own for pid, _ in who):
                yield ok(f"port {np.port} ({np.origin}) is held by the unit's own process {own}", subject=u.name, **ev)
                continue
            if who and all(pid == 1 for pid, _ in who):  # socket activation: systemd holds it for the unit
                yield ok(f"port {np.port} ({np.origin}) is held by pid 1 ({who[0][1]}): socket activation",
                         subject=u.name, **ev)
                continue
            names = ", ".join(f"pid {p} ({c})" for p, c in who) or "another process"
            addrs = ", ".join(sorted({s.address for s in socks}))
            yield fail(f"port {np.port} ({np.origin}) is already held by {names} on {addrs}: "
                       f"`listen tcp :{np.port}: bind: address already in use`",
                       fix=f"stop the other listener (ss -ltnp 'sport = :{np.port}') or change the port",
                       subject=u.name, holder=names, **ev)
            continue
        if np.port < 1024:
            okay, why = _may_bind_low(f, u, np.port)
            if not okay:
                yield fail(f"port {np.port} ({np.origin}) is privileged and the unit {why}: "
                           f"`listen tcp :{np.port}: bind: permission denied`",
                           fix="add AmbientCapabilities=CAP_NET_BIND_SERVICE to [Service], or use a port >= 1024",
                           subject=u.name, **ev)
                continue
            yield ok(f"port {np.port} ({np.origin}) is free and bindable ({why})", subject=u.name, **ev)
            continue
        yield ok(f"port {np.port} ({np.origin}) is free", subject=u.name, **ev)


@check("service.limits", category=Category.LIMITS, severity=Severity.HIGH,
       title="LimitNOFILE, LimitNPROC and TasksMax give a Go server room",
       thresholds={"nofile-min": 4096, "nproc-min": 1024, "tasks-min": 512})
def limits(f: Facts) -> Iterator[Finding]:
    """Computes the limits the unit's process will get: LimitNOFILE= (else the manager's
    DefaultLimitNOFILE, 1024:524288), LimitNPROC=, TasksMax= (else DefaultTasksMax, 15% of the kernel's
    limit), and the host's fs.nr_open (a LimitNOFILE above it fails the start). Go uses the hard NOFILE
    limit; a server at LimitNOFILE=1024 logs `accept4: too many open files`; a low TasksMax gives
    `runtime: failed to create new OS thread`.
    Fix: set `LimitNOFILE=65536` (and TasksMax=/LimitNPROC= as needed) in a drop-in:
    `systemctl edit UNIT`."""
    u = f.get(UNIT)
    conf = f.get(MANAGER)
    found = 0
    nofile = u.limits.get("LimitNOFILE")
    where = nofile[2] if nofile else "DefaultLimitNOFILE"
    if nofile is None:
        d, _ = parse_rlimit(conf.get("DefaultLimitNOFILE", "1024:524288"))
        nofile = (d[0], d[1], where) if d else (1024, 524288, where)
    soft, hard, _w = nofile
    ev: dict[str, Any] = {"LimitNOFILE": f"{soft}:{hard}", "from": where}
    sc = f.get(HOST_SYSCTL)
    nr_open = sc.number("fs.nr_open")
    need = int(f.threshold("service.limits.nofile-min"))
    if hard is not None and hard < need:
        found += 1
        yield fail(f"LimitNOFILE hard limit {hard} ({where}) is below {need}: a Go server runs out of fds "
                   "(`accept4: too many open files`)", fix=f"set LimitNOFILE={max(need, 65536)} in a drop-in "
                   f"(systemctl edit {u.name})", subject=u.name, **ev)
    elif nr_open is not None and (hard is None or hard > nr_open):
        found += 1
        yield fail(f"LimitNOFILE={hard or 'infinity'} ({where}) exceeds fs.nr_open={nr_open}: systemd cannot "
                   "apply it and the start fails", fix=f"set LimitNOFILE={nr_open} or raise fs.nr_open",
                   subject=u.name, **ev)
    nproc = u.limits.get("LimitNPROC")
    if nproc and nproc[1] is not None and nproc[1] < int(f.threshold("service.limits.nproc-min")):
        found += 1
        yield fail(f"LimitNPROC={nproc[1]} ({nproc[2]}) is below {f.threshold('service.limits.nproc-min')} "
                   "(it counts all processes of the user)", fix="raise LimitNPROC= or remove it",
                   subject=u.name, LimitNPROC=nproc[1])
    tmax, pid_max = sc.number("kernel.threads-max"), sc.number("kernel.pid_max")
    kernel = min(x for x in (tmax, pid_max, 1 << 22) if x is not None)
    te = u.tasks_max
    raw = te.value if te else conf.get("DefaultTasksMax", "15%")
    tasks, err = parse_tasks_max(raw, kernel)
    if err:
        found += 1
        yield fail(f"TasksMax: {err} ({te.where if te else '/etc/systemd/system.conf'})", fix="use N, N% or infinity",
                   subject=u.name)
    elif tasks is not None and tasks < int(f.threshold("service.limits.tasks-min")):
        found += 1
        yield fail(f"TasksMax={raw} ({te.where if te else 'DefaultTasksMax'}) allows {tasks} tasks: "
                   "`runtime: failed to create new OS thread`", fix="raise TasksMax= (e.g. TasksMax=4096)",
                   subject=u.name, TasksMax=tasks)
    if not found:
        yield ok(f"LimitNOFILE {soft}:{hard} ({where}), TasksMax {raw} = {tasks if tasks is not None else 'infinity'}"
                 + (f", LimitNPROC {nproc[1]}" if nproc else ""), subject=u.name, **ev)
