"""What `gomedic why` reads and says it read: --since, a process that is still running."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.support import crashers
from tests.support.hostfixtures import gomedic
from tests.support.journals import write_journal
from tests.why.conftest import run_entries


def test_since_leaves_out_older_runs(tmp_path: Path) -> None:
    crash = crashers.run([str(crashers.program("nilmap"))])
    t = time.time() - 7200
    j = write_journal(run_entries(crash, t), tmp_path / "app.journal")
    all_ = gomedic("why", "app", "--journal", str(j), "--format", "json")
    assert all_.result("why.cause")["evidence"]["cause"] == "go-panic"
    later = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t + 3600))
    since = gomedic("why", "app", "--journal", str(j), "--since", later, "--format", "json")
    assert "no entries for unit app.service" in since.result("why.sources", "journal")["summary"]
    assert since.returncode == 3  # nothing left to read


def test_a_process_that_is_still_running(tmp_path: Path) -> None:
    exe = crashers.build(crashers.SLEEPER, name="app")
    p = subprocess.Popen([str(exe)], stdout=subprocess.PIPE, start_new_session=True)
    try:
        run = gomedic("why", "--pid", str(p.pid), "--format", "json")
        proc = run.result("why.sources", "process")
        assert proc["status"] == "ok" and "still running" in proc["summary"]
        c = run.result("why.cause")
        assert c["status"] == "ok" and "still running" in c["summary"]
        assert run.returncode == 0 and os.path.isdir(f"/proc/{p.pid}")  # read, never touched
    finally:
        p.kill()
        p.wait()


def test_a_long_journal_keeps_the_newest_entries(tmp_path: Path) -> None:
    from tests.support.journals import unit_entry

    crash = crashers.run([str(crashers.program("nilmap"))])
    t = time.time() - 3600
    noise = [unit_entry("app.service", f"GET /api/items/{i} 200 1.2ms user-agent=probe/1.0 " + "x" * 200,
                        pid=crash.pid - 1, ts=t + i * 0.01) for i in range(16000)]
    j = write_journal([*noise, *run_entries(crash, t + 600)], tmp_path / "app.journal")
    run = gomedic("why", "app", "--journal", str(j), "--format", "json")
    src = run.result("why.sources", "journal")["summary"]
    assert "passed 4 MiB: the newest" in src, src  # execx's output cap cut the oldest entries, not the death
    assert run.result("why.cause")["evidence"]["cause"] == "go-panic"


def test_nothing_about_the_unit_on_this_machine() -> None:
    run = gomedic("why", "gomedic-why-nosuch", "--format", "json")
    c = run.result("why.cause")
    assert run.returncode == 3 and c["status"] == "skip" and "nothing about the service could be read" in c["summary"]
    assert "no entries for unit gomedic-why-nosuch.service" in run.result("why.sources", "journal")["summary"]
