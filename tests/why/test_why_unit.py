"""`gomedic why` with the unit's files (--root): unit settings that cause or hide a death, and the pre-start
checks run again to confirm the named cause (a real binary whose ELF interpreter is missing)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.support import crashers
from tests.support.crashers import Crash
from tests.support.goenv import Run
from tests.support.hostfixtures import gomedic
from tests.why.conftest import journal_of


def tree(tmp_path: Path, service: str, program: bytes) -> Path:
    root = tmp_path / "root"
    (root / "etc/systemd/system").mkdir(parents=True)
    (root / "usr/local/bin").mkdir(parents=True)
    (root / "etc/systemd/system/app.service").write_text(
        f"[Unit]\nDescription=gomedic test unit\n\n[Service]\nExecStart=/usr/local/bin/app\n{service}\n")
    exe = root / "usr/local/bin/app"
    exe.write_bytes(program)
    exe.chmod(0o755)
    return root


def why(root: Path, *args: str) -> Run:
    return gomedic("why", "app", "--root", str(root), "--format", "json", *args)


def test_settings_that_cause_or_hide_deaths(tmp_path: Path) -> None:
    hello = crashers.program("hello").read_bytes()
    root = tree(tmp_path, "Type=notify\nStandardError=null\nTimeoutStopSec=2s\nKillSignal=SIGKILL", hello)
    run = why(root, "--exit-status", "2")
    notify = run.result("why.unit-notify")
    assert notify["status"] == "fail" and "no sd_notify code" in notify["summary"]
    assert notify["evidence"]["file"] == "/etc/systemd/system/app.service"
    out = run.result("why.unit-output")
    assert out["status"] == "warn" and "goes to null" in out["summary"]
    stop = {r["status"]: r["summary"] for r in run.report["results"] if r["id"] == "why.unit-stop"}
    assert "KillSignal=SIGKILL" in stop["fail"] and "TimeoutStopSec=2s" in stop["warn"]
    # exit 2 with nothing in the log: the hidden stderr is the lead, and why.unit-output confirms it
    c = run.result("why.cause")
    assert run.returncode == 0 and c["evidence"]["cause"] == "exit-2"
    assert run.result("why.confirm", "why.unit-output")["status"] == "warn"
    # a longer threshold is honoured; a shorter one passes the 2s timeout
    relaxed = why(root, "--exit-status", "2", "--set", "why.unit-stop.min_s=1")
    assert not any(r["status"] == "warn" for r in relaxed.report["results"] if r["id"] == "why.unit-stop")


def test_settings_that_are_fine(tmp_path: Path) -> None:
    notifier = crashers.build(crashers.NOTIFIER, name="app").read_bytes()
    root = tree(tmp_path, "Type=notify\nStandardError=append:/var/log/app.err", notifier)
    run = why(root, "--exit-status", "1")
    n = run.result("why.unit-notify")
    assert n["status"] == "ok" and "NOTIFY_SOCKET" in n["summary"]
    assert (
        run.result("why.unit-output")["status"] == "ok"
        and "/var/log/app.err" in run.result("why.unit-output")["summary"]
    )
    assert run.result("why.unit-stop")["status"] == "ok"
    assert run.returncode == 1  # exit status 1 and nothing else: no known cause


def test_exec_failure_confirmed_by_the_binary_checks(tmp_path: Path) -> None:
    exe = crashers.cgo_program().read_bytes()
    interp = b"/lib64/ld-linux-x86-64.so.2"
    assert interp in exe
    broken = exe.replace(interp, b"/lib64/ld-linux-x86-64.so.9", 1)  # a loader that exists nowhere
    root = tree(tmp_path, "", broken)
    try:
        subprocess.run([str(root / "usr/local/bin/app")], timeout=30)
        raise AssertionError("a binary without its interpreter ran")
    except FileNotFoundError as e:
        err = e.strerror  # what execve says: the file is there, its interpreter is not
    assert err == "No such file or directory"
    tail = [f"app.service: Failed to execute /usr/local/bin/app: {err}",
            f"app.service: Failed at step EXEC spawning /usr/local/bin/app: {err}",
            "app.service: Main process exited, code=exited, status=203/EXEC"]
    j = journal_of(Crash(["app"], [], 203, 5151), tmp_path / "app.journal", tail=tail)
    run = why(root, "--journal", str(j))
    c = run.result("why.cause")
    assert run.returncode == 0 and c["evidence"]["cause"] == "systemd-step" and "step EXEC failed" in c["summary"]
    interp_check = run.result("why.confirm", "binary.interpreter")
    assert interp_check["status"] == "fail" and interp_check["summary"].startswith(
        "confirmed: binary.interpreter fails"
    )
    assert "ld-linux-x86-64.so.9" in interp_check["summary"]
    assert run.result("why.confirm", "binary.arch")["status"] == "ok"  # ruled out: it is an amd64 binary
    assert run.result("why.sources", "unit file")["status"] == "ok"


def test_seccomp_kill_from_the_audit_log_of_a_captured_root(tmp_path: Path) -> None:
    import signal
    import time

    from tests.support.journals import write_journal
    from tests.why.conftest import run_entries

    crash = crashers.signalled(signal.SIGSYS)
    root = tree(tmp_path, "SystemCallFilter=~@network-io", crashers.program("hello").read_bytes())
    (root / "var/log/audit").mkdir(parents=True)
    t = time.time() - 600
    (root / "var/log/audit/audit.log").write_text(
        f"type=SERVICE_START msg=audit({t:.3f}:10): pid=1 uid=0 unit=app comm=\"systemd\" res=success\n"
        f'type=SECCOMP msg=audit({t + 0.015:.3f}:11): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined '
        f'pid={crash.pid} comm="app" exe="/usr/local/bin/app" sig=31 arch=c000003e syscall=41 compat=0 '
        'ip=0x40d96e code=0x80000000\n')
    j = write_journal(run_entries(crash, t), tmp_path / "app.journal")
    run = why(root, "--journal", str(j))
    c = run.result("why.cause")
    assert c["evidence"]["cause"] == "seccomp" and "system call 41" in c["summary"]
    assert "type=SECCOMP" in c["evidence"]["evidence 1"]
    assert run.result("why.sources", "audit")["status"] == "ok"
