"""why.* in-process. The ANALYSIS fact is assembled, as facts.whyrun does, from gomedic's pure recognisers over
a real Go crash (a nil-map panic run once and captured) and systemd's messages; UNIT is the real unit-file
loader's answer for a unit written to tmp_path; the pre-start checks why.confirm reruns read seeded binaries.
The end-to-end runs of `gomedic why` (real journals, --root) are in tests/why/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gomedic.binfmt.inspect import inspect
from gomedic.checks.binary import BINARIES
from gomedic.checks.why import cause, confirm, sources
from gomedic.checks.why_unit import unit_notify, unit_output, unit_stop
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.postmortem import SourceRead
from gomedic.facts.systemd import UNIT, load_service
from gomedic.facts.whyrun import ANALYSIS, Analysis
from gomedic.model import Status
from gomedic.postmortem import gosigns, sdexit
from gomedic.postmortem.lines import LogLine, last_run
from gomedic.postmortem.signs import Source
from gomedic.postmortem.verdict import decide
from gomedic.targets import TARGET
from gomedic.targets.resolve import resolve
from tests.support import crashers
from tests.support.gobuild import build, corpus
from tests.support.seeded import HOST_AMD64, all_of, captured, facts, one, run_area

T0 = 1_750_000_000.0
UNIT_NAME = "app.service"
NOT_SYSTEMD = SourceRead("systemd", False, "not read: systemd is not running here")


@pytest.fixture(scope="module")
def nilmap_crash() -> dict[str, Any]:
    """A real Go program's nil-map panic: its output lines and exit status, run once per machine."""
    def produce() -> dict[str, Any]:
        c = crashers.run([str(crashers.program("nilmap"))])
        return {"lines": c.lines, "status": c.status, "pid": c.pid}

    data: dict[str, Any] = captured("crash-nilmap", produce)
    return data


def journal(program_lines: list[str], pid: int, exited: str | None) -> list[LogLine]:
    """The unit's journal: systemd starting it, the program's lines, systemd's exit message (its format)."""
    out = [LogLine(f"Started {UNIT_NAME} - app.", Source.SYSTEMD, T0, 1, UNIT_NAME)]
    out += [LogLine(t, Source.JOURNAL, T0 + 1, pid, UNIT_NAME, "app") for t in program_lines]
    if exited:
        out.append(LogLine(f"{UNIT_NAME}: Main process exited, {exited}", Source.SYSTEMD, T0 + 2, 1, UNIT_NAME))
    return out


def analysis(lines: list[LogLine], exit_status: str | None = None, systemd: SourceRead = NOT_SYSTEMD) -> Analysis:
    """What facts.whyrun.analyse makes of these sources (no kernel log: nothing from this machine's)."""
    run = last_run(lines)
    signs = sorted([*sdexit.recognise(run), *gosigns.recognise(run)], key=lambda s: s.ts or 0.0)
    exit_info = sdexit.parse_exit_arg(exit_status) if exit_status else sdexit.exit_from_signs(signs)
    srcs = [systemd, SourceRead("journal", bool(lines), f"{len(run)} lines of {UNIT_NAME}'s last run" if lines
                                else f"not read: no journal for {UNIT_NAME}", tuple(lines))]
    if exit_status:
        srcs.append(SourceRead("exit status", True, f"--exit-status {exit_status}"))
    pids = frozenset(ln.pid for ln in run if ln.pid is not None and ln.source is Source.JOURNAL)
    return Analysis(tuple(srcs), tuple(run), tuple(signs), decide(signs, exit_info), pids, "app")


def with_analysis(a: Analysis, **subject: Any) -> Facts:
    f = facts({}, **subject)
    f.seed(ANALYSIS, a)
    return f


def test_a_real_go_panic_is_named_with_its_evidence(nilmap_crash: dict[str, Any]) -> None:
    c = nilmap_crash
    assert c["status"] == 2 and "panic: assignment to entry in nil map" in c["lines"]
    a = analysis(journal(c["lines"], c["pid"], "code=exited, status=2/INVALIDARGUMENT"))
    r = one(cause(with_analysis(a)))
    assert r.status is Status.FAIL and r.evidence["cause"] == "go-panic"
    assert "assignment to entry in nil map" in r.summary and r.fix
    assert r.evidence["caught by"] == "no pre-start check (a bug in the program)"
    assert r.evidence["exit"] == "exit status 2/INVALIDARGUMENT (journal)"
    assert one(confirm(with_analysis(a))).summary == "no pre-start check catches this cause"


def test_sources_say_what_was_read_and_what_not(nilmap_crash: dict[str, Any]) -> None:
    c = nilmap_crash
    a = analysis(journal(c["lines"], c["pid"], "code=exited, status=2/INVALIDARGUMENT"))
    got = {x.subject: (x.status, x.summary) for x in all_of(sources(with_analysis(a)))}
    assert got["systemd"] == (Status.SKIP, "not read: systemd is not running here")
    assert got["journal"][0] is Status.OK and got["journal"][1].endswith(f"lines of {UNIT_NAME}'s last run")


def test_failure_without_a_known_cause_warns_and_a_clean_exit_is_ok() -> None:
    a = analysis(journal(["serving", "shutting down"], 4242, "code=exited, status=1/FAILURE"))
    r = one(cause(with_analysis(a)))
    assert (
        r.status is Status.WARN
        and r.summary
        == "no known cause: the service failed (exit status 1/FAILURE (journal)) but nothing read names why"
    )
    assert r.fix is not None and r.fix.startswith("read the unit's whole log (journalctl -u UNIT -b)")
    assert one(confirm(with_analysis(a))).summary == "no cause named: nothing to confirm"
    a = analysis(journal(["serving"], 4242, "code=exited, status=0/SUCCESS"))
    r = one(cause(with_analysis(a)))
    assert r.status is Status.OK and r.summary.startswith("no failure found in what was read")


def test_nothing_read_about_the_service_is_unavailable() -> None:
    with pytest.raises(FactUnavailable, match="nothing about the service could be read"):
        cause(with_analysis(analysis([])))


def test_confirm_reruns_the_binary_checks_that_catch_a_203_exec() -> None:
    a = analysis([], exit_status="203/EXEC")
    assert a.verdict.key == "systemd-step"
    f = with_analysis(a)
    f.seed(BINARIES, (inspect(str(corpus("cgo-musl"))),))
    f.seed(TARGET, resolve("debian-12", None, HOST_AMD64, None, None, {}))
    got = {x.subject: x for x in all_of(confirm(f))}
    assert list(got) == list(a.verdict.catch)
    assert set(got) == {"service.unit", "binary.format", "binary.arch", "binary.interpreter", "binary.libs"}
    assert got["binary.interpreter"].status is Status.FAIL
    assert got["binary.interpreter"].summary.startswith("confirmed: binary.interpreter fails now: the interpreter "
                                                        "/lib/ld-musl-x86_64.so.1 of ")
    assert got["binary.arch"].status is Status.OK and got["binary.arch"].summary.startswith(
        "ruled out by binary.arch: "
    )
    assert got["service.unit"].status is Status.SKIP and "cannot run now" in got["service.unit"].summary


def unit(tmp_path: Path, service: str) -> tuple[Path, Facts]:
    """A unit file under a root in tmp_path, loaded by the real unit loader and seeded as UNIT."""
    d = tmp_path / "etc" / "systemd" / "system"
    d.mkdir(parents=True)
    (d / UNIT_NAME).write_text(f"[Unit]\nDescription=app\n\n[Service]\nExecStart=/usr/local/bin/app\n{service}\n")
    f = facts({}, unit=UNIT_NAME, unit_root=str(tmp_path))
    f.seed(UNIT, load_service(UNIT_NAME, tmp_path))
    return tmp_path, f


def test_notify_unit_whose_program_never_notifies(tmp_path: Path) -> None:
    root, _ = unit(tmp_path, "Type=notify")
    hello = crashers.program("hello")  # a real Go program with no sd_notify code
    f = facts({}, unit=UNIT_NAME, unit_root=str(root), binary=str(hello))
    f.seed(UNIT, load_service(UNIT_NAME, root))
    r = one(unit_notify(f))
    assert r.status is Status.FAIL and r.summary.startswith("Type=notify but /usr/local/bin/app has no sd_notify code")
    assert r.fix == ("set Type=exec in /etc/systemd/system/app.service, or send READY=1 from the program "
                     "(go-systemd daemon.SdNotify)")
    assert r.evidence["file"] == "/etc/systemd/system/app.service"
    notifier = build(crashers.NOTIFIER, name="app")
    f = facts({}, unit=UNIT_NAME, unit_root=str(root), binary=str(notifier))
    f.seed(UNIT, load_service(UNIT_NAME, root))
    r = one(unit_notify(f))
    assert r.status is Status.OK and "NOTIFY_SOCKET" in r.summary
    _, f = unit(tmp_path / "simple", "Type=simple")
    assert one(unit_notify(f)).summary == "Type=simple: systemd does not wait for a readiness notification"


def test_notify_without_the_program_to_read_skips(tmp_path: Path) -> None:
    _, f = unit(tmp_path, "Type=notify")
    assert one(unit_notify(f)).status is Status.SKIP


def test_output_to_null_warns_and_a_file_is_ok(tmp_path: Path) -> None:
    _, f = unit(tmp_path / "a", "StandardError=null")
    r = one(unit_output(f))
    assert r.status is Status.WARN and r.summary.startswith(f"standard error of {UNIT_NAME} goes to null (")
    assert r.evidence["file"] == "/etc/systemd/system/app.service"
    _, f = unit(tmp_path / "b", "StandardOutput=null")  # StandardError= inherits it
    assert one(unit_output(f)).status is Status.WARN
    _, f = unit(tmp_path / "c", "StandardError=append:/var/log/app.err")
    assert one(unit_output(f)).summary == f"standard error of {UNIT_NAME} goes to /var/log/app.err: read crashes there"
    _, f = unit(tmp_path / "d", "")
    assert one(unit_output(f)).summary == f"standard error of {UNIT_NAME} goes to the journal"


def test_stop_settings_that_cut_shutdown_short(tmp_path: Path) -> None:
    _, f = unit(tmp_path / "a", "KillSignal=SIGKILL\nTimeoutStopSec=2s")
    got = all_of(unit_stop(f))
    assert [x.status for x in got] == [Status.FAIL, Status.WARN]
    assert got[0].summary.startswith("KillSignal=SIGKILL (/etc/systemd/system/app.service:")
    assert "systemd sends SIGKILL 2s after SIGTERM, less than 5s to drain" in got[1].summary
    assert (
        got[1].evidence["line"] == "7"
        and got[1].fix == "raise TimeoutStopSec= at /etc/systemd/system/app.service:7 (e.g. 30s)"
    )
    _, f = unit(tmp_path / "b", "TimeoutStopSec=soon")
    assert one(unit_stop(f)).summary.startswith("TimeoutStopSec=soon (")
    _, f = unit(tmp_path / "c", "TimeoutStopSec=30s")
    assert one(unit_stop(f)).status is Status.OK


def test_the_why_area_through_the_runner(tmp_path: Path, nilmap_crash: dict[str, Any]) -> None:
    c = nilmap_crash
    _, f = unit(tmp_path, "Type=exec\nStandardError=journal")
    f.seed(ANALYSIS, analysis(journal(c["lines"], c["pid"], "code=exited, status=2/INVALIDARGUMENT")))
    got = {cid: sorted(r.status.value for r in rs) for cid, rs in run_area("why", f).items()}
    assert got == {"why.sources": ["ok", "skip"], "why.cause": ["fail"], "why.confirm": ["skip"],
                   "why.unit-notify": ["ok"], "why.unit-output": ["ok"], "why.unit-stop": ["ok"]}


def test_exit_2_with_nothing_logged_is_confirmed_by_the_hidden_stderr(tmp_path: Path) -> None:
    _, f = unit(tmp_path, "StandardError=null")
    a = analysis([], exit_status="2")
    f.seed(ANALYSIS, a)
    r = one(cause(f))
    assert r.status is Status.FAIL and r.evidence["cause"] == "exit-2" and r.evidence["caught by"] == "why.unit-output"
    got = one(confirm(f))
    assert got.status is Status.WARN and got.subject == "why.unit-output"
    assert got.summary.startswith(f"why.unit-output warns now: standard error of {UNIT_NAME} goes to null")


def test_a_process_still_running_is_ok() -> None:
    alive = SourceRead("process", True, "process 4242 is still running: it has not died")
    a = analysis(journal(["serving"], 4242, None))
    a = Analysis((*a.sources, alive), a.run, a.signs, a.verdict, a.pids, a.comm)
    r = one(cause(with_analysis(a)))
    assert r.status is Status.OK
    assert r.summary == "process 4242 is still running: it has not died, and nothing read shows a failure"
