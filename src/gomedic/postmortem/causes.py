"""For each recognised Kind: what it means, the fix, and the gomedic checks that catch it before a start.

`rank`: when several signs are present the highest rank is the most likely cause. The kernel's and
systemd's own records outrank what the program printed (a process killed by the OOM killer prints
nothing), a runtime crash outranks the library error that may have led to it, and the bare exit status
ranks last (it says what happened, not why). Texts may name `{detail}` keys of the sign.
"""

from __future__ import annotations

from collections.abc import Mapping

from gomedic.postmortem.signs import Kind
from gomedic.values import frozen


@frozen
class Cause:
    title: str
    fix: str
    catch: tuple[str, ...]  # check ids that would have caught it before the start (run again by why.confirm)
    rank: int


CAUSES: Mapping[Kind, Cause] = {
    Kind.SYSTEMD_STEP: Cause(
        "systemd could not start the program: step {step} failed{error_sfx}",
        "see the step's fix in docs/why.md: 200/CHDIR create or grant WorkingDirectory=, 203/EXEC install the "
        "program (right architecture, ELF interpreter present), 217/USER create the User=",
        ("service.unit", "service.user", "binary.interpreter", "binary.arch"), 100),
    Kind.CPU_LEVEL: Cause(
        "the binary needs a newer CPU than this one: {line}",
        "rebuild with a lower level (GOAMD64=v1 runs on every amd64 CPU) or run it on newer hardware",
        ("binary.cpu-level",), 95),
    Kind.MISSING_INTERPRETER: Cause(
        "the program's ELF interpreter (dynamic loader) is missing: exec says 'No such file or directory' "
        "although the file exists",
        "build with CGO_ENABLED=0 (a static binary needs no loader), or install the C library it was built "
        "against (glibc: libc6; musl: musl)",
        ("binary.interpreter",), 95),
    Kind.EXEC_FORMAT: Cause(
        "the program is not an executable for this machine (exec format error)",
        "build for this host: GOOS=linux GOARCH=$(go env GOHOSTARCH) go build",
        ("binary.arch", "binary.format", "service.unit"), 95),
    Kind.GLIBC_VERSION: Cause(
        "the binary needs {what}, newer than this system's C library",
        "build on (or for) the oldest glibc you deploy to, or build with CGO_ENABLED=0",
        ("binary.glibc",), 95),
    Kind.MISSING_LIBRARY: Cause(
        "a shared library the binary needs is missing: {what}",
        "install the package that provides {what}, or build with CGO_ENABLED=0 / static linking",
        ("binary.libs",), 95),
    Kind.OOM_KILL: Cause(
        "the kernel's OOM killer killed the process ({scope})",
        "give the service more memory (MemoryMax=) or make it use less; set GOMEMLIMIT a little below the "
        "cgroup limit so the Go GC works harder before the kernel kills it",
        ("host.cgroup-memory",), 90),
    Kind.SECCOMP: Cause(
        "a seccomp filter killed the process on system call {syscall} (arch {arch})",
        "allow the system call in SystemCallFilter= (or the container's seccomp profile); "
        "`ausyscall {syscall}` names it",
        ("host.seccomp",), 90),
    Kind.BAD_GOMEMLIMIT: Cause(
        "GOMEMLIMIT is malformed and the Go runtime refused to start",
        "set GOMEMLIMIT to a byte count with an optional unit (B, KiB, MiB, GiB, TiB), e.g. GOMEMLIMIT=900MiB, "
        "or to off",
        ("service.env",), 88),
    Kind.BAD_GODEBUG: Cause(
        "the Go runtime refused to start: {message}",
        "remove that key from GODEBUG (https://go.dev/doc/godebug lists what each release removed)",
        ("service.env",), 88),
    Kind.GO_OOM: Cause(
        "the Go runtime could not get memory from the OS (runtime: out of memory)",
        "raise the limit that was hit (LimitAS=/ulimit -v, MemoryMax=, vm.overcommit) or reduce the heap; "
        "GOMEMLIMIT makes the GC keep the heap under a soft limit",
        ("host.cgroup-memory",), 85),
    Kind.GO_DEADLOCK: Cause(
        "every goroutine was blocked: the Go runtime stopped the program (deadlock){at}",
        "fix the blocking at the named frame (a channel nobody sends on, a WaitGroup never done)", (), 80),
    Kind.GO_CONCURRENT_MAP: Cause(
        "two goroutines wrote a map at the same time: the Go runtime stopped the program{at}",
        "guard the map with a sync.Mutex or use sync.Map; `go test -race` finds the writers", (), 80),
    Kind.GO_STACK_OVERFLOW: Cause(
        "a goroutine's stack outgrew its limit (unbounded recursion){at}",
        "fix the recursion at the named frame (debug.SetMaxStack only moves the limit)", (), 80),
    Kind.GO_FATAL: Cause(
        "the Go runtime stopped the program: fatal error: {message}{at}",
        "see the message and the frame; `GOTRACEBACK=all` shows every goroutine", (), 78),
    Kind.GO_PANIC: Cause(
        "the program panicked: {message}{at}",
        "fix the code at the named frame (a nil map or pointer, an index out of range...)", (), 75),
    Kind.KERNEL_TRAP: Cause(
        "the CPU refused an instruction (trap {trap}) in {where}: a binary built for a newer CPU level, or "
        "cgo code compiled with -march for another machine",
        "rebuild with GOAMD64=v1 and CGO_CFLAGS without -march=native",
        ("binary.cpu-level",), 72),
    Kind.GO_SIGNAL: Cause(
        "the process received {signal} at PC={pc} outside Go code it could recover (cgo, a corrupted binary, "
        "or an instruction this CPU lacks)",
        "see the stack that follows in the log; for SIGILL check the CPU level, for SIGSEGV in C code the C library",
        ("binary.cpu-level", "binary.libs"), 70),
    Kind.KERNEL_SEGFAULT: Cause(
        "the process crashed on a bad memory access at {addr} (kernel segfault record) in {where}",
        "a Go program prints its own stack for its faults; a bare segfault is usually C code (cgo) or a "
        "library mismatch: check the libraries", ("binary.libs", "binary.glibc"), 68),
    Kind.PORT_IN_USE: Cause(
        "the address {arg} was already in use: another process (or another copy) holds it",
        "find the holder (`ss -ltnp 'sport = :PORT'`), stop it or change the service's port",
        ("service.port",), 60),
    Kind.PORT_DENIED: Cause(
        "binding {arg} was denied: ports below 1024 need CAP_NET_BIND_SERVICE",
        "add AmbientCapabilities=CAP_NET_BIND_SERVICE to the unit, or use a port >= 1024",
        ("service.port",), 60),
    Kind.TOO_MANY_FILES: Cause(
        "the process ran out of file descriptors (too many open files)",
        "raise LimitNOFILE= in the unit (Go raises the soft limit to the hard one itself) and look for leaked "
        "connections or files", ("service.limits", "host.nofile"), 55),
    Kind.X509_UNKNOWN_CA: Cause(
        "TLS verification failed: the certificate's issuer is not in this system's CA bundle",
        "install the CA bundle (ca-certificates) or add the issuing CA; SSL_CERT_FILE/SSL_CERT_DIR point Go at it",
        ("tls.ca-bundle",), 55),
    Kind.UNKNOWN_TIME_ZONE: Cause(
        "the time zone {what} is unknown: no zone database on this system",
        "install tzdata, or build with -tags timetzdata (or import time/tzdata) to embed it",
        ("tls.tzdata",), 55),
    Kind.OSUSER_NO_CGO: Cause(
        "os/user in a cgo-less binary found neither cgo nor $USER",
        "set User= in the unit (systemd then sets USER and HOME) or Environment=USER=... HOME=...",
        ("service.env",), 55),
    Kind.STOP_TIMEOUT: Cause(
        "the program did not stop within TimeoutStopSec= after SIGTERM and systemd killed it ({state} timed out)",
        "handle SIGTERM (signal.NotifyContext) and finish within TimeoutStopSec=, or raise TimeoutStopSec=",
        ("why.unit-stop",), 50),
    Kind.START_TIMEOUT: Cause(
        "systemd gave up waiting for the start to finish (TimeoutStartSec=) and stopped the program: with "
        "Type=notify a program that never sends READY=1 ends this way although it ran fine",
        "Type=exec for a program without sd_notify, or send READY=1 once serving; else raise TimeoutStartSec=",
        ("why.unit-notify",), 50),
    Kind.START_LIMIT: Cause(
        "systemd gave up restarting the unit (start request repeated too quickly); see the run before",
        "fix the crash, then `systemctl reset-failed UNIT`", (), 20),
}

# What a bare exit status means when nothing else was found (rank below every recognised line).
STATUS_CAUSES: Mapping[str, Cause] = {
    "exit-2": Cause(
        "exit status 2: how the Go runtime ends a program after a panic or a fatal error; the "
        "message was not in what was read (StandardError=null? a rotated journal?)",
        "read the program's stderr; make sure StandardError= goes to the journal",
        ("why.unit-output",),
        10,
    ),
    "killed-KILL": Cause(
        "the process was killed with SIGKILL and no OOM record was found: the OOM killer "
        "(kernel log not readable or rotated), systemd after a stop timeout, or someone's kill -9",
        "read the kernel log around that time (journalctl -k); check MemoryMax= and TimeoutStopSec=",
        ("host.cgroup-memory", "why.unit-stop"),
        10,
    ),
    "killed-TERM": Cause(
        "the process was stopped with SIGTERM (a stop or restart of the unit), and did not "
        "exit with status 0: it does not handle SIGTERM",
        "handle SIGTERM in the program (signal.NotifyContext) and exit 0",
        ("why.unit-stop",),
        10,
    ),
    "killed-ABRT": Cause(
        "the process aborted (SIGABRT): Go sends this to itself on GOTRACEBACK=crash, and C code on abort()",
        "read the stack dump before it in the log",
        (),
        10,
    ),
}

# systemd's step failures: the checks that catch each before a start, and its fix.
STEP_CATCH: Mapping[str, tuple[str, ...]] = {
    "EXEC": ("service.unit", "binary.format", "binary.arch", "binary.interpreter", "binary.libs"),
    "CHDIR": ("service.user",),
    "USER": ("service.user",),
    "GROUP": ("service.user",),
    "LIMITS": ("service.limits",),
    "NAMESPACE": ("service.unit",),
}
STEP_FIX: Mapping[str, str] = {
    "EXEC": "install the program at the ExecStart= path, executable by the unit's user and built for this "
            "host (architecture and ELF interpreter); systemd logs the exec error next to the step",
    "CHDIR": "create WorkingDirectory= (or prefix it with '-') and let the unit's user enter it "
             "(chmod/chown, or StateDirectory=)",
    "USER": "create the unit's User= (useradd --system NAME) or use DynamicUser=yes",
    "GROUP": "create the unit's Group= / SupplementaryGroups= (groupadd NAME)",
    "NAMESPACE": "a path in ReadWritePaths=/ReadOnlyPaths=/BindPaths= (or a PrivateTmp=/ProtectSystem= mount) "
                 "cannot be set up: create the paths or prefix them with '-'",
    "LIMITS": "a Limit*= value exceeds what the system allows (e.g. LimitNOFILE= above fs.nr_open): lower it",
}
