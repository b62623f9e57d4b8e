"""Each runtime check flips from ok to warn/fail and back as the test pushes a real Go service (the
stdlib-only tests/probe/goservice, built with Go 1.27.3) over its threshold: goroutines leaked, heap held
under GOMEMLIMIT or a cgroup memory limit, fds opened under RLIMIT_NOFILE, threads under a pids cgroup,
GOMAXPROCS above the CPUs, a GC that never stops."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.goservice import Service, gomedic_probe, make_cgroup, start_goservice


@pytest.fixture
def started(goservice_bin: Path, tmp_path: Path) -> Iterator[list[Service]]:
    services: list[Service] = []
    yield services
    for s in services:
        s.stop()


def _svc(started: list[Service], tmp_path: Path, **kw: object) -> Service:
    s = start_goservice(tmp_path, **kw)  # type: ignore[arg-type]
    started.append(s)
    return s


def test_goroutines_flip(goservice: Service) -> None:
    args = (goservice.url, "--window", "0", "--set", "runtime.goroutines.warn=200",
            "--set", "runtime.goroutines.max=1000")
    assert gomedic_probe(*args).status("runtime.goroutines") == "ok"
    goservice.ctl("goroutines", n=500)
    r = gomedic_probe(*args).result("runtime.goroutines")
    assert r["status"] == "warn"
    assert "main.goroutines.func1" in r["summary"]  # the top stack names the leak
    assert r["evidence"]["states"].startswith("chan receive 50")
    goservice.ctl("goroutines", n=2000)
    r = gomedic_probe(*args).result("runtime.goroutines")
    assert r["status"] == "fail" and "(limit 1000)" in r["summary"]
    goservice.ctl("goroutines", n=0)
    assert gomedic_probe(*args).status("runtime.goroutines") == "ok"


def test_goroutine_growth_over_the_window(goservice: Service) -> None:
    # 100 more goroutines a second: the count stays far under `warn`, the rate does not.
    args = (goservice.url, "--window", "2s", "--set", "runtime.goroutines.growth_per_min=1200")
    assert gomedic_probe(*args).status("runtime.goroutines") == "ok"
    goservice.ctl("leak", per_sec=100)
    r = gomedic_probe(*args).result("runtime.goroutines")
    assert r["status"] == "warn", r
    assert "goroutines grew" in r["summary"] and "main.leak.func1" in r["summary"]
    goservice.ctl("leak", per_sec=0)
    assert gomedic_probe(*args).status("runtime.goroutines") == "ok"


def test_heap_under_gomemlimit_flip(started: list[Service], tmp_path: Path) -> None:
    svc = _svc(started, tmp_path, env={"GOMEMLIMIT": "64MiB"})
    args = (svc.url, "--pid", str(svc.pid), "--window", "0")
    r = gomedic_probe(*args).result("runtime.heap")
    assert r["status"] == "ok" and "of GOMEMLIMIT 64.0 MiB" in r["summary"]
    assert r["evidence"]["GOMEMLIMIT (env)"] == "64MiB"
    svc.ctl("heap", mb=56)
    r = gomedic_probe(*args).result("runtime.heap")
    assert r["status"] in ("warn", "fail"), r
    svc.ctl("heap", mb=0)
    assert gomedic_probe(*args).status("runtime.heap") == "ok"


def test_heap_cap_without_pid(goservice: Service) -> None:
    args = (goservice.url, "--window", "0", "--set", "runtime.heap.max_mb=40")
    assert gomedic_probe(goservice.url, "--window", "0").status("runtime.heap") == "skip"  # no limit known
    assert gomedic_probe(*args).status("runtime.heap") == "ok"
    goservice.ctl("heap", mb=48)
    r = gomedic_probe(*args).result("runtime.heap")
    assert r["status"] == "fail" and "runtime.heap.max_mb" in r["summary"]


def test_heap_under_cgroup_memory_limit(started: list[Service], tmp_path: Path) -> None:
    cg = make_cgroup("memory", {"memory.limit_in_bytes": str(128 << 20)})
    svc = _svc(started, tmp_path, cgroups=[cg])
    args = (svc.url, "--pid", str(svc.pid), "--window", "0")
    r = gomedic_probe(*args).result("runtime.heap")
    assert r["status"] == "ok" and "cgroup memory limit 128.0 MiB" in r["summary"], r
    svc.ctl("heap", mb=108)
    assert gomedic_probe(*args).status("runtime.heap") in ("warn", "fail")
    svc.ctl("heap", mb=0)
    assert gomedic_probe(*args).status("runtime.heap") == "ok"


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


def test_release_and_reachable(goservice: Service) -> None:
    run = gomedic_probe(goservice.url, "--pid", str(goservice.pid), "--window", "0")
    assert run.returncode == 0, run.stdout
    r = run.result("runtime.go-release")
    assert r["status"] == "ok" and "go1.27.3" in r["summary"]
    reach = run.result("runtime.reachable")
    assert reach["status"] == "ok" and "not offered: metrics" in reach["summary"]
    assert run.report["context"]["target"].endswith(f"(pid {goservice.pid}, go1.27.3)")
    assert {x["id"] for x in run.report["results"]} == {
        "runtime.reachable", "runtime.goroutines", "runtime.heap", "runtime.gc", "runtime.fds",
        "runtime.threads", "runtime.gomaxprocs", "runtime.go-release"}
