"""runtime.fds, runtime.threads, runtime.gomaxprocs and runtime.go-release in-process: the probe of a
service is seeded (what /metrics and /proc/PID gave), its /proc/PID files and the kernel's threads-max come
from a recorded tree read through the reader."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from gomedic.facts import Facts
from gomedic.facts.cgroup import Bound, CgroupInfo
from gomedic.facts.probe import PROBE
from gomedic.facts.proc import read_process
from gomedic.model import Status
from gomedic.probe.collect import ProbeData, ProcessSide
from gomedic.probe.sample import M, RuntimeSample
from gomedic.probe.target import ProbeTarget
from tests.support.recorded import RecordedReader, one, recorded_facts

PID = 4242
LABEL = f"pid {PID}"
LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max open files            1024                 4096                 files
Max processes             {nproc}                 {nproc}                 processes
"""


def facts(values: dict[M, float], *, nproc: int = 8000, uid: int = 1000, cpus: str = "0-7", env: str = "",
          cpu_quota: float | None = None, pids_max: int | None = None, threads_max: str = "126000",
          go_version: str | None = None, with_proc: bool = True) -> Facts:
    files = {
        f"/proc/{PID}/status": f"Name:\tapp\nUid:\t{uid}\t{uid}\t{uid}\t{uid}\nCpus_allowed_list:\t{cpus}\n",
        f"/proc/{PID}/limits": LIMITS.format(nproc=nproc),
        f"/proc/{PID}/environ": env,
        "/proc/sys/kernel/threads-max": threads_max + "\n",
    }
    f = recorded_facts(files)
    side = None
    if with_proc:
        info = read_process(Path("/"), PID, RecordedReader(files))
        cg = CgroupInfo("v2", (), Bound(cpu_quota, "/sys/fs/cgroup/app/cpu.max") if cpu_quota else None, None, None,
                        Bound(pids_max, "/sys/fs/cgroup/app/pids.max") if pids_max else None)
        side = ProcessSide(info, cg, None)
    sources = MappingProxyType({m: "metrics" for m in values})
    last = RuntimeSample(0.0, 0.0, MappingProxyType(dict(values)), sources, go_version)
    target = ProbeTarget((), PID if with_proc else None, label=LABEL)
    f.seed(PROBE, ProbeData(target, (), last, last, None, None, side))
    return f


def test_fds_ok_warn_fail_skip() -> None:
    r = one("runtime.fds", facts({M.OPEN_FDS: 100, M.MAX_FDS: 4096}))
    assert (r.status, r.subject) == (Status.OK, LABEL)
    assert r.summary == "100 of 4096 file descriptors open (2%; metrics)"
    assert dict(r.evidence) == {"open fds": "100 (metrics)", "max fds": "4096 (metrics)"}
    r = one("runtime.fds", facts({M.OPEN_FDS: 3400, M.MAX_FDS: 4096}))
    assert (r.status, r.summary) == (Status.WARN, "3400 of 4096 file descriptors open (83%; metrics)")
    assert r.fix is not None and r.fix.startswith(f"find what holds them (`ls -l /proc/{PID}/fd`)")
    r = one("runtime.fds", facts({M.OPEN_FDS: 4000, M.MAX_FDS: 4096}))
    assert r.status is Status.FAIL
    r = one("runtime.fds", facts({M.OPEN_FDS: 10}))
    assert r.status is Status.SKIP and r.summary.startswith("open fds or their limit not exposed")


def test_threads_against_the_tightest_limit() -> None:
    r = one("runtime.threads", facts({M.THREADS: 90}, pids_max=100))
    assert r.status is Status.WARN
    assert r.summary == "90 OS threads = 90% of cgroup pids.max 100 (metrics)"
    assert r.evidence["limit: kernel.threads-max"] == "126000 (/proc/sys/kernel/threads-max)"
    assert r.evidence["limit: RLIMIT_NPROC (per user)"] == f"8000 (/proc/{PID}/limits)"
    r = one("runtime.threads", facts({M.THREADS: 99}, threads_max="100"))
    assert (r.status, r.summary) == (Status.FAIL, "99 OS threads = 99% of kernel.threads-max 100 (metrics)")
    r = one("runtime.threads", facts({M.THREADS: 12}, uid=0))  # root: RLIMIT_NPROC is not enforced
    assert r.status is Status.OK
    assert r.summary == "12 OS threads = 0% of Go's thread limit (debug.SetMaxThreads) 10000 (metrics)"
    assert "limit: RLIMIT_NPROC (per user)" not in r.evidence
    r = one("runtime.threads", facts({M.GOROUTINES: 3}))
    assert (r.status, r.summary) == (Status.SKIP, "thread count not exposed: give --pid PID or expose go_threads")


def test_gomaxprocs_against_affinity_and_quota() -> None:
    r = one("runtime.gomaxprocs", facts({M.GOMAXPROCS: 8}, cpu_quota=1.0))
    assert r.status is Status.FAIL
    assert r.summary == ("GOMAXPROCS=8 (go_sched_gomaxprocs_threads) for 2 usable CPU(s) (CPU quota 1): "
                         "the kernel will throttle it")
    assert r.evidence["cgroup CPU quota"] == "1 CPUs (/sys/fs/cgroup/app/cpu.max)"
    r = one("runtime.gomaxprocs", facts({M.THREADS: 9}, env="GOMAXPROCS=3\0", cpus="0-1"))
    assert (r.status, r.summary) == (
        Status.WARN, "GOMAXPROCS=3 (the GOMAXPROCS variable in its environment) for 2 usable CPU(s)")
    r = one("runtime.gomaxprocs", facts({M.GOMAXPROCS: 8}))
    assert (r.status, r.summary) == (Status.OK, "GOMAXPROCS=8 (go_sched_gomaxprocs_threads) for 8 usable CPU(s)")
    r = one("runtime.gomaxprocs", facts({M.GOMAXPROCS: 8}, with_proc=False))
    assert (r.status, r.summary) == (Status.SKIP, "the CPUs the process may use are known only with --pid PID")


def test_go_release_ok_warn_skip() -> None:
    from gomedic.probe import releases

    data = releases.load()
    newest = data.latest[max(data.latest)]
    r = one("runtime.go-release", facts({M.THREADS: 5}, go_version=f"go{newest}"))
    assert (r.status, r.summary) == (Status.OK, f"go{newest} (go_info in /metrics) is supported")
    assert r.evidence["release data as of"] == data.as_of
    r = one("runtime.go-release", facts({M.THREADS: 5}, go_version="go1.19.2"))
    assert r.status is Status.WARN
    assert r.summary == f"go1.19.2 (go_info in /metrics) is no longer supported; newest is go{newest}"
    r = one("runtime.go-release", facts({M.THREADS: 5}))
    assert r.status is Status.SKIP
    assert r.summary == "the Go release is not exposed: no go_info in /metrics, and no --pid binary to read"
