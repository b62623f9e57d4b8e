"""Process-level runtime checks flip as the test pushes a real Go service (tests/probe/goservice) over a
limit and back: fds under RLIMIT_NOFILE, threads under a pids cgroup, GOMAXPROCS above the CPUs (env and
a CPU-quota cgroup), a GC that never stops."""

from __future__ import annotations

import os
import resource
from pathlib import Path

import pytest

from tests.support.goservice import Service, gomedic_probe, make_cgroup, start_tracked


def _svc(started: list[Service], tmp_path: Path, **kw: object) -> Service:
    return start_tracked(started, tmp_path, **kw)


def test_fds_flip(started: list[Service], tmp_path: Path) -> None:
    svc = _svc(started, tmp_path, rlimits={resource.RLIMIT_NOFILE: (256, 256)})
    args = (svc.url, "--pid", str(svc.pid), "--window", "0")
    r = gomedic_probe(*args).result("runtime.fds")
    assert r["status"] == "ok" and "of 256 file descriptors" in r["summary"]
    svc.ctl("fds", n=215)
    assert gomedic_probe(*args).status("runtime.fds") == "warn"
    svc.ctl("fds", n=245)
    assert gomedic_probe(*args).status("runtime.fds") == "fail"
    svc.ctl("fds", n=0)
    assert gomedic_probe(*args).status("runtime.fds") == "ok"
    # Without --pid the stdlib service exposes no fd numbers: skip, not ok.
    assert gomedic_probe(svc.url, "--window", "0").status("runtime.fds") == "skip"


def test_threads_flip_under_pids_cgroup(started: list[Service], tmp_path: Path) -> None:
    cg = make_cgroup("pids", {"pids.max": "100"})
    svc = _svc(started, tmp_path, cgroups=[cg])
    args = (svc.url, "--pid", str(svc.pid), "--window", "0")
    r = gomedic_probe(*args).result("runtime.threads")
    assert r["status"] == "ok" and "of cgroup pids.max 100" in r["summary"], r
    svc.ctl("threads", n=80)
    r = gomedic_probe(*args).result("runtime.threads")
    assert r["status"] == "warn", r
    svc.ctl("threads", n=0)
    assert gomedic_probe(*args).status("runtime.threads") == "ok"


@pytest.mark.parametrize(("value", "status"), [(None, "ok"), ("3", "warn"), ("8", "fail")])
def test_gomaxprocs_env(started: list[Service], tmp_path: Path, value: str | None, status: str) -> None:
    cpus = len(os.sched_getaffinity(0))
    if value is not None and int(value) <= cpus * (4 if status == "fail" else 1):
        value = str(cpus * (4 if status == "fail" else 1) + 1)
    svc = _svc(started, tmp_path, env={"GOMAXPROCS": value} if value else {})
    r = gomedic_probe(svc.url, "--pid", str(svc.pid), "--window", "0").result("runtime.gomaxprocs")
    assert r["status"] == status, r
    if value:
        assert r["evidence"]["source"] == "the GOMAXPROCS variable in its environment"


def test_gomaxprocs_under_cpu_quota(started: list[Service], tmp_path: Path) -> None:
    # Go 1.27 with a `go 1.22` main module keeps containermaxprocs=0: the quota is ignored.
    cg = make_cgroup("cpu", {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "50000"})
    svc = _svc(started, tmp_path, cgroups=[cg], env={"GOMAXPROCS": "6"})
    r = gomedic_probe(svc.url, "--pid", str(svc.pid), "--window", "0").result("runtime.gomaxprocs")
    assert r["evidence"]["cgroup CPU quota"].startswith("0.5 CPUs")
    assert r["evidence"]["containermaxprocs"] == "0"
    assert "(CPU quota 0.5)" in r["summary"]
    assert r["status"] == ("warn" if len(os.sched_getaffinity(0)) >= 2 else "fail"), r


def test_gc_flip(started: list[Service], tmp_path: Path) -> None:
    svc = _svc(started, tmp_path, env={"GOGC": "5"})
    args = (svc.url, "--pid", str(svc.pid), "--window", "2s", "--set", "runtime.gc.cpu_warn=0.02")
    assert gomedic_probe(*args).status("runtime.gc") in ("ok", "skip")  # no GC may have run yet
    svc.ctl("churn", on=1)
    r = gomedic_probe(*args).result("runtime.gc")
    assert r["status"] in ("warn", "fail"), r
    assert "over the 2s window" in r["summary"]
    svc.ctl("churn", on=0)
    r = gomedic_probe(*args).result("runtime.gc")
    assert r["status"] == "ok" and "over the 2s window" in r["summary"], r
