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


def test_a_bare_name_comes_from_the_trusted_path_not_the_childs_env(tmp_path: Path) -> None:
    """The child's environment may be built for another user (their PATH): it never picks the program."""
    marker = tmp_path / "marker"
    planted = tmp_path / "bin"
    planted.mkdir()
    (planted / "true").write_text(f"#!/bin/sh\n/usr/bin/touch {marker}\n")
    (planted / "true").chmod(0o755)
    r = execx.run(["true"], timeout=10, env={"PATH": str(planted)})
    assert r.ok and not marker.exists()
    assert execx.resolve("true") in ("/usr/bin/true", "/bin/true")
    r = execx.run(["true"], timeout=10, env={"PATH": str(planted)}, search_path=str(planted))  # asked for
    assert r.ok and marker.exists()
    with pytest.raises(CommandError, match="not found in"):
        execx.run(["gomedic-no-such-tool"], timeout=5)



def test_as_root_a_trusted_path_entry_others_could_write_is_skipped(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A tool in a group/other-writable directory of the trusted PATH is not taken (root only)."""
    if os.geteuid() != 0:
        pytest.skip("the ownership rule applies when gomedic runs as root")
    d = tmp_path / "sbin"
    d.mkdir()
    tool = d / "gomedic-trust-probe"
    tool.write_text("#!/bin/sh\necho hi\n")
    tool.chmod(0o755)
    monkeypatch.setattr(execx, "TRUSTED_PATH", str(d))
    assert execx.resolve("gomedic-trust-probe") == str(tool)
    d.chmod(0o777)
    with pytest.raises(CommandError, match="not found in"):
        execx.resolve("gomedic-trust-probe")
    d.chmod(0o755)
    os.chown(tool, 1, 1)  # owned by someone else (daemon)
    with pytest.raises(CommandError):
        execx.resolve("gomedic-trust-probe")


def test_input_is_written_while_output_is_read() -> None:
    """More input than a pipe holds, echoed back: neither side can deadlock the other."""
    data = b"x" * (1 << 20)
    r = execx.run(["cat"], timeout=60, input=data)
    assert r.ok and len(r.stdout) == len(data)
