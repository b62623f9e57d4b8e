"""The pure readers and recognisers of gomedic.postmortem, on the kernel's, systemd's and Go's real formats."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.postmortem import gosigns, kernel, sdexit
from gomedic.postmortem.lines import (
    LogLine,
    last_run,
    parse_audit_log,
    parse_dmesg,
    parse_journal_json,
    parse_kmsg,
)
from gomedic.postmortem.signs import Kind, Source
from gomedic.postmortem.timespan import parse_timespan
from gomedic.postmortem.verdict import decide


def klines(*texts: str) -> list[LogLine]:
    return [LogLine(t, Source.AUDIT if "type=1326" in t else Source.KERNEL, 100.0 + i) for i, t in enumerate(texts)]


def test_kernel_oom_formats() -> None:
    lines = klines(
        "Out of memory: Killed process 1234 (app) total-vm:1048576kB, anon-rss:900000kB, file-rss:0kB, shmem-rss:0kB, "
        "UID:1000 pgtables:2000kB oom_score_adj:0",
        "Memory cgroup out of memory: Killed process 99 (other) total-vm:10kB, anon-rss:1kB, file-rss:0kB",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/system.slice/app.service,"
        "task_memcg=/system.slice/app.service,task=app,pid=1234,uid=0")
    signs = list(kernel.recognise(lines, frozenset({1234}), None))
    assert [s.kind for s in signs] == [Kind.OOM_KILL, Kind.OOM_KILL]
    assert signs[0].detail["scope"] == "global" and signs[0].detail["total-vm kB"] == "1048576"
    assert signs[1].detail["memcg"] == "/system.slice/app.service" and signs[1].detail["scope"] == "memory cgroup"
    by_name = list(kernel.recognise(lines, frozenset(), "other"))
    assert [s.pid for s in by_name] == [99]


def test_kernel_trap_segfault_and_seccomp() -> None:
    lines = klines(
        "traps: app[4321] trap invalid opcode ip:45e0a0 sp:7ffc8f0c1e38 error:0 in app[401000+b2000]",
        "app[4322]: segfault at 0 ip 000000000045e0a0 sp 00007ffc8f0c1e38 error 4 in app[401000+b2000]",
        "audit: type=1326 audit(1700000000.123:45): auid=4294967295 uid=0 gid=0 ses=4294967295 subj=unconfined "
        'pid=4323 comm="app" exe="/usr/local/bin/app" sig=31 arch=c000003e syscall=41 compat=0 ip=0x45e0a0 '
        "code=0x80000000",
    )
    signs = list(kernel.recognise(lines, frozenset({4321, 4322, 4323}), None))
    assert [s.kind for s in signs] == [Kind.KERNEL_TRAP, Kind.KERNEL_SEGFAULT, Kind.SECCOMP]
    assert signs[0].detail["trap"] == "invalid opcode" and signs[0].detail["where"] == "app[401000+b2000]"
    assert signs[1].detail["addr"] == "0"
    assert signs[2].detail["syscall"] == "41" and signs[2].detail["exe"] == "/usr/local/bin/app"


def test_audit_log_and_kmsg_and_dmesg() -> None:
    audit = parse_audit_log('type=SECCOMP msg=audit(1700000000.500:12): auid=0 uid=0 pid=7 comm="app" sig=31 '
                            'syscall=41\ntype=SYSCALL msg=audit(1700000000.500:13): arch=c000003e\n')
    assert len(audit) == 1 and audit[0].ts == pytest.approx(1700000000.5)
    assert [s.kind for s in kernel.recognise(audit, frozenset({7}))] == [Kind.SECCOMP]
    km = parse_kmsg("3,812,2000000,-;Out of memory: Killed process 7 (app) total-vm:1kB, anon-rss:1kB\n"
                    " SUBSYSTEM=memory\n", boot_time=1000.0)
    assert km[0].ts == 1002.0 and km[0].text.startswith("Out of memory")
    dm = parse_dmesg("[    2.500000] traps: app[7] trap invalid opcode ip:1 sp:2 error:0 in app[3+4]\n", 1000.0)
    assert dm[0].ts == 1002.5 and next(iter(kernel.recognise(dm, frozenset({7})))).kind is Kind.KERNEL_TRAP


def test_journal_json_with_byte_array_message() -> None:
    rec = {"MESSAGE": list(b"panic: \xff bad"), "_PID": "9", "_SYSTEMD_UNIT": "app.service", "_TRANSPORT": "stdout",
           "__REALTIME_TIMESTAMP": "1700000000000000"}
    lines, bad = parse_journal_json(json.dumps(rec) + "\nnot json\n[1]\n")
    assert bad == 2 and lines[0].text.startswith("panic: ") and lines[0].ts == 1700000000.0
    assert lines[0].source is Source.JOURNAL and lines[0].pid == 9


def test_systemd_exit_table() -> None:
    t = sdexit.table()
    assert (t[200].name, t[203].name, t[217].name, t[226].name, t[231].name) == (
        "CHDIR", "EXEC", "USER", "NAMESPACE", "APPARMOR")
    assert sdexit.is_systemd_step(243) and not sdexit.is_systemd_step(2) and not sdexit.is_systemd_step(255)
    doc = json.loads(sdexit.DATA.read_text())
    assert any("exit-status.c" in s for s in doc["source"])


@pytest.mark.parametrize(("arg", "code", "status"), [
    ("2", "exited", 2), ("203/EXEC", "exited", 203), ("EXEC", "exited", 203), ("SIGKILL", "killed", 9),
    ("KILL", "killed", 9), ("9/KILL", "killed", 9), ("137", "exited", 137)])
def test_exit_status_argument(arg: str, code: str, status: int) -> None:
    e = sdexit.parse_exit_arg(arg)
    assert (e.code, e.status) == (code, status)


@pytest.mark.parametrize("arg", ["banana", "256", "-1", ""])
def test_exit_status_argument_rejected(arg: str) -> None:
    with pytest.raises(ValueError, match="expected a number"):
        sdexit.parse_exit_arg(arg)


def test_timespan() -> None:
    assert parse_timespan("90") == 90 and parse_timespan("1min 30s") == 90 and parse_timespan("500ms") == 0.5
    assert parse_timespan("infinity") == float("inf") and parse_timespan("5 parsecs") is None


def test_last_run_starts_at_systemds_last_start() -> None:
    sd, j = Source.SYSTEMD, Source.JOURNAL
    lines = [LogLine("Starting app.service...", sd, 1.0, 1, "app.service"), LogLine("panic: old", j, 2.0, 10),
             LogLine("Starting app.service...", sd, 3.0, 1, "app.service"), LogLine("serving", j, 4.0, 11)]
    assert [ln.text for ln in last_run(lines)] == ["Starting app.service...", "serving"]
    assert [ln.text for ln in last_run(lines, pid=10)][:1] == ["panic: old"]


def test_go_signal_and_loader_texts() -> None:
    j = Source.JOURNAL
    lines = [
        LogLine(t, j, float(i), 5)
        for i, t in enumerate(
            [
                "SIGSEGV: segmentation violation",
                "PC=0x45e0a0 m=0 sigcode=1 addr=0x0",
                "/usr/local/bin/app: /lib/x86_64-linux-gnu/libc.so.6: version `GLIBC_2.34' not found "
                "(required by /usr/local/bin/app)",
                "2026/01/01 00:00:00 open /etc/app.conf: too many open files",
                "tls: failed to verify certificate: x509: certificate signed by unknown authority",
                "panic: unknown time zone Europe/Berlin",
                "bash: /app: cannot execute: required file not found",
                "listen tcp :80: bind: permission denied",
            ]
        )
    ]
    kinds = [s.kind for s in gosigns.recognise(lines)]
    assert kinds == [Kind.GO_SIGNAL, Kind.GLIBC_VERSION, Kind.TOO_MANY_FILES, Kind.X509_UNKNOWN_CA, Kind.GO_PANIC,
                     Kind.MISSING_INTERPRETER, Kind.PORT_DENIED]
    glibc = next(s for s in gosigns.recognise(lines) if s.kind is Kind.GLIBC_VERSION)
    assert glibc.detail["what"] == "GLIBC_2.34"
    v = decide(list(gosigns.recognise(lines[2:3])), sdexit.ExitInfo("exited", 1, "test"))
    assert v.key == "glibc-version" and "GLIBC_2.34" in (v.cause or "") and v.catch == ("binary.glibc",)


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=300, deadline=None)
@given(st.lists(texts, max_size=30), st.sampled_from(list(Source)))
def test_recognisers_never_crash(msgs: list[str], source: Source) -> None:
    lines = [LogLine(m, source, float(i), i) for i, m in enumerate(msgs)]
    signs = [*gosigns.recognise(lines), *kernel.recognise(lines), *sdexit.recognise(lines)]
    v = decide(signs, None)
    assert v.key is None or v.cause


@settings(max_examples=200, deadline=None)
@given(texts)
def test_line_readers_never_crash(text: str) -> None:
    parse_journal_json(text)
    parse_kmsg(text, 0.0)
    parse_dmesg(text, None)
    parse_audit_log(text)
    parse_timespan(text)
    try:
        e = sdexit.parse_exit_arg(text)
    except ValueError as err:
        assert "--exit-status" in str(err)
    else:
        assert 0 <= e.status <= 255


def test_systemctl_show_output() -> None:
    props = sdexit.parse_show("ActiveState=failed\nSubState=failed\nResult=oom-kill\nExecMainCode=2\n"
                              "ExecMainStatus=9\nNRestarts=3\nExecMainPID=812\n")
    e = sdexit.from_show(props)
    assert e is not None and e.label() == "killed by SIGKILL" and props["NRestarts"] == "3"
    assert sdexit.from_show({"ExecMainCode": "1", "ExecMainStatus": "203"}).label() == "exit status 203/EXEC"  # type: ignore[union-attr]
    assert sdexit.from_show({"ExecMainCode": "0", "ExecMainStatus": "0"}) is None


def test_errors_logged_by_a_program_that_ended_cleanly_are_not_a_cause() -> None:
    lines = [LogLine("x509: certificate signed by unknown authority", Source.JOURNAL, 1.0, 5)]
    clean = decide(list(gosigns.recognise(lines)), sdexit.ExitInfo("exited", 0, "test"))
    assert not clean.failed and clean.key is None and clean.evidence[0].kind is Kind.X509_UNKNOWN_CA
    died = decide(list(gosigns.recognise(lines)), sdexit.ExitInfo("exited", 1, "test"))
    assert died.failed and died.key == "x509-unknown-authority"


@pytest.mark.parametrize(("status", "code"), [("fail", 0), ("ok", 0), ("warn", 1), ("skip", 3), ("error", 3)])
def test_why_exit_codes(status: str, code: int) -> None:
    from gomedic.model import Category, Report, Result, Severity, Status

    other = Result("why.confirm", "why", Category.SERVICE, Status.FAIL, Severity.HIGH, "t", "confirmed")
    r = Result("why.cause", "why", Category.SERVICE, Status(status), Severity.CRITICAL, "t", "s")
    assert Report("why", (r, other), "2026-01-01T00:00:00Z", 0.1).exit == code  # why.confirm never decides it
    assert Report("why", (other,), "2026-01-01T00:00:00Z", 0.1).exit == 3
