"""Log lines from every source gomedic why reads, and the unit's last run among them. Pure.

- `journalctl -o json`: one JSON object per line; MESSAGE may be a byte array (non-UTF-8 text).
- /dev/kmsg records: `PRIO,SEQ,USEC,FLAGS;text` (USEC since boot), continuation lines start with a space.
- `dmesg` text: `[  123.456789] text`.
- /var/log/audit/audit.log: `type=SECCOMP msg=audit(1700000000.123:45): ...`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from gomedic.postmortem.signs import Source
from gomedic.values import frozen

MAX_LINES = 200_000  # per source: a bigger log is cut (and said) rather than held in memory
MAX_TEXT = 8192  # per message


@frozen
class LogLine:
    text: str
    source: Source
    ts: float | None = None
    pid: int | None = None
    unit: str | None = None  # _SYSTEMD_UNIT, or UNIT= for systemd's messages about a unit
    ident: str | None = None


def _int(v: object) -> int | None:
    return int(v) if isinstance(v, str) and v.isdecimal() and len(v) < 20 else None


def _message(v: object) -> str | None:
    if isinstance(v, str):
        return v[:MAX_TEXT]
    if isinstance(v, list) and all(isinstance(b, int) and 0 <= b < 256 for b in v[:MAX_TEXT]):
        return bytes(v[:MAX_TEXT]).decode("utf-8", "replace")
    return None


def from_journal_record(rec: dict[str, object]) -> LogLine | None:
    msg = _message(rec.get("MESSAGE"))
    if msg is None:
        return None
    usec = _int(rec.get("__REALTIME_TIMESTAMP")) or _int(rec.get("_SOURCE_REALTIME_TIMESTAMP"))
    transport = rec.get("_TRANSPORT")
    pid = _int(rec.get("_PID"))
    sd_unit = rec.get("_SYSTEMD_UNIT")
    about = rec.get("UNIT") or rec.get("USER_UNIT")
    if transport == "kernel" or rec.get("SYSLOG_IDENTIFIER") == "kernel":
        source = Source.AUDIT if msg.startswith("audit:") and "type=1326" in msg else Source.KERNEL
    elif transport == "audit" or rec.get("_AUDIT_TYPE"):
        source = Source.AUDIT
        if rec.get("_AUDIT_TYPE") == "1326" and "type=" not in msg:
            msg = "type=1326 " + msg
    elif isinstance(about, str) and (pid == 1 or sd_unit in (None, "init.scope") or rec.get("CODE_FILE")):
        source = Source.SYSTEMD  # systemd (PID 1 or its forked child) speaking about a unit
    else:
        source = Source.JOURNAL
    unit = (
        about if source is Source.SYSTEMD and isinstance(about, str) else sd_unit if isinstance(sd_unit, str) else None
    )
    ident = rec.get("SYSLOG_IDENTIFIER")
    return LogLine(msg, source, usec / 1e6 if usec else None, pid, unit, ident if isinstance(ident, str) else None)


def parse_journal_json(text: str) -> tuple[list[LogLine], int]:
    """Lines of `journalctl -o json` output -> (log lines, number of records that were not valid JSON)."""
    out: list[LogLine] = []
    bad = 0
    for raw in text.splitlines():
        if not raw.strip():
            continue
        if len(out) >= MAX_LINES:
            break
        try:
            rec = json.loads(raw)
        except ValueError:
            bad += 1
            continue
        if not isinstance(rec, dict):
            bad += 1
            continue
        line = from_journal_record(rec)
        if line is not None:
            out.append(line)
    return out, bad


def parse_kmsg(text: str, boot_time: float | None) -> list[LogLine]:
    """/dev/kmsg records; timestamps become wall-clock time when the boot time is known."""
    out: list[LogLine] = []
    for raw in text.splitlines():
        if raw.startswith(" ") or ";" not in raw:
            continue  # continuation (KEY=value dictionary) lines
        head, _, msg = raw.partition(";")
        parts = head.split(",")
        usec = _int(parts[2]) if len(parts) >= 3 else None
        ts = boot_time + usec / 1e6 if usec is not None and boot_time is not None else None
        out.append(_kernel_line(msg[:MAX_TEXT], ts))
        if len(out) >= MAX_LINES:
            break
    return out


DMESG_RE = re.compile(r"^\[\s*(\d+)\.(\d+)\]\s?(.*)$")


def parse_dmesg(text: str, boot_time: float | None) -> list[LogLine]:
    out: list[LogLine] = []
    for raw in text.splitlines():
        m = DMESG_RE.match(raw)
        if not m:
            continue
        ts = boot_time + int(m.group(1)) + int(m.group(2)[:6].ljust(6, "0")) / 1e6 if boot_time is not None else None
        out.append(_kernel_line(m.group(3)[:MAX_TEXT], ts))
        if len(out) >= MAX_LINES:
            break
    return out


def _kernel_line(msg: str, ts: float | None) -> LogLine:
    source = Source.AUDIT if msg.startswith("audit:") and "type=1326" in msg else Source.KERNEL
    return LogLine(msg, source, ts, None, None, "kernel")


AUDIT_RE = re.compile(r"msg=audit\((\d+)\.(\d+):\d+\)")


def parse_audit_log(text: str) -> list[LogLine]:
    """SECCOMP records (type=SECCOMP or type=1326) of an audit log; the rest is not needed."""
    out: list[LogLine] = []
    for raw in text.splitlines():
        if "type=SECCOMP" not in raw and "type=1326" not in raw:
            continue
        m = AUDIT_RE.search(raw)
        ts = int(m.group(1)) + int(m.group(2)) / 1000 if m else None
        out.append(LogLine(raw[:MAX_TEXT], Source.AUDIT, ts, None, None, "audit"))
        if len(out) >= MAX_LINES:
            break
    return out


START_RE = re.compile(r"^(?:Starting |Started |Start request |[\w@.\\:-]+: Scheduled restart job)")


def last_run(lines: Sequence[LogLine], pid: int | None = None) -> list[LogLine]:
    """The lines of the unit's last run: from systemd's last `Starting ...` (or the first line of the last
    main process when systemd's messages are absent) to the end. With a pid, that process's lines and
    systemd's lines from its first line on."""
    if not lines:
        return []
    ordered = sorted(lines, key=lambda ln: ln.ts if ln.ts is not None else 0.0)
    if pid is not None:
        mine = [ln for ln in ordered if ln.pid == pid]
        if not mine:
            return []
        t0 = mine[0].ts
        return [ln for ln in ordered if ln.pid == pid or (ln.source is Source.SYSTEMD and
                                                          (t0 is None or ln.ts is None or ln.ts >= t0))]
    start = 0
    for i, ln in enumerate(ordered):
        if ln.source is Source.SYSTEMD and START_RE.match(ln.text) and "Scheduled restart" not in ln.text:
            start = i
    if start == 0:
        main = [ln.pid for ln in ordered if ln.source is Source.JOURNAL and ln.pid is not None]
        if main:
            first = next(i for i, ln in enumerate(ordered) if ln.pid == main[-1])
            start = first
    return list(ordered[start:])


def window(lines: Iterable[LogLine], t0: float | None, t1: float | None, slack: float = 30.0) -> list[LogLine]:
    """Lines within [t0 - slack, t1 + slack]; lines without a time are kept (they cannot be placed)."""
    out = []
    for ln in lines:
        if ln.ts is None or t0 is None or t1 is None or t0 - slack <= ln.ts <= t1 + slack:
            out.append(ln)
    return out
