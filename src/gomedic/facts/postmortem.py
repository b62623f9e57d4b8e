"""What `gomedic why` reads: systemd's view of the unit, the unit's last run in the journal, the kernel's
messages and audit records of that time. Each source is optional; one that cannot be read says why.

Only fixed, trusted programs run (systemctl and journalctl from /usr/bin or /bin, dmesg), through execx
with a timeout and an output cap; the service's binary is never run. Parsing is in gomedic.postmortem.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from gomedic.errors import CommandError
from gomedic.execx import MAX_OUTPUT
from gomedic.facts import Facts, fact
from gomedic.postmortem.lines import LogLine
from gomedic.values import field, frozen

TRUSTED_DIRS = ("/usr/bin", "/bin")
SHOW_PROPS = ("ActiveState", "SubState", "Result", "ExecMainCode", "ExecMainStatus", "ExecMainPID", "MainPID",
              "NRestarts", "ExecMainStartTimestamp", "ExecMainExitTimestamp", "InactiveEnterTimestamp",
              "StateChangeTimestamp", "LoadState")
# Newest entries read, newest first (--reverse): if execx's output cap cuts, it cuts the oldest.
JOURNAL_LINES = 20_000
KERNEL_LINES = 20_000
AUDIT_TAIL = 16 << 20  # bytes read from the end of audit.log
KMSG_MAX = 64 << 20
TIMEOUT_S = 30.0
CUT_MARK = "[output cut by gomedic]"  # what execx appends when it cuts


@frozen
class SourceRead:
    """One source: read (with what it held) or not (with why)."""

    name: str
    read: bool
    summary: str
    lines: tuple[LogLine, ...] = ()
    props: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


def trusted(prog: str) -> str | None:
    for d in TRUSTED_DIRS:
        p = os.path.join(d, prog)
        if os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return None


def systemd_running() -> bool:
    """sd_booted(): systemd is PID 1 exactly when /run/systemd/system/ exists."""
    return os.path.isdir("/run/systemd/system")


def _run(argv: Sequence[str], timeout: float = TIMEOUT_S) -> tuple[str | None, str]:
    from gomedic import execx

    try:
        r = execx.run(argv, timeout=timeout, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C", "SYSTEMD_PAGER": "",
                                                   "SYSTEMD_COLORS": "0"}, cwd="/")
    except CommandError as e:
        return None, str(e)
    if r.timed_out:
        return None, r.describe()
    if r.returncode != 0 and not r.stdout.strip():
        return None, r.describe()
    return r.stdout, r.stderr.strip()


def read_systemd(unit: str | None) -> SourceRead:
    from gomedic.postmortem.sdexit import parse_show

    if not unit:
        return SourceRead("systemd", False, "no unit given: systemd's view was not asked for")
    if not systemd_running():
        return SourceRead("systemd", False, "systemd is not running on this machine (/run/systemd/system does not "
                          "exist): its view of the unit (ActiveState, Result, ExecMainStatus, NRestarts) is not "
                          "available; working from the journal, the kernel log and what was given")
    prog = trusted("systemctl")
    if prog is None:
        return SourceRead("systemd", False, "systemctl not found in /usr/bin or /bin")
    out, err = _run([prog, "show", "--no-pager", "-p", ",".join(SHOW_PROPS), "--", unit], timeout=10)
    if out is None:
        return SourceRead("systemd", False, f"systemctl show {unit} failed: {err}")
    props = parse_show(out)
    if props.get("LoadState") == "not-found":
        return SourceRead("systemd", False, f"systemd does not know {unit} (LoadState=not-found)",
                          props=MappingProxyType(props))
    shown = ", ".join(f"{k}={props[k]}" for k in ("ActiveState", "Result", "ExecMainCode", "ExecMainStatus",
                                                   "NRestarts") if k in props)
    return SourceRead("systemd", True, f"systemctl show {unit}: {shown}", props=MappingProxyType(props))


def journal_base(journal: str | None) -> list[str] | str:
    """journalctl's arguments to read `journal` (a file or a directory), or the current boot; or why not."""
    prog = trusted("journalctl")
    if prog is None:
        return "journalctl not found in /usr/bin or /bin"
    base = [prog, "--no-pager", "-o", "json", "--output-fields=MESSAGE,_PID,_SYSTEMD_UNIT,UNIT,_TRANSPORT,"
            "SYSLOG_IDENTIFIER,_COMM,_AUDIT_TYPE,CODE_FILE,__REALTIME_TIMESTAMP"]
    if journal is None:
        return [*base, "-b"]
    if os.path.isdir(journal):
        return [*base, "--directory", journal]
    if os.path.isfile(journal):
        return [*base, "--file", journal]
    return f"--journal {journal}: no such file or directory"


def read_unit_journal(journal: str | None, unit: str | None, pid: int | None, since: str | None) -> SourceRead:
    from gomedic.postmortem.lines import parse_journal_json

    where = journal or "this machine's journal (current boot)"
    if not unit and pid is None:
        return SourceRead("journal", False, "no unit or --pid given: the journal was not read")
    base = journal_base(journal)
    if isinstance(base, str):
        return SourceRead("journal", False, base)
    match = ["-u", unit] if unit else [f"_PID={pid}"]
    argv = [*base, "--reverse", "-n", str(JOURNAL_LINES), *(["--since", since] if since else []), *match]
    out, err = _run(argv)
    if out is None:
        return SourceRead("journal", False, f"{where}: {err}")
    lines, bad = parse_journal_json(out)
    what = f"unit {unit}" if unit else f"process {pid}"
    if not lines:
        why = f" ({err.splitlines()[0]})" if err else ""
        return SourceRead("journal", False, f"{where}: no entries for {what}{why}")
    extra = f"; {bad} records were not JSON" if bad else ""
    if out.endswith(CUT_MARK):
        extra = f"; journalctl's output passed {MAX_OUTPUT >> 20} MiB: the newest {len(lines)} entries were read"
    return SourceRead("journal", True, f"{where}: {len(lines)} entries for {what}{extra}", tuple(lines))


def read_kernel_journal(journal: str | None, since: str | None, until: str | None) -> SourceRead:
    from gomedic.postmortem.lines import parse_journal_json

    where = journal or "this machine's journal (current boot)"
    base = journal_base(journal)
    if isinstance(base, str):
        return SourceRead("kernel", False, base)
    span = [*(["--since", since] if since else []), *(["--until", until] if until else [])]
    out, err = _run([*base, "--reverse", "-n", str(KERNEL_LINES), *span, "_TRANSPORT=kernel", "+", "_TRANSPORT=audit"])
    if out is None:
        return SourceRead("kernel", False, f"{where}: {err}")
    lines, _bad = parse_journal_json(out)
    if not lines:
        return SourceRead("kernel", False, f"{where}: no kernel or audit entries" + (f" between {since} and {until}"
                                                                                    if since else ""))
    cut = f" (output passed {MAX_OUTPUT >> 20} MiB: the newest were read)" if out.endswith(CUT_MARK) else ""
    return SourceRead("kernel", True, f"{where}: {len(lines)} kernel and audit entries" +
                      (f" between {since} and {until}" if since else "") + cut, tuple(lines))


def boot_time() -> float | None:
    try:
        with open("/proc/stat") as fh:
            for line in fh:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except OSError:
        return None
    return None


def read_kmsg() -> SourceRead:
    """/dev/kmsg (one record per read, non-blocking), else `dmesg`: when the journal has no kernel lines."""
    from gomedic.postmortem.lines import parse_dmesg, parse_kmsg

    bt = boot_time()
    try:
        fd = os.open("/dev/kmsg", os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as e:
        kmsg_why = f"/dev/kmsg: {e.strerror}"
    else:
        chunks: list[bytes] = []
        total = 0
        try:
            while total < KMSG_MAX:
                try:
                    b = os.read(fd, 8192)
                except BlockingIOError:
                    break
                except OSError as e:
                    if e.errno == 32:  # EPIPE: records were overwritten while reading; go on
                        continue
                    raise
                if not b:
                    break
                chunks.append(b)
                total += len(b)
        finally:
            os.close(fd)
        lines = parse_kmsg(b"".join(chunks).decode("utf-8", "replace"), bt)
        return SourceRead("kernel", True, f"/dev/kmsg: {len(lines)} records", tuple(lines))
    prog = trusted("dmesg")
    if prog is None:
        return SourceRead("kernel", False, f"{kmsg_why}; dmesg not found")
    out, err = _run([prog], timeout=10)
    if out is None:
        return SourceRead("kernel", False, f"{kmsg_why}; dmesg: {err}")
    dl = parse_dmesg(out, bt)
    return SourceRead("kernel", True, f"dmesg: {len(dl)} lines ({kmsg_why})", tuple(dl))


def read_audit_log(path: str = "/var/log/audit/audit.log") -> SourceRead:
    from gomedic.postmortem.lines import parse_audit_log

    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            fh.seek(max(0, size - AUDIT_TAIL))
            data = fh.read(AUDIT_TAIL)
    except OSError as e:
        return SourceRead("audit", False, f"{path}: {e.strerror}")
    lines = parse_audit_log(data.decode("utf-8", "replace"))
    return SourceRead("audit", True, f"{path}: {len(lines)} SECCOMP records in the last {len(data)} bytes",
                      tuple(lines))


@frozen
class Request:
    unit: str | None
    pid: int | None
    journal: str | None
    since: str | None
    exit_status: str | None


def request(f: Facts) -> Request:
    x = f.options.subject
    return Request(x.why_unit, x.why_pid, x.journal, x.since, x.exit_status)


@fact("postmortem.systemd")
def SYSTEMD_VIEW(f: Facts) -> SourceRead:
    return read_systemd(request(f).unit)


@fact("postmortem.journal")
def UNIT_JOURNAL(f: Facts) -> SourceRead:
    r = request(f)
    return read_unit_journal(r.journal, r.unit, r.pid, r.since)
