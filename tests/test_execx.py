"""execx: the only place processes start. Timeouts kill the whole process group; kept output is capped."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gomedic import execx
from gomedic.errors import CommandError
from tests.support.systools import system_path


def test_ok_and_failure() -> None:
    r = execx.run(["sh", "-c", "echo out; echo err >&2; exit 3"], timeout=10)
    assert (r.returncode, r.stdout, r.stderr, r.ok) == (3, "out\n", "err\n", False)
    assert r.first_error_line() == "err" and "exited 3: err" in r.describe()


def test_timeout_kills_the_process_group(tmp_path: Path) -> None:
    """A child that starts a grandchild and hangs: both are gone when run() returns."""
    pidfile = tmp_path / "grandchild.pid"
    t0 = time.monotonic()
    r = execx.run(["sh", "-c", f"sleep 300 & echo $! > {pidfile}; wait"], timeout=0.5)
    assert r.timed_out and not r.ok and "timed out" in r.describe()
    assert time.monotonic() - t0 < 30
    grandchild = int(pidfile.read_text())
    for _ in range(50):
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"grandchild {grandchild} survived the timeout")


def test_cannot_start_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot run"):
        execx.run([str(tmp_path / "missing")], timeout=5)
    script = tmp_path / "not-executable"
    script.write_text("#!/bin/sh\n")
    with pytest.raises(CommandError):
        execx.run([str(script)], timeout=5)


def test_env_and_cwd(tmp_path: Path) -> None:
    r = execx.run(["sh", "-c", 'echo "$GOMEDIC_X $(pwd)"'], timeout=5, env={"GOMEDIC_X": "y", "PATH": system_path()},
                  cwd=tmp_path)
    assert r.stdout.strip() == f"y {tmp_path}"


def test_output_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execx, "MAX_OUTPUT", 1000)
    r = execx.run(["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"], timeout=10)
    assert len(r.stdout) < 1100 and r.stdout.endswith("[output cut by gomedic]")
