"""Journals of real Go crashes: each test's program is built once (cached) and run for real; its output
goes into a journal file written by systemd-journal-remote, as journald would have stored the unit's run."""

from __future__ import annotations

import signal
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.crashers import Crash
from tests.support.journals import have_journal_remote, kernel_entry, systemd_entry, unit_entry, write_journal

# How systemd prints an exit status (status=N/NAME, exit_status_to_string; n/a when it has no name).
SD_NAMES = {0: "SUCCESS", 1: "FAILURE", 2: "INVALIDARGUMENT", 127: "n/a", 203: "EXEC", 217: "USER"}

pytestmark = pytest.mark.skipif(not have_journal_remote(), reason="systemd-journal-remote is not installed")


def exit_line(unit: str, status: int) -> str:
    if status < 0:
        return f"{unit}: Main process exited, code=killed, status={-status}/{signal.Signals(-status).name[3:]}"
    return f"{unit}: Main process exited, code=exited, status={status}/{SD_NAMES.get(status, 'n/a')}"


def run_entries(crash: Crash, t: float, unit: str = "app.service", *, kernel: Sequence[str] = (),
                tail: Sequence[str] | None = None, result: str | None = None) -> list[dict[str, str]]:
    """One run of the unit: systemd starts it, the program's lines, the kernel's records, systemd's end."""
    e = [systemd_entry(unit, f"Starting {unit} - gomedic test unit...", ts=t),
         systemd_entry(unit, f"Started {unit} - gomedic test unit.", ts=t + 0.001)]
    for i, line in enumerate(crash.lines):
        e.append(unit_entry(unit, line, pid=crash.pid, ts=t + 0.01 + i * 1e-4))
    end = t + 0.02 + len(crash.lines) * 1e-4
    for i, k in enumerate(kernel):
        e.append(kernel_entry(k.format(pid=crash.pid), ts=end + i * 1e-4))
    lines = tail if tail is not None else [exit_line(unit, crash.status)]
    for i, msg in enumerate(lines):
        e.append(systemd_entry(unit, msg, ts=end + 0.01 + i * 1e-4))
    res = result or ("signal" if crash.status < 0 else "exit-code")
    e.append(systemd_entry(unit, f"{unit}: Failed with result '{res}'.", ts=end + 0.02))
    return e


def journal_of(crash: Crash, path: Path, **kw: object) -> Path:
    return write_journal(run_entries(crash, time.time() - 600, **kw), path)  # type: ignore[arg-type]
