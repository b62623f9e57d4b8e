"""What the recognisers find: a Sign is one line that means something, with its time and its source."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType

from gomedic.values import field, frozen


class Source(str, Enum):
    JOURNAL = "journal"  # the unit's own output (stdout/stderr captured by journald)
    SYSTEMD = "systemd"  # systemd's messages about the unit
    KERNEL = "kernel"  # kernel ring buffer (journal -k, /dev/kmsg, dmesg)
    AUDIT = "audit"  # audit records (journal, /var/log/audit/audit.log)
    STATUS = "status"  # an exit status given or read from `systemctl show`


class Kind(str, Enum):
    """Everything `gomedic why` recognises. The value is the cause's stable name in reports."""

    GO_PANIC = "go-panic"
    GO_DEADLOCK = "go-deadlock"
    GO_CONCURRENT_MAP = "go-concurrent-map-writes"
    GO_OOM = "go-out-of-memory"
    GO_STACK_OVERFLOW = "go-stack-overflow"
    GO_FATAL = "go-fatal-error"
    GO_SIGNAL = "go-signal"  # SIGSEGV/SIGILL/SIGBUS... with PC= from the runtime
    CPU_LEVEL = "cpu-level"
    GLIBC_VERSION = "glibc-version"
    MISSING_LIBRARY = "missing-library"
    MISSING_INTERPRETER = "missing-interpreter"
    EXEC_FORMAT = "exec-format"
    PORT_IN_USE = "port-in-use"
    PORT_DENIED = "port-permission-denied"
    TOO_MANY_FILES = "too-many-open-files"
    X509_UNKNOWN_CA = "x509-unknown-authority"
    UNKNOWN_TIME_ZONE = "unknown-time-zone"
    BAD_GOMEMLIMIT = "bad-gomemlimit"
    BAD_GODEBUG = "bad-godebug"
    OSUSER_NO_CGO = "osuser-without-cgo"
    OOM_KILL = "oom-kill"
    KERNEL_TRAP = "kernel-trap"
    KERNEL_SEGFAULT = "kernel-segfault"
    SECCOMP = "seccomp"
    SYSTEMD_STEP = "systemd-step"  # 200/CHDIR, 203/EXEC, 217/USER...
    STOP_TIMEOUT = "stop-timeout"
    START_TIMEOUT = "start-timeout"
    EXIT = "exit"  # systemd's "Main process exited" or an exit status given: the what, not the why
    RESULT = "result"  # systemd's "Failed with result '...'"
    START_LIMIT = "start-limit"


@frozen
class Sign:
    kind: Kind
    line: str  # the evidence, as read (cut to a sane length)
    source: Source
    ts: float | None = None  # seconds since the epoch, when known
    pid: int | None = None
    detail: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def when(self) -> str:
        if self.ts is None:
            return "time unknown"
        import time

        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(self.ts)) + f".{int(self.ts * 1000) % 1000:03d}Z"

    def shown(self) -> str:
        return f"[{self.when()} {self.source.value}] {self.line}"


def make(kind: Kind, line: str, source: Source, ts: float | None, pid: int | None, **detail: str) -> Sign:
    return Sign(kind, cut(line), source, ts, pid, MappingProxyType(dict(detail)))


def cut(s: str, n: int = 400) -> str:
    s = s.rstrip()
    return s if len(s) <= n else s[: n - 1] + "…"
