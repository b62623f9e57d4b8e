"""Real journal files for the tests: Journal Export Format streams written by systemd-journal-remote.

    entries = [unit_entry("app.service", "panic: ...", pid=1234, ts=...), systemd_entry("app.service", "...")]
    path = write_journal(entries, tmp_path / "app.journal")       # read back with journalctl --file

Entries carry the fields journald itself records (_SYSTEMD_UNIT, _PID, _TRANSPORT, SYSLOG_IDENTIFIER; UNIT=
for systemd's messages about a unit; _TRANSPORT=kernel for the kernel's), so `journalctl -u` and
`_TRANSPORT=kernel` select them as on a real machine.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

JOURNAL_REMOTE = "/lib/systemd/systemd-journal-remote"
BOOT_ID = "4f1c0de0c0ffee00b007b007b007b007"
MACHINE_ID = "6d6f6d656469630000000000000000aa"


def have_journal_remote() -> bool:
    return Path(JOURNAL_REMOTE).exists() and shutil.which("journalctl") is not None


def _field(k: str, v: str) -> bytes:
    data = v.encode()
    if b"\n" in data:  # the export format's binary form for values with newlines
        return k.encode() + b"\n" + len(data).to_bytes(8, "little") + data + b"\n"
    return k.encode() + b"=" + data + b"\n"


def export_stream(entries: Sequence[Mapping[str, str]]) -> bytes:
    out = bytearray()
    for i, e in enumerate(entries):
        fields = {"_BOOT_ID": BOOT_ID, "_MACHINE_ID": MACHINE_ID, "__MONOTONIC_TIMESTAMP": str(1_000_000 + i), **e}
        for k, v in fields.items():
            out += _field(k, v)
        out += b"\n"
    return bytes(out)


def write_journal(entries: Sequence[Mapping[str, str]], path: Path) -> Path:
    """Write `entries` into a new journal file at `path` (must end in .journal) with systemd-journal-remote."""
    p = subprocess.run([JOURNAL_REMOTE, f"--output={path}", "-"], input=export_stream(entries),
                       capture_output=True, timeout=60)
    if p.returncode != 0 or not path.exists():
        raise RuntimeError(f"systemd-journal-remote failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
    return path


def usec(ts: float) -> str:
    return str(int(ts * 1_000_000))


def unit_entry(
    unit: str, message: str, *, pid: int, ts: float, comm: str = "app", stream: str = "stdout"
) -> dict[str, str]:
    """A line the unit's program wrote to stdout/stderr, as journald stores it."""
    return {"__REALTIME_TIMESTAMP": usec(ts), "MESSAGE": message, "_SYSTEMD_UNIT": unit, "_PID": str(pid),
            "_COMM": comm, "SYSLOG_IDENTIFIER": comm, "_TRANSPORT": stream, "PRIORITY": "6",
            "_SYSTEMD_CGROUP": f"/system.slice/{unit}", "_UID": "0", "_GID": "0"}


def systemd_entry(unit: str, message: str, *, ts: float, pid: int = 1) -> dict[str, str]:
    """systemd's own message about a unit (PID 1, or the forked child before exec: pid=child)."""
    return {"__REALTIME_TIMESTAMP": usec(ts), "MESSAGE": message, "UNIT": unit, "_PID": str(pid), "_COMM": "systemd",
            "SYSLOG_IDENTIFIER": "systemd", "_TRANSPORT": "journal", "PRIORITY": "3", "CODE_FILE": "src/core/unit.c",
            "_SYSTEMD_UNIT": "init.scope", "_UID": "0", "_GID": "0"}


def kernel_entry(message: str, *, ts: float) -> dict[str, str]:
    """A kernel ring buffer record as journald imports it."""
    return {"__REALTIME_TIMESTAMP": usec(ts), "MESSAGE": message, "_TRANSPORT": "kernel", "SYSLOG_IDENTIFIER": "kernel",
            "SYSLOG_FACILITY": "0", "PRIORITY": "3"}


def audit_entry(message: str, *, ts: float, audit_type: str = "1326") -> dict[str, str]:
    """An audit record as journald's audit transport stores it."""
    return {"__REALTIME_TIMESTAMP": usec(ts), "MESSAGE": message, "_TRANSPORT": "audit", "_AUDIT_TYPE": audit_type,
            "_AUDIT_TYPE_NAME": "SECCOMP", "SYSLOG_FACILITY": "4", "PRIORITY": "5"}
