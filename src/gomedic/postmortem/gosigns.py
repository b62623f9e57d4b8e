"""The Go runtime's, the dynamic loader's and common Go library messages, recognised in a unit's output.

Texts are those of the Go runtime source (src/runtime: panic.go, proc.go, mgcpacer.go, stack.go,
signal_unix.go, asm_amd64.s; internal/runtime/maps) and of glibc's ld.so; see docs/why.md.
A Go crash is many lines (one journal entry each): `panic:` is followed by `goroutine N [running]:` and
the stack, whose first frame outside the runtime is where it happened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from gomedic.postmortem.lines import LogLine
from gomedic.postmortem.signs import Kind, Sign, Source, make

FATAL: tuple[tuple[str, Kind], ...] = (
    ("all goroutines are asleep - deadlock!", Kind.GO_DEADLOCK),
    ("concurrent map writes", Kind.GO_CONCURRENT_MAP),
    ("concurrent map read and map write", Kind.GO_CONCURRENT_MAP),
    ("concurrent map iteration and map write", Kind.GO_CONCURRENT_MAP),
    ("out of memory", Kind.GO_OOM),
    ("runtime: out of memory", Kind.GO_OOM),
    ("stack overflow", Kind.GO_STACK_OVERFLOW),
    ("malformed GOMEMLIMIT", Kind.BAD_GOMEMLIMIT),
    ("removed GODEBUG", Kind.BAD_GODEBUG),
)

PATTERNS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(r"This program can only be run on (AMD64 processors with (v\d) microarchitecture support|"
                r"processors with MMX support)"), Kind.CPU_LEVEL),
    (re.compile(r"This program can only run on ARM64 processors with LSE support"), Kind.CPU_LEVEL),
    (re.compile(r"version [`'](GLIBC_\d+\.\d+(?:\.\d+)?)' not found"), Kind.GLIBC_VERSION),
    (re.compile(r"error while loading shared libraries: (\S+): cannot open shared object file"), Kind.MISSING_LIBRARY),
    (re.compile(r"[Ee]xec format error"), Kind.EXEC_FORMAT),
    (re.compile(r"cannot execute: required file not found|^exec (\S+): no such file or directory$"),
     Kind.MISSING_INTERPRETER),
    (re.compile(r"listen (tcp\d?|udp\d?|unix) (\S+): bind: address already in use"), Kind.PORT_IN_USE),
    (re.compile(r"listen (tcp\d?|udp\d?) (\S+): bind: permission denied"), Kind.PORT_DENIED),
    (re.compile(r"too many open files"), Kind.TOO_MANY_FILES),
    (re.compile(r"x509: certificate signed by unknown authority"), Kind.X509_UNKNOWN_CA),
    (re.compile(r"unknown time zone (\S+)"), Kind.UNKNOWN_TIME_ZONE),
    (re.compile(r"user: Current requires cgo or \$USER set in environment"), Kind.OSUSER_NO_CGO),
)

SIGNAL_RE = re.compile(r"^(SIG[A-Z]+): ([a-z ]+)$")
SIGLINE_RE = re.compile(r"^\[signal (SIG[A-Z]+): [^\]]*pc=(0x[0-9a-f]+)\]")
PC_RE = re.compile(r"^PC=(0x[0-9a-f]+)")
GOROUTINE_RE = re.compile(r"^goroutine \d+ (?:gp=\S+ m=\S+ mp=\S+ )?\[([^\]]+)\]:")
GOMEMLIMIT_RE = re.compile(r"^GOMEMLIMIT=(.*)$")
FRAME_SKIP = ("panic(", "runtime.", "internal/runtime/", "created by ")


def _text(ln: LogLine) -> str:
    return ln.text.rstrip("\n")


def first_frame(lines: Sequence[LogLine], start: int, limit: int = 60) -> tuple[str, str] | None:
    """After `goroutine N [running]:`, the first frame outside the runtime: (function, file:line)."""
    end = min(len(lines), start + limit)
    for i in range(start, end):
        if GOROUTINE_RE.match(_text(lines[i])):
            for j in range(i + 1, end):
                fn = _text(lines[j]).strip()
                if not fn or fn.startswith("goroutine "):
                    return None
                if lines[j].text.startswith(("\t", " ")) or fn.startswith(FRAME_SKIP) or fn.startswith("..."):
                    continue
                loc = _text(lines[j + 1]).strip() if j + 1 < len(lines) else ""
                return fn, loc.split(" +0x")[0]
            return None
    return None


def recognise(lines: Sequence[LogLine]) -> Iterator[Sign]:
    """Signs in a unit's output lines (in time order; one line may give at most one sign)."""
    for i, ln in enumerate(lines):
        if ln.source is not Source.JOURNAL and ln.source is not Source.SYSTEMD:
            continue
        t = _text(ln)
        s = t.strip()
        src = ln.source
        if s.startswith("panic: "):
            frame = first_frame(lines, i + 1)
            detail = {"message": s[len("panic: "):]}
            if frame:
                detail["function"], detail["location"] = frame
            yield make(Kind.GO_PANIC, t, src, ln.ts, ln.pid, **detail)
            continue
        if s.startswith("fatal error: "):
            what = s[len("fatal error: "):]
            kind = next((k for txt, k in FATAL if what.startswith(txt)), Kind.GO_FATAL)
            detail = {"message": what}
            frame = first_frame(lines, i + 1)
            if frame:
                detail["function"], detail["location"] = frame
            if kind is Kind.BAD_GOMEMLIMIT:
                prev = [m.group(1) for m in (GOMEMLIMIT_RE.match(_text(x)) for x in lines[max(0, i - 3):i]) if m]
                if prev:
                    detail["GOMEMLIMIT"] = prev[-1]
            yield make(kind, t, src, ln.ts, ln.pid, **detail)
            continue
        m = SIGNAL_RE.match(s)
        if m and i + 1 < len(lines) and PC_RE.match(_text(lines[i + 1])):
            pc = PC_RE.match(_text(lines[i + 1]))
            assert pc is not None
            yield make(Kind.GO_SIGNAL, f"{t} / {_text(lines[i + 1])}", src, ln.ts, ln.pid, signal=m.group(1),
                       pc=pc.group(1))
            continue
        m2 = SIGLINE_RE.match(s)
        if m2:
            yield make(Kind.GO_SIGNAL, t, src, ln.ts, ln.pid, signal=m2.group(1), pc=m2.group(2))
            continue
        for rx, kind in PATTERNS:
            mm = rx.search(t)
            if mm:
                detail = {g: v for g, v in zip(("what", "arg"), mm.groups(), strict=False) if v}
                yield make(kind, t, src, ln.ts, ln.pid, **detail)
                break
