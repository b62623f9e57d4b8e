"""`gomedic why` on real Go crashes: real programs die for real, their output is written into real journal
files (systemd-journal-remote) and read back through `journalctl --file`."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support import crashers
from tests.support.crashers import Crash
from tests.support.goenv import Run
from tests.support.hostfixtures import gomedic
from tests.support.journals import systemd_entry, unit_entry, write_journal
from tests.why.conftest import journal_of, run_entries

TS_RE = r"\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (journal|kernel|systemd|audit|status)\]"


def why(*args: str) -> Run:
    return gomedic("why", *args, "--format", "json")


def cause(run: Run) -> dict[str, Any]:
    return run.result("why.cause")


def capture(name: str) -> Crash:
    if name == "gomemlimit":
        return crashers.run([str(crashers.program("hello"))], env={"GOMEMLIMIT": "lots"})
    if name == "godebug":  # a GODEBUG setting the toolchain removed, at its old value
        return crashers.run([str(crashers.program("hello"))], env={"GODEBUG": "x509sha1=1"})
    if name == "hog":  # a real RLIMIT_AS: the runtime's mmap fails past 800 MB
        return crashers.run(["prlimit", "--as=800000000", str(crashers.program("hog"))])
    return crashers.run([str(crashers.program(name))])


CASES = [
    # program, cause, text in the deciding evidence line, evidence keys and values
    ("nilmap", "go-panic", "panic: assignment to entry in nil map", "main.store"),
    ("deadlock", "go-deadlock", "fatal error: all goroutines are asleep - deadlock!", "main.main"),
    ("concurrent", "go-concurrent-map-writes", "fatal error: concurrent map writes", "main.main.func1"),
    ("hog", "go-out-of-memory", "fatal error: out of memory", None),
    ("gomemlimit", "bad-gomemlimit", "fatal error: malformed GOMEMLIMIT", None),
    ("godebug", "bad-godebug", 'fatal error: removed GODEBUG "x509sha1" set to old value "1"', None),
]


@pytest.mark.parametrize(("name", "key", "text", "frame"), CASES, ids=[c[0] for c in CASES])
def test_go_runtime_deaths(tmp_path: Path, name: str, key: str, text: str, frame: str | None) -> None:
    crash = capture(name)
    assert crash.status == 2, crash.lines[:5]  # the Go runtime's exit status after a panic or fatal error
    j = journal_of(crash, tmp_path / "app.journal")
    run = why("app", "--journal", str(j))
    assert run.returncode == 0, run.stdout + run.stderr
    c = cause(run)
    assert c["status"] == "fail" and c["evidence"]["cause"] == key, c
    assert text in c["evidence"]["evidence 1"]
    import re

    assert re.match(TS_RE, c["evidence"]["evidence 1"]), c["evidence"]["evidence 1"]
    assert "exit status 2/INVALIDARGUMENT" in c["evidence"]["exit"]
    if frame:
        assert f" at {frame}" in c["summary"] and "main.go:" in c["summary"], c["summary"]
    assert c["fix"]
    # the same death, asked about by its process id, and with the exit status given
    by_pid = why("--pid", str(crash.pid), "--journal", str(j))
    assert by_pid.returncode == 0 and cause(by_pid)["evidence"]["cause"] == key
    given = why("app", "--journal", str(j), "--exit-status", "2")
    assert cause(given)["evidence"]["cause"] == key
    assert "(--exit-status)" in cause(given)["evidence"]["exit"]


def test_port_already_in_use(tmp_path: Path) -> None:
    sock, addr = crashers.busy_port()
    try:
        crash = crashers.run([str(crashers.program("listen")), addr])
    finally:
        sock.close()
    assert crash.status == 1
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal")))
    c = cause(run)
    assert run.returncode == 0 and c["evidence"]["cause"] == "port-in-use"
    assert addr in c["summary"] and f"listen tcp {addr}: bind: address already in use" in c["evidence"]["evidence 1"]
    assert "service.port" in c["evidence"]["caught by"]


def test_cgo_binary_without_its_library(tmp_path: Path) -> None:
    exe = crashers.cgo_program()
    work = tmp_path / "bin"
    work.mkdir()
    (work / "app").write_bytes(exe.read_bytes())
    (work / "app").chmod(0o755)
    (work / "libwhy.so").write_bytes((crashers.cache_dir() / "why-cgo-lib" / "libwhy.so").read_bytes())
    assert crashers.run([str(work / "app")]).lines == ["answer 42"]
    (work / "libwhy.so").unlink()
    crash = crashers.run([str(work / "app")])
    assert crash.status == 127, crash.lines
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal")))
    c = cause(run)
    assert run.returncode == 0 and c["evidence"]["cause"] == "missing-library", c
    assert "libwhy.so" in c["summary"] and "cannot open shared object file" in c["evidence"]["evidence 1"]
    assert "binary.libs" in c["evidence"]["caught by"]


def test_cpu_level_refusal(tmp_path: Path) -> None:
    level = crashers.cpu_levels()
    if 0 < level < 4:  # this CPU lacks a level: build above it and run it for real
        exe = crashers.build(crashers.HELLO, env={"GOAMD64": f"v{level + 1}"}, name="app")
        crash = crashers.run([str(exe)])
        want = crashers.cpu_refusal_text(f"v{level + 1}")
    else:  # this CPU has every level: the refusal as the toolchain's runtime source prints it
        want = crashers.cpu_refusal_text("v4")
        crash = Crash(["app"], [want], 1, 4242)
    assert crash.lines == [want] and crash.status == 1
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal")))
    c = cause(run)
    assert run.returncode == 0 and c["evidence"]["cause"] == "cpu-level"
    assert (
        "microarchitecture support" in c["evidence"]["evidence 1"] and "binary.cpu-level" in c["evidence"]["caught by"]
    )


def test_oom_kill_by_the_kernel(tmp_path: Path) -> None:
    crash = crashers.signalled(signal.SIGKILL)
    assert crash.status == -9
    kernel = ["app invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
              "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/"
              "app.service,task_memcg=/system.slice/app.service,task=app,pid={pid},uid=0",
              "Memory cgroup out of memory: Killed process {pid} (app) total-vm:1236480kB, anon-rss:524288kB, "
              "file-rss:4096kB, shmem-rss:0kB, UID:0 pgtables:1100kB oom_score_adj:0"]
    j = journal_of(crash, tmp_path / "app.journal", kernel=kernel, result="oom-kill")
    run = why("app", "--journal", str(j))
    c = cause(run)
    assert run.returncode == 0 and c["evidence"]["cause"] == "oom-kill" and "memory cgroup" in c["summary"]
    assert f"Killed process {crash.pid} (app)" in " ".join(c["evidence"].values())
    assert "killed by SIGKILL" in c["evidence"]["exit"]
    # another process's OOM kill at the same time is not this service's
    other = journal_of(crash, tmp_path / "other.journal", kernel=[k.replace("{pid}", "99999").replace("(app)", "(db)")
                                                                 .replace("task=app", "task=db") for k in kernel])
    c2 = cause(why("app", "--journal", str(other)))
    assert c2["evidence"]["cause"] == "killed-KILL" and "no OOM record" in c2["summary"]


def test_sigill_with_kernel_trap(tmp_path: Path) -> None:
    crash = crashers.signalled(signal.SIGILL)
    assert crash.status == 2 and "SIGILL: illegal instruction" in crash.lines
    trap = "traps: app[{pid}] trap invalid opcode ip:40d96e sp:7ffc8f0c1e38 error:0 in app[401000+b2000]"
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal", kernel=[trap])))
    c = cause(run)
    assert c["evidence"]["cause"] == "kernel-trap" and "invalid opcode" in c["summary"]
    assert any("SIGILL: illegal instruction / PC=0x" in v for v in c["evidence"].values()), c["evidence"]
    plain = cause(why("app", "--journal", str(journal_of(crash, tmp_path / "plain.journal"))))
    assert plain["evidence"]["cause"] == "go-signal" and "SIGILL" in plain["summary"]


def test_seccomp_kill_from_audit_record(tmp_path: Path) -> None:
    crash = crashers.signalled(signal.SIGSYS)
    assert crash.status == 2 and "SIGSYS: bad system call" in crash.lines
    audit = (f'audit: type=1326 audit({int(time.time()) - 600}.120:77): auid=4294967295 uid=0 gid=0 '
             f'ses=4294967295 subj=unconfined pid={crash.pid} comm="app" exe="/usr/local/bin/app" sig=31 '
             'arch=c000003e syscall=41 compat=0 ip=0x40d96e code=0x80000000')
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal", kernel=[audit])))
    c = cause(run)
    assert c["evidence"]["cause"] == "seccomp" and "system call 41" in c["summary"], c


def test_stop_timeout(tmp_path: Path) -> None:
    crash = crashers.signalled(signal.SIGKILL)
    tail = ["app.service: State 'stop-sigterm' timed out. Killing.",
            f"app.service: Killing process {crash.pid} (app) with signal SIGKILL.",
            "app.service: Main process exited, code=killed, status=9/KILL"]
    c = cause(why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal", tail=tail, result="timeout"))))
    assert c["evidence"]["cause"] == "stop-timeout" and "TimeoutStopSec" in c["summary"]


def test_only_the_last_run_counts(tmp_path: Path) -> None:
    old = Crash(["app"], ["panic: an earlier crash", "", "goroutine 1 [running]:", "main.main()", "\t/src/main.go:3"],
                2, 1111)
    sock, addr = crashers.busy_port()
    try:
        new = crashers.run([str(crashers.program("listen")), addr])
    finally:
        sock.close()
    t = time.time() - 900
    entries = [*run_entries(old, t), *run_entries(new, t + 60)]
    c = cause(why("app", "--journal", str(write_journal(entries, tmp_path / "app.journal"))))
    assert c["evidence"]["cause"] == "port-in-use"
    assert "earlier crash" not in " ".join(c["evidence"].values())


def test_unknown_failure_lists_what_was_read(tmp_path: Path) -> None:
    crash = Crash(["app"], ["loading configuration", "giving up"], 1, 4343)
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal")))
    c = cause(run)
    assert run.returncode == 1 and c["status"] == "warn"
    assert c["summary"].startswith("no known cause") and "exit status 1/FAILURE" in c["summary"]
    assert "journal: " in c["evidence"]["read"] and "app.journal" in c["evidence"]["read"]
    assert "not read: systemd" in c["evidence"]["read"]
    text = gomedic("why", "app", "--journal", str(tmp_path / "app.journal"))
    assert text.returncode == 1 and "no known cause" in text.stdout


def test_without_systemd_it_says_so(tmp_path: Path) -> None:
    import os

    if os.path.isdir("/run/systemd/system"):
        pytest.skip("systemd runs on this machine")
    crash = crashers.run([str(crashers.program("nilmap"))])
    run = why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal")))
    sd = run.result("why.sources", "systemd")
    assert sd["status"] == "skip" and "systemd is not running on this machine" in sd["summary"]
    assert run.result("why.sources", "journal")["status"] == "ok"
    assert cause(run)["evidence"]["cause"] == "go-panic"


def test_exit_status_alone() -> None:
    killed = why("--exit-status", "137")
    c = cause(killed)
    assert killed.result("why.sources", "kernel")["status"] == "skip"  # nothing to attribute its records to
    assert killed.returncode == 0 and c["evidence"]["cause"] == "killed-KILL" and "137 = 128+9" in c["evidence"]["exit"]
    exec_ = why("--exit-status", "203/EXEC")
    c = cause(exec_)
    assert c["evidence"]["cause"] == "systemd-step" and "step EXEC failed" in c["summary"]
    assert "execve" in c["summary"] and "service.unit" in c["evidence"]["caught by"]
    chdir = cause(why("--exit-status", "200"))
    assert "step CHDIR" in chdir["summary"] and "WorkingDirectory" in chdir["fix"]
    ns = cause(why("--exit-status", "NAMESPACE"))
    assert "step NAMESPACE" in ns["summary"] and "226" in ns["evidence"]["evidence 1"]
    one = why("--exit-status", "1")
    assert one.returncode == 1 and cause(one)["summary"].startswith("no known cause")


def test_systemd_user_step_from_the_journal(tmp_path: Path) -> None:
    crash = Crash(["app"], [], 217, 4444)
    tail = ["app.service: Failed to determine user credentials: No such process",
            "app.service: Failed at step USER spawning /usr/local/bin/app: No such process",
            "app.service: Main process exited, code=exited, status=217/USER"]
    c = cause(why("app", "--journal", str(journal_of(crash, tmp_path / "app.journal", tail=tail))))
    assert c["evidence"]["cause"] == "systemd-step" and "step USER failed (No such process)" in c["summary"]
    assert "useradd" in c["fix"] and c["evidence"]["caught by"] == "service.user"


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "tap", "nagios", "markdown", "prom"])
def test_every_format(tmp_path: Path, fmt: str) -> None:
    crash = Crash(
        ["app"], ["panic: boom", "", "goroutine 1 [running]:", "main.main()", "\t/src/main.go:9 +0x1d"], 2, 77
    )
    j = journal_of(crash, tmp_path / "app.journal")
    run = gomedic("why", "app", "--journal", str(j), "--format", fmt)
    assert run.returncode == (2 if fmt == "nagios" else 0), run.stdout + run.stderr
    assert run.stdout.strip() and "Traceback" not in run.stderr
    if fmt == "json":
        assert run.report["command"] == "why" and run.report["exit_code"] == 0
    if fmt == "text":
        assert "the program panicked: boom at main.main() (/src/main.go:9)" in run.stdout


@pytest.mark.parametrize("args", [(), ("--exit-status", "banana"), ("--pid", "0"), ("app", "--journal", "/nonexistent"),
                                  ("--exit-status", "2", "--root", "/nonexistent")])
def test_usage_errors(args: tuple[str, ...]) -> None:
    run = gomedic("why", *args)
    assert run.returncode == 2 and run.stderr.strip() and "Traceback" not in run.stderr


def test_pid_that_left_no_lines(tmp_path: Path) -> None:
    j = write_journal([unit_entry("app.service", "hello", pid=5, ts=time.time() - 60),
                       systemd_entry("app.service", "Starting app.service...", ts=time.time() - 61)],
                      tmp_path / "app.journal")
    run = why("--pid", "6", "--journal", str(j))
    assert run.returncode == 3 and run.result("why.cause")["status"] == "skip"
    assert "no entries for process 6" in run.result("why.sources", "journal")["summary"]


def test_this_machines_kernel_log_is_read_without_a_journal() -> None:
    run = why("--pid", "999999", "--exit-status", "SIGKILL")
    k = run.result("why.sources", "kernel")
    assert k["status"] == "ok" and k["summary"].startswith(("/dev/kmsg: ", "dmesg: ", "this machine's journal")), k
    assert run.result("why.sources", "journal")["status"] == "skip"
    assert "/var/log/audit/audit.log" in run.result("why.sources", "audit")["summary"]
    assert cause(run)["evidence"]["cause"] == "killed-KILL"


def test_hostile_journal_files(tmp_path: Path) -> None:
    junk = tmp_path / "junk.journal"
    junk.write_bytes(bytes(range(256)) * 4096)  # not a journal at all
    run = why("app", "--journal", str(junk))
    assert run.returncode == 3 and "Traceback" not in run.stderr
    assert run.result("why.sources", "journal")["status"] == "skip"
    assert run.result("why.cause")["status"] == "skip"


def test_journal_directory_and_start_timeout(tmp_path: Path) -> None:
    d = tmp_path / "journal"
    d.mkdir()
    crash = crashers.run([str(crashers.program("hello"))])
    tail = ["app.service: start operation timed out. Terminating.",
            "app.service: Main process exited, code=killed, status=15/TERM"]
    journal_of(crash, d / "system.journal", tail=tail, result="timeout")
    c = cause(why("app", "--journal", str(d)))
    assert c["evidence"]["cause"] == "start-timeout" and "READY=1" in c["summary"]
    assert c["evidence"]["caught by"] == "why.unit-notify"
