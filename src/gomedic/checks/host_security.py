"""host.seccomp, host.lsm, host.net-tools (part of area host)."""

from __future__ import annotations

import errno
from typing import Any

from gomedic.facts import Facts
from gomedic.facts.kernel import AUDIT_LOG, LSM, SYSCALL_PROBE
from gomedic.facts.nettools import NET_TOOLS, TOOLS
from gomedic.facts.proc import PROCESS
from gomedic.finding import Finding, ok, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

SECCOMP_MODES = {0: "disabled", 1: "strict", 2: "filter"}


@check("host.seccomp", category=Category.RUNTIME, severity=Severity.MEDIUM,
       title="No seccomp filter returns EPERM for clone3/faccessat2")
def seccomp(f: Facts) -> Finding:
    """Reads the seccomp mode of the evaluated process (/proc/<pid>/status `Seccomp:`). Under a filter
    (mode 2, containers), old Docker/containerd/runc profiles answer syscalls newer than the profile
    with EPERM instead of ENOSYS, so glibc >= 2.34 cannot fall back from clone3 and Go programs die with
    `runtime/cgo: pthread_create failed: Operation not permitted` (musl: faccessat2, `make: /bin/sh:
    Operation not permitted`). For gomedic itself the two syscalls are probed harmlessly.
    Fix: upgrade Docker (>= 20.10.10), runc (>= 1.0.2) and libseccomp, or run with an updated
    seccomp profile (`--security-opt seccomp=...`), or use a bullseye-based image."""
    p = f.get(PROCESS)
    mode = p.status.seccomp
    ev: dict[str, Any] = {"Seccomp": "" if mode is None else mode, "filters": p.status.seccomp_filters or 0}
    if mode is None:
        return ok(f"{p.label}: the kernel reports no seccomp mode (no Seccomp: line in /proc/{p.pid}/status)", **ev)
    name = SECCOMP_MODES.get(mode, str(mode))
    if mode != 2:
        return ok(f"{p.label}: seccomp {name} (Seccomp: {mode}); no filter can return EPERM", **ev)
    if p.pid != "self" or not p.live:
        return warn(f"{p.label} runs under a seccomp filter ({p.status.seccomp_filters} filters); an old "
                    "runtime profile returns EPERM for clone3/faccessat2",
                    fix="run `gomedic host` inside the same container to probe the syscalls", **ev)
    blocked = []
    for sc, e in f.get(SYSCALL_PROBE).items():
        ev[sc] = errno.errorcode.get(e, str(e)) if e else "allowed"
        if e == errno.EPERM:
            blocked.append(sc)
    if blocked:
        return warn(f"seccomp filter returns EPERM for {', '.join(blocked)}: glibc >= 2.34 and musl >= 1.2.2 "
                    "cannot fall back; threads fail with `pthread_create failed: Operation not permitted`",
                    fix="upgrade the container runtime and libseccomp, or use a profile that returns ENOSYS", **ev)
    return ok("seccomp filter active; clone3 and faccessat2 are not blocked with EPERM", **ev)


@check("host.lsm", category=Category.RUNTIME, severity=Severity.LOW,
       title="SELinux/AppArmor confinement and recent denials")
def lsm(f: Facts) -> Finding:
    """Reports SELinux mode (/sys/fs/selinux/enforce) and the AppArmor profile confining the evaluated
    process (/proc/<pid>/attr/current), and counts denials in /var/log/audit/audit.log when readable.
    Denials look like `permission denied` from open/bind/execve with correct file modes.
    Fix: adjust the policy (audit2allow, aa-logprof) or the file labels (restorecon)."""
    p = f.get(PROCESS)
    lsm_ = f.get(LSM)
    enforce, aa_enabled, label, denials = lsm_.selinux_enforce, lsm_.apparmor_enabled, lsm_.label, lsm_.audit_denials
    selinux = "absent" if enforce is None else ("enforcing" if enforce.strip() == "1" else "permissive")
    ev: dict[str, Any] = {"selinux": selinux, "apparmor": aa_enabled or "absent", "label": label or "unconfined"}
    if denials is not None:
        ev["audit denials"] = str(denials)
    confined = selinux == "enforcing" or (label not in ("", "unconfined") and "(enforce)" in label)
    apparmor = "enabled" if aa_enabled == "Y" else "not enabled"
    seen = f"SELinux {selinux}, AppArmor {apparmor}, {p.label} is {label or 'unconfined'}"
    if confined and denials:
        return warn(f"{seen}; {denials} denials in {AUDIT_LOG}",
                    fix="review the denials (ausearch -m avc -ts recent) and adjust the policy", **ev)
    tail = "" if denials is not None else "; audit log not readable"
    return ok(f"{seen}{tail}", **ev)


@check("host.net-tools", category=Category.NETWORK, severity=Severity.INFO,
       title="curl, wget, openssl present for debugging")
def net_tools(f: Facts) -> Finding:
    """Reports which of curl, wget and openssl are on the evaluated process's PATH (under --root when
    given), what each file is (ELF and interpreter, a script's #! line) and, when it is the same file as
    the tool on gomedic's own trusted PATH, the version and TLS backend it reports. A program found on an
    inspected PATH is never executed (it could be anyone's). Informational: they are what an operator
    reaches for when a Go service cannot connect.
    Fix: install the ones you need (apt-get install curl openssl)."""
    tools = f.get(NET_TOOLS)
    ev: dict[str, Any] = {t.name: t.describe() for t in tools}
    found = [t.name for t in tools if t.path is not None]
    if not found:
        return warn(f"none of {', '.join(TOOLS)} on PATH", fix="apt-get install curl openssl (or your distro's)", **ev)
    missing = [t for t in TOOLS if t not in found]
    return ok(f"on PATH: {', '.join(found)}" + (f"; missing: {', '.join(missing)}" if missing else ""), **ev)
