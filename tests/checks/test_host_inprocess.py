"""host.* checks in-process over a recorded /proc and /sys (tests/support/recorded.py): every file a
check's facts read is in the tree, nothing of this machine is (the evaluated root is /rec, as with
`gomedic host --root /rec`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gomedic.facts import Facts
from gomedic.facts.host import HOST, HostInfo
from gomedic.model import Status
from gomedic.subject import Subject
from tests.support.recorded import one, recorded_facts, run

LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max open files            {soft}                 {hard}                 files
Max processes             {nproc}                {nproc}                processes
"""
LABEL = "the process captured in /rec"


def tree(files: dict[str, str] | None = None, *, soft: int = 65536, hard: int = 65536, nproc: int = 63000,
         threads: int = 4, seccomp: int = 0, environ: str = "PATH=/usr/bin:/bin\0HOME=/root\0",
         sysctl: Mapping[str, str | None] | None = None, **kw: Any) -> Facts:
    base = {
        "/rec/proc/self/status": f"Name:\tapp\nThreads:\t{threads}\nSeccomp:\t{seccomp}\nSeccomp_filters:\t1\n",
        "/rec/proc/self/limits": LIMITS.format(soft=soft, hard=hard, nproc=nproc),
        "/rec/proc/self/environ": environ,
    }
    sc: dict[str, str | None] = {
        "fs.file-max": "9223372036854775807", "fs.file-nr": "1024\t0\t9223372036854775807",
        "kernel.threads-max": "126000", "vm.max_map_count": "65530", "vm.overcommit_memory": "0",
        "fs.inotify.max_user_watches": "524288", "fs.inotify.max_user_instances": "128",
        "kernel.randomize_va_space": "2", "kernel.osrelease": "6.1.0-28-amd64"}
    sc.update(sysctl or {})
    base |= {f"/rec/proc/sys/{k.replace('.', '/')}": v + "\n" for k, v in sc.items() if v is not None}
    f = recorded_facts(base | (files or {}), subject=Subject(root="/rec"), **kw)
    f.seed(HOST, HostInfo("linux", "amd64", "x86_64", "6.1.0-28-amd64", "glibc 2.36"))
    return f


def test_platform_names_kernel_libc_and_container() -> None:
    r = one("host.platform", tree({"/rec/.dockerenv": ""}))
    assert r.status is Status.OK
    assert r.summary == "linux/amd64 kernel 6.1.0-28-amd64, glibc 2.36, in a container (docker)"
    assert dict(r.evidence) == {
        "kernel": "6.1.0-28-amd64",
        "libc": "glibc 2.36",
        "arch": "amd64",
        "container": "docker",
    }


def test_platform_container_from_pid1_environ_and_wsl_kernel() -> None:
    f = tree(
        {"/rec/proc/1/environ": "container=lxc\0"}, sysctl={"kernel.osrelease": "5.15.153.1-microsoft-standard-WSL2"}
    )
    r = one("host.platform", f)
    assert r.summary == ("linux/amd64 kernel 5.15.153.1-microsoft-standard-WSL2 under WSL, glibc 2.36, "
                         "in a container (container)")
    assert r.evidence["container"] == "container"
    assert one("host.platform", tree()).summary.endswith("not in a container")


def test_nofile_fail_warn_ok() -> None:
    r = one("host.nofile", tree(soft=1024, hard=2048))
    assert r.status is Status.FAIL
    assert r.summary == (f"{LABEL}: Max open files soft 1024, hard 2048 (/proc/self/limits); "
                         "below the minimum 4096 for a Go server")
    assert dict(r.evidence) == {"soft": "1024", "hard": "2048", "fs.file-max": "9223372036854775807",
                                "fs.file-nr": "1024 0 9223372036854775807", "open fds": ""}
    r = one("host.nofile", tree(soft=1024, hard=8192))
    assert r.status is Status.WARN and r.summary.endswith("below the recommended 65536")
    r = one("host.nofile", tree(sysctl={"fs.file-max": "1000", "fs.file-nr": "900 0 1000"}))
    assert r.status is Status.WARN
    assert r.summary == "the kernel file table is 900/1000 full (fs.file-nr)"
    assert r.fix == "sysctl -w fs.file-max=..."
    r = one("host.nofile", tree())
    assert r.status is Status.OK
    assert r.summary == f"{LABEL}: Max open files soft 65536, hard 65536 (/proc/self/limits); Go uses the hard limit"


def test_nofile_without_a_limits_row_is_skipped() -> None:
    f = tree({"/rec/proc/self/limits": "Limit  Soft Limit  Hard Limit  Units\n"})
    r = one("host.nofile", f)
    assert r.status is Status.SKIP
    assert r.summary == "not evaluated: no `Max open files` row in /proc/self/limits"


def test_threads_fail_warn_ok() -> None:
    r = one("host.threads", tree(sysctl={"kernel.threads-max": "500"}))
    assert r.status is Status.FAIL
    assert r.summary == f"{LABEL}: at most 500 threads (kernel.threads-max); a Go server may need 1024"
    assert r.evidence["kernel.threads-max"] == "500" and r.evidence["pids.max"] == "max"
    r = one("host.threads", tree(threads=1900, nproc=2000))
    assert r.status is Status.WARN
    assert r.summary == f"{LABEL} runs 1900 threads of at most 2000 (RLIMIT_NPROC (/proc/self/limits))"
    r = one("host.threads", tree())
    assert r.status is Status.OK
    assert r.summary == f"{LABEL}: up to 63000 threads (RLIMIT_NPROC (/proc/self/limits) is the tightest)"


def test_max_map_count_fail_warn_ok_skip() -> None:
    r = one("host.max-map-count", tree(sysctl={"vm.max_map_count": "1000"}))
    assert r.status is Status.FAIL
    assert (r.summary, r.fix) == ("vm.max_map_count=1000 is below 65530", "sysctl -w vm.max_map_count=65530")
    assert dict(r.evidence) == {"vm.max_map_count": "1000", "vm.overcommit_memory": "0", "maps": ""}
    r = one("host.max-map-count", tree(sysctl={"vm.overcommit_memory": "2"}))
    assert r.status is Status.WARN
    assert r.summary == "vm.max_map_count=65530; vm.overcommit_memory=2 (strict) can fail large Go heaps"
    assert one("host.max-map-count", tree()).summary == "vm.max_map_count=65530, vm.overcommit_memory=0"
    r = one("host.max-map-count", tree(sysctl={"vm.max_map_count": None}))
    assert r.status is Status.SKIP and "vm.max_map_count is not readable" in r.summary


def test_inotify_fail_ok_skip() -> None:
    r = one("host.inotify", tree(sysctl={"fs.inotify.max_user_watches": "100"}))
    assert r.status is Status.FAIL
    assert r.summary == "fs.inotify.max_user_watches=100 (min 8192), max_user_instances=128 (min 128)"
    assert r.fix == "sysctl -w fs.inotify.max_user_watches=8192 fs.inotify.max_user_instances=128"
    assert dict(r.evidence) == {"max_user_watches": "100", "max_user_instances": "128"}
    assert one("host.inotify", tree()).summary == "fs.inotify.max_user_watches=524288, max_user_instances=128"
    r = one("host.inotify", tree(sysctl={"fs.inotify.max_user_instances": None}))
    assert r.status is Status.SKIP and r.summary == "not evaluated: fs.inotify sysctls are not readable"


def test_aslr_warn_ok() -> None:
    r = one("host.aslr", tree(sysctl={"kernel.randomize_va_space": "0"}))
    assert (r.status, r.summary, dict(r.evidence)) == (
        Status.WARN, "kernel.randomize_va_space=0 (2 is full randomisation)", {"value": "0"})
    r = one("host.aslr", tree())
    assert (r.status, r.summary) == (Status.OK, "kernel.randomize_va_space=2 (full randomisation)")


def test_wsl_skip_warn_ok() -> None:
    r = one("host.wsl", tree())
    assert (r.status, r.summary) == (Status.SKIP, "not WSL (kernel 6.1.0-28-amd64)")
    wsl = {"kernel.osrelease": "5.15.153.1-microsoft-standard-WSL2"}
    env = "PATH=/usr/bin:/mnt/c/Go/bin\0GOPATH=/mnt/c/Users/me/go\0"
    results = run("host.wsl", tree(sysctl=wsl, environ=env, executables=["/mnt/c/Go/bin/go.exe"]))
    assert [(r.status, r.subject, r.summary) for r in results] == [
        (Status.WARN, "GOPATH", "GOPATH=/mnt/c/Users/me/go is on a Windows drive (slow 9p file system)"),
        (Status.WARN, "PATH", "a Windows go.exe is on PATH in /mnt/c/Go/bin"),
    ]
    r = one("host.wsl", tree(sysctl=wsl))
    assert (r.status, r.summary) == (
        Status.OK, "WSL: GOPATH, caches, working directory and PATH stay on the Linux file system")


def test_lsm_ok_and_denials_under_enforcing_selinux() -> None:
    r = one("host.lsm", tree())
    assert r.status is Status.OK
    assert r.summary == f"SELinux absent, AppArmor not enabled, {LABEL} is unconfined; audit log not readable"
    assert dict(r.evidence) == {"selinux": "absent", "apparmor": "absent", "label": "unconfined"}
    audit = ('type=AVC msg=audit(1.2:3): avc:  denied  { read } for pid=7 comm="app"\n'
             'type=AVC msg=audit(1.2:4): avc:  granted  { read }\n'
             'type=AVC apparmor="DENIED" operation="open" denied_mask="r"\n')
    f = tree({"/rec/sys/fs/selinux/enforce": "1", "/rec/var/log/audit/audit.log": audit,
              "/rec/proc/self/attr/current": "system_u:system_r:app_t:s0\0"})
    r = one("host.lsm", f)
    assert r.status is Status.WARN
    assert r.summary == (f"SELinux enforcing, AppArmor not enabled, {LABEL} is system_u:system_r:app_t:s0; "
                         "2 denials in /var/log/audit/audit.log")
    assert r.evidence["audit denials"] == "2" and r.evidence["label"] == "system_u:system_r:app_t:s0"


def test_seccomp_of_a_captured_process() -> None:
    r = one("host.seccomp", tree(seccomp=2))
    assert r.status is Status.WARN
    assert r.summary.startswith(f"{LABEL} runs under a seccomp filter (1 filters)")
    r = one("host.seccomp", tree(seccomp=0))
    assert (r.status, r.summary) == (Status.OK, f"{LABEL}: seccomp disabled (Seccomp: 0); no filter can return EPERM")


def test_net_tools_found_in_the_tree_are_described_not_run() -> None:
    f = tree({"/rec/usr/bin/curl": "#!/bin/sh\nexec real-curl\n"}, executables=["/rec/usr/bin/curl"])
    r = one("host.net-tools", f)
    assert (r.status, r.summary) == (Status.OK, "on PATH: curl; missing: wget, openssl")
    assert r.evidence["curl"] == "/usr/bin/curl: a script (#!/bin/sh) (not run: inside --root)"
    assert r.evidence["wget"] == "missing"
    r = one("host.net-tools", tree())
    assert (r.status, r.summary) == (Status.WARN, "none of curl, wget, openssl on PATH")


def test_the_recorded_tree_is_all_that_is_read() -> None:
    f = tree()
    one("host.nofile", f)
    read = f.reader.read_paths  # type: ignore[attr-defined]
    assert read and all(p.startswith("/rec/") for p in read), read
