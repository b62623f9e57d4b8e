"""cgroup, /proc and limits readers: captured v1 tree, constructed v2 tree, this machine, and fuzzing."""

from __future__ import annotations

import os
import resource
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.facts.cgroup import (
    parse_bytes_limit,
    parse_cpu_max,
    parse_mountinfo,
    parse_proc_cgroup,
    read_cgroup,
)
from gomedic.facts.limits import NOFILE, parse_limits
from gomedic.facts.proc import parse_cpu_list, parse_environ, parse_status, read_process
from tests.support.hostfixtures import DATA


def test_captured_v1_tree_with_a_real_quota() -> None:
    """Captured on this VM from a process in a cpu cgroup with cfs_quota_us=150000, period 100000."""
    cg = read_cgroup(DATA / "cgroup-v1")
    assert cg.version == "hybrid"  # v1 controllers plus an empty unified hierarchy, as systemd's hybrid mode
    assert cg.cpu is not None and cg.cpu.value == 1.5 and cg.cpu.extra == "150000 100000"
    assert cg.cpu.source == "/sys/fs/cgroup/cpu/gmtest/cpu.cfs_quota_us"
    assert cg.memory is None  # memory.limit_in_bytes = 9223372036854771712: no limit
    assert ("cpu", "/sys/fs/cgroup/cpu/gmtest") in cg.paths


def test_constructed_v2_tree_takes_the_tightest_ancestor() -> None:
    """Constructed from the kernel's cgroup-v2 file formats (Documentation/admin-guide/cgroup-v2.rst)."""
    cg = read_cgroup(DATA / "cgroup-v2")
    assert cg.version == "v2"
    assert cg.cpu is not None and cg.cpu.value == 1.5
    assert cg.cpu.source == "/sys/fs/cgroup/system.slice/app.service/cpu.max"
    assert cg.memory is not None and cg.memory.value == 512 << 20
    assert cg.memory.source == "/sys/fs/cgroup/system.slice/memory.max"  # the parent's limit, leaf is max
    assert cg.pids is not None and cg.pids.value == 4915


def test_this_machine() -> None:
    cg = read_cgroup(Path("/"))
    assert cg.version in ("v1", "v2", "hybrid")
    assert cg.paths
    p = read_process(Path("/"))
    lim = p.limits.get(NOFILE) if p.limits else None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert lim is not None and lim.soft == soft and lim.hard == (None if hard == resource.RLIM_INFINITY else hard)
    assert p.status.threads is not None and p.status.threads >= 1
    assert p.status.cpus_allowed == len(os.sched_getaffinity(0))
    assert p.environ is not None and p.environ.get("PATH") == os.environ.get("PATH")
    assert p.fd_count and p.maps_count


def test_parsers() -> None:
    lines = parse_proc_cgroup("12:cpu,cpuacct:/a/b\n0::/x\ngarbage\n3:memory:relative\n")
    assert [(ln.hierarchy, ln.controllers, ln.path) for ln in lines] == [
        (12, ("cpu", "cpuacct"), "/a/b"),
        (0, (), "/x"),
    ]
    mi = parse_mountinfo("36 25 0:31 /sub /sys/fs/cgroup/my\\040dir rw shared:1 - cgroup2 cgroup2 rw,nsdelegate\nbad\n")
    assert mi[0].root == "/sub" and mi[0].mount_point == "/sys/fs/cgroup/my dir" and mi[0].fstype == "cgroup2"
    assert parse_cpu_max("max 100000") == (None, 100000)
    assert parse_cpu_max("50000 100000\n") == (50000, 100000)
    assert parse_cpu_max("x y") is None and parse_cpu_max("1 0") is None
    assert parse_bytes_limit("max") is None and parse_bytes_limit("9223372036854771712") is None
    assert parse_bytes_limit("1048576") == 1048576
    assert parse_cpu_list("0-3,8,10-11") == 7 and parse_cpu_list("x") is None
    st_ = parse_status("Name:\tgo\nThreads:\t7\nSeccomp:\t2\nCapEff:\t0000000000000400\nUid:\t1 2 3 4\n")
    assert (st_.threads, st_.seccomp, st_.cap_eff, st_.uids) == (7, 2, 0x400, (1, 2, 3, 4))
    assert parse_environ(b"A=1\0B=\0junk\0=x\0") == {"A": "1", "B": ""}
    lim = parse_limits(Path("/proc/self/limits").read_text())
    assert lim.get("Max processes") is not None and not lim.bad_lines


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_parsers_never_raise(s: str) -> None:
    parse_proc_cgroup(s)
    parse_mountinfo(s)
    parse_cpu_max(s)
    parse_bytes_limit(s)
    parse_cpu_list(s)
    parse_status(s)
    parse_limits(s)
    parse_environ(s.encode("utf-8", "surrogatepass"))


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 5000), st.binary(max_size=64))
def test_mutated_captured_limits(cut: int, junk: bytes) -> None:
    """The captured /proc/self/limits, truncated and with garbage spliced in, parses without raising."""
    text = (DATA / "cgroup-v1/proc/self/limits").read_text()
    mutated = text[:cut] + junk.decode("latin-1") + text[cut:]
    parse_limits(mutated)
    parse_limits(text[:cut])
