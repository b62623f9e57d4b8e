"""Each runtime check flips from ok to warn/fail and back as the test pushes a real Go service (the
stdlib-only tests/probe/goservice, built with Go 1.27.3) over its threshold: goroutines leaked, heap held
under GOMEMLIMIT or a cgroup memory limit. (fds, threads, GOMAXPROCS, GC: test_goservice_limits.py.)"""

from __future__ import annotations

from pathlib import Path

from tests.support.goservice import Service, gomedic_probe, make_cgroup, start_tracked


def _svc(started: list[Service], tmp_path: Path, **kw: object) -> Service:
    return start_tracked(started, tmp_path, **kw)


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
    args = (goservice.url, "--window", "0", "--set", "runtime.heap.max_mb=40")  # the older name of max_mib
    assert gomedic_probe(goservice.url, "--window", "0").status("runtime.heap") == "skip"  # no limit known
    assert gomedic_probe(*args).status("runtime.heap") == "ok"
    goservice.ctl("heap", mb=48)
    r = gomedic_probe(*args).result("runtime.heap")
    assert r["status"] == "fail" and "runtime.heap.max_mib" in r["summary"]


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


def test_pid_only(goservice: Service) -> None:
    run = gomedic_probe("--pid", str(goservice.pid), "--window", "0")
    assert run.status("runtime.reachable") == "skip"
    assert run.status("runtime.goroutines") == "skip"  # only the endpoints know goroutines
    assert run.status("runtime.fds") == "ok" and run.status("runtime.threads") == "ok"
    assert run.status("runtime.go-release") == "ok"
    assert run.report["context"]["target"] == f"pid {goservice.pid} (go1.27.3)"


def test_heap_with_pid_and_no_limit_says_what_it_read(started: list[Service], tmp_path: Path) -> None:
    # A cgroup of its own without a memory limit, no GOMEMLIMIT: nothing to compare with, and --pid was given.
    svc = _svc(started, tmp_path, cgroups=[make_cgroup("memory", {})])
    r = gomedic_probe(svc.url, "--pid", str(svc.pid), "--window", "0").result("runtime.heap")
    assert r["status"] == "skip", r
    assert "give --pid" not in r["summary"]
    assert f"no GOMEMLIMIT in /metrics or the environment of pid {svc.pid}" in r["summary"]
    assert "--set runtime.heap.max_mib=N" in r["summary"]
    assert r["evidence"]["GOMEMLIMIT (env)"] == "not seen"


def test_pid_of_a_process_that_is_not_go() -> None:
    import os
    import shutil
    import subprocess

    sleep = os.path.realpath(shutil.which("sleep") or "/usr/bin/sleep")
    proc = subprocess.Popen([sleep, "300"])
    try:
        run = gomedic_probe("--pid", str(proc.pid), "--window", "0")
    finally:
        proc.kill()
        proc.wait()
    assert run.returncode == 0, run.stderr
    r = run.result("runtime.reachable")
    assert r["status"] == "skip"
    assert f"pid {proc.pid} is not a Go process ({sleep}: " in r["summary"], r["summary"]
    assert "no Go runtime endpoint to find" in r["summary"] and r["evidence"]["exe"] == sleep
    for cid in ("runtime.threads", "runtime.gomaxprocs", "runtime.go-release"):
        got = run.result(cid)
        assert got["status"] == "skip" and f"pid {proc.pid} is not a Go process" in got["summary"], got
    assert run.status("runtime.fds") == "ok"  # open fds against the limit hold for any process
