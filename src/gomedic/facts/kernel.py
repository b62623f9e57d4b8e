"""Kernel settings and host markers read under a root: sysctls, container markers, LSM state, WSL.

Each fact reads through `f.reader`; the parsers beside them are pure (tested on captured text).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from gomedic.facts import Facts, fact
from gomedic.facts.door import Reader
from gomedic.facts.limits import parse_int
from gomedic.facts.proc import PROCESS, target_env, target_root
from gomedic.values import frozen

# The sysctls checks read (dots; read from <root>/proc/sys/<name with slashes>).
SYSCTL_NAMES = (
    "kernel.osrelease", "kernel.threads-max", "kernel.pid_max", "kernel.randomize_va_space",
    "fs.file-max", "fs.file-nr", "fs.nr_open", "fs.inotify.max_user_watches", "fs.inotify.max_user_instances",
    "vm.max_map_count", "vm.overcommit_memory", "net.ipv4.ip_unprivileged_port_start",
)
AUDIT_LOG = "/var/log/audit/audit.log"


@frozen
class Sysctls:
    """Sysctl values (stripped text) by name; None when absent or unreadable."""

    values: Mapping[str, str | None]

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def number(self, name: str) -> int | None:
        return parse_int(self.values.get(name))


def read_sysctls(reader: Reader, root: Path, names: tuple[str, ...] = SYSCTL_NAMES) -> Sysctls:
    out: dict[str, str | None] = {}
    for name in names:
        text = reader.text(root, "/proc/sys/" + name.replace(".", "/"))
        out[name] = None if text is None else text.strip()
    return Sysctls(MappingProxyType(out))


@fact("kernel.sysctl")
def SYSCTL(f: Facts) -> Sysctls:
    """The sysctls of the evaluated root (`/`, or --root)."""
    return read_sysctls(f.reader, target_root(f))


@fact("kernel.sysctl-host")
def HOST_SYSCTL(f: Facts) -> Sysctls:
    """The sysctls of this machine's kernel (what a unit or a probed process started here gets)."""
    return read_sysctls(f.reader, Path("/"))


def container_of(dockerenv: bool, containerenv: bool, pid1_environ: str) -> str:
    """docker, podman, container, kubernetes_service_host, or "" (not in a container)."""
    if dockerenv:
        return "docker"
    if containerenv:
        return "podman"
    for marker in ("container=", "KUBERNETES_SERVICE_HOST="):
        if marker in pid1_environ:
            return marker.rstrip("=").lower()
    return ""


@fact("host.container")
def CONTAINER(f: Facts) -> str:
    root, r = target_root(f), f.reader
    if r.exists(root, "/.dockerenv"):
        return container_of(True, False, "")
    if r.exists(root, "/run/.containerenv"):
        return container_of(False, True, "")
    return container_of(False, False, r.text(root, "/proc/1/environ") or "")


@frozen
class LsmState:
    selinux_enforce: str | None  # text of /sys/fs/selinux/enforce; None: no SELinux
    apparmor_enabled: str  # "Y", "N" or "" (no AppArmor)
    label: str  # the evaluated process's AppArmor/SELinux label, "" when none
    audit_denials: int | None  # None: the audit log is not readable


def count_denials(audit: str) -> int:
    """SELinux (avc:) and AppArmor (apparmor=) denials in an audit log."""
    return sum(1 for ln in audit.splitlines() if "denied" in ln and ("avc:" in ln or "apparmor=" in ln))


@fact("host.lsm")
def LSM(f: Facts) -> LsmState:
    root, r, pid = target_root(f), f.reader, f.get(PROCESS).pid
    label = r.text(root, f"/proc/{pid}/attr/apparmor/current") or r.text(root, f"/proc/{pid}/attr/current") or ""
    audit = r.text(root, AUDIT_LOG, limit=1 << 20)
    return LsmState(r.text(root, "/sys/fs/selinux/enforce"),
                    (r.text(root, "/sys/module/apparmor/parameters/enabled") or "").strip(), label.strip("\0\n "),
                    None if audit is None else count_denials(audit))


@fact("host.windows-go")
def WINDOWS_GO(f: Facts) -> tuple[str, ...]:
    """Directories on the evaluated PATH under /mnt/ that hold a Windows go.exe (WSL)."""
    found = []
    for d in target_env(f).get("PATH", "").split(":"):
        if d.startswith("/mnt/") and f.reader.is_executable(Path("/"), d.rstrip("/") + "/go.exe"):
            found.append(d)
    return tuple(found)


SYSCALLS = {"clone3": 435, "faccessat2": 439}  # the generic syscall table: same on amd64 and arm64


def probe_syscall(name: str) -> int:
    """errno of a harmless call of `name` in this process: clone3(NULL, 0) (EINVAL when allowed),
    faccessat2(AT_FDCWD, "/", F_OK, 0) (0 when allowed); EPERM means a seccomp filter blocks it."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    ctypes.set_errno(0)
    args: tuple[object, ...] = (None, 0) if name == "clone3" else (-100, b"/", 0, 0)  # -100: AT_FDCWD
    rc = libc.syscall(SYSCALLS[name], *args)
    return 0 if rc == 0 else ctypes.get_errno()


@fact("host.syscall-probe")
def SYSCALL_PROBE(f: Facts) -> Mapping[str, int]:
    """clone3 and faccessat2 called harmlessly in this process: the errno of each (0: allowed), which tells
    a seccomp filter that answers EPERM from one that lets glibc fall back (host.seccomp)."""
    return MappingProxyType({name: probe_syscall(name) for name in SYSCALLS})
