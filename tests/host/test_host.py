"""`gomedic host` on this machine's real /proc and /sys, on real child processes, and on captured trees."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.facts.limits import parse_limits
from tests.support.hostfixtures import DATA, child, cpu_cgroup, gomedic, results, statuses
from tests.support.systools import system_path
from tests.support.toolchains import toolchain

BUNDLE = (
    Path("/etc/ssl/certs/ca-certificates.crt").read_bytes()
    if Path("/etc/ssl/certs/ca-certificates.crt").exists()
    else b""
)
HOST_IDS = {"host.platform", "host.nofile", "host.threads", "host.max-map-count", "host.inotify",
            "host.cgroup-cpu", "host.cgroup-memory", "host.seccomp", "host.lsm", "host.aslr", "host.wsl",
            "host.net-tools", "tls.ca-bundle", "tls.tzdata", "net.resolver"}


def test_live_host_report() -> None:
    run = gomedic("host", "--format", "json")
    doc = run.report
    assert doc["command"] == "host"
    assert {r["id"] for r in doc["results"]} == HOST_IDS
    assert not [r for r in doc["results"] if r["status"] == "error"], run.stdout
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # the child inherits ours
    nofile = results(run, "host.nofile")[0]
    assert nofile["evidence"]["soft"] == str(soft) and nofile["evidence"]["hard"] == str(hard)
    mmc = Path("/proc/sys/vm/max_map_count").read_text().strip()
    assert f"vm.max_map_count={mmc}" in results(run, "host.max-map-count")[0]["summary"]
    aslr = Path("/proc/sys/kernel/randomize_va_space").read_text().strip()
    assert results(run, "host.aslr")[0]["evidence"]["value"] == aslr
    seccomp = next(
        ln.split()[1] for ln in Path("/proc/self/status").read_text().splitlines() if ln.startswith("Seccomp:")
    )
    assert results(run, "host.seccomp")[0]["evidence"]["Seccomp"] == seccomp
    assert run.returncode == doc["exit_code"]


def test_prlimit_lowered_limits_are_reported_as_proc_shows_them() -> None:
    with child() as proc:
        subprocess.run(
            ["prlimit", f"--pid={proc.pid}", "--nofile=1000:2000", "--nproc=500:600"], check=True, timeout=30
        )
        shown = parse_limits(Path(f"/proc/{proc.pid}/limits").read_text())
        run = gomedic("host", "--pid", str(proc.pid), "--format", "json", "--area", "host")
    nofile = results(run, "host.nofile")[0]
    assert nofile["status"] == "fail"
    row = shown.get("Max open files")
    assert row is not None and (row.soft, row.hard) == (1000, 2000)
    assert nofile["evidence"]["soft"] == "1000" and nofile["evidence"]["hard"] == "2000"
    assert f"pid {proc.pid}: Max open files soft 1000, hard 2000 (/proc/{proc.pid}/limits)" in nofile["summary"]
    threads = results(run, "host.threads")[0]
    assert threads["status"] == "fail" and "500" in threads["summary"]
    assert threads["evidence"]["RLIMIT_NPROC"] == "soft 500, hard 600"
    assert run.report["context"]["target"]["pid"] == proc.pid
    assert run.returncode == 1


def test_pid_environment_and_real_cgroup_quota() -> None:
    """A child in a real cpu cgroup (quota 0.5 CPU) with GOMEMLIMIT in its environment."""
    gofmt = toolchain("1.24.11") / "bin" / "gofmt"
    with cpu_cgroup(50000) as cg, child(env={"PATH": system_path(), "GOMEMLIMIT": "12x"}) as proc:
        (cg / "cgroup.procs").write_text(str(proc.pid))
        run = gomedic("host", "--pid", str(proc.pid), "--binary", str(gofmt), "--format", "json", "--area", "host")
    cpu = results(run, "host.cgroup-cpu")[0]
    assert cpu["evidence"]["quota"] == "50000 100000"
    assert cpu["evidence"]["quota file"].startswith(str(cg))
    cpus = len(os.sched_getaffinity(0))
    assert cpu["evidence"]["GOMAXPROCS"] == str(cpus)
    # Go 1.25 would pick max(2, ceil(0.5)) = 2: on a machine with more than 2 CPUs Go 1.24's choice is the bug
    assert cpu["status"] == ("fail" if cpus > 2 else "ok"), cpu["summary"]
    mem = results(run, "host.cgroup-memory")[0]
    assert mem["evidence"]["GOMEMLIMIT"] == "12x"


@pytest.mark.parametrize(("version", "status"), [("1.24.11", "fail"), ("1.25.5", "ok")])
def test_constructed_v2_quota_against_go_releases(version: str, status: str) -> None:
    binary = toolchain(version) / "bin" / "gofmt"
    run = gomedic("host", "--root", str(DATA / "cgroup-v2"), "--binary", str(binary), "--format", "json")
    cpu = results(run, "host.cgroup-cpu")[0]
    assert cpu["status"] == status, cpu["summary"]
    assert cpu["evidence"]["quota"] == "150000 100000" and cpu["evidence"]["cpus"] == "4"
    if status == "fail":
        assert "GOMAXPROCS=4, the CPU count (4)" in cpu["summary"] and "predates container-aware" in cpu["summary"]
        assert cpu["fix"].startswith("set GOMAXPROCS=2")
    else:
        assert "GOMAXPROCS=2" in cpu["summary"]
    mem = results(run, "host.cgroup-memory")[0]
    assert mem["status"] == "warn"
    assert mem["evidence"]["suggested"] == "460MiB" and "GOMEMLIMIT=460MiB" in mem["fix"]
    assert mem["evidence"]["limit file"] == "/sys/fs/cgroup/system.slice/memory.max"
    # the captured tree has no CA bundle, zone data or resolver files: exactly what a scratch image lacks
    assert statuses(run, "tls.ca-bundle") == {"fail"}
    assert statuses(run, "tls.tzdata") == {"warn"} and statuses(run, "net.resolver") == {"warn"}


def test_captured_v1_quota_with_go_124_uses_the_cpu_count() -> None:
    binary = toolchain("1.24.11") / "bin" / "gofmt"
    run = gomedic(
        "host", "--root", str(DATA / "cgroup-v1"), "--binary", str(binary), "--format", "json", "--area", "host"
    )
    cpu = results(run, "host.cgroup-cpu")[0]
    assert cpu["evidence"]["quota file"] == "/sys/fs/cgroup/cpu/gmtest/cpu.cfs_quota_us"
    assert "GOMAXPROCS=2 (the CPU count (2)" in cpu["summary"] and "predates" in cpu["summary"]
    assert cpu["status"] == "ok"  # 2 CPUs: Go 1.25 would pick 2 as well
    assert statuses(run, "host.cgroup-memory") == {"ok"}


def test_garbage_ssl_cert_file_fails_ca_bundle(tmp_path: Path) -> None:
    garbage = tmp_path / "bundle.pem"
    garbage.write_bytes(b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n" + os.urandom(256))
    run = gomedic("host", "--area", "tls", "--format", "json", env={"SSL_CERT_FILE": str(garbage)})
    r = results(run, "tls.ca-bundle")[0]
    assert r["status"] == "fail" and str(garbage) in r["summary"] and "1 bad PEM blocks" in r["summary"]
    assert run.returncode == 1
    ok = gomedic("host", "--area", "tls", "--format", "json",
                 env={"SSL_CERT_FILE": "/etc/ssl/certs/ca-certificates.crt"})
    assert statuses(ok, "tls.ca-bundle") == {"ok"}
    missing = gomedic("host", "--area", "tls", "--format", "json", env={"SSL_CERT_FILE": str(tmp_path / "nope")})
    assert statuses(missing, "tls.ca-bundle") == {"fail"}


def test_root_whose_only_bundle_is_garbage_fails_ca_bundle(tmp_path: Path) -> None:
    """The bundle Debian keeps in /etc/ssl/certs is read twice by Go (as the file and in the directory): with only
    unparsable blocks, neither gives a root."""
    certs = tmp_path / "etc/ssl/certs"
    certs.mkdir(parents=True)
    (certs / "ca-certificates.crt").write_bytes(b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n"
                                                b"-----END CERTIFICATE-----\n")
    shutil.copytree(DATA / "cgroup-v2" / "proc", tmp_path / "proc")  # the process gomedic evaluates there
    run = gomedic("host", "--root", str(tmp_path), "--area", "tls", "--format", "json")
    r = results(run, "tls.ca-bundle")[0]
    assert r["status"] == "fail", r["summary"]
    assert r["summary"].startswith("/etc/ssl/certs/ca-certificates.crt holds no parsable certificate (1 bad PEM "
                                   "blocks) and /etc/ssl/certs, /etc/pki/tls/certs hold none either")
    assert r["evidence"]["dir certificates"] == "0" and run.returncode == 1


def test_thresholds_and_usage_errors() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    run = gomedic("host", "--area", "host", "--set", f"host.nofile.min={hard + 1}", "--format", "json")
    assert statuses(run, "host.nofile") == {"fail"} and run.returncode == 1
    assert gomedic("host", "--set", "host.nofile.nope=1").returncode == 2
    assert gomedic("host", "--set", "host.nofile.min=abc").returncode == 2
    assert gomedic("host", "--pid", "999999999").returncode == 2
    assert gomedic("host", "--root", "/nonexistent-gomedic").returncode == 2


def test_every_check_is_documented() -> None:
    from gomedic.registry import load_areas

    specs = [s for s in load_areas(["host", "tls", "net", "service"]) if s.area in ("host", "tls", "net", "service")]
    assert {s.id for s in specs} >= HOST_IDS
    for spec in specs:
        assert len(spec.doc) > 150 and "fix" in spec.doc.lower(), spec.id
    run = gomedic("explain", "host.cgroup-cpu")
    assert run.returncode == 0 and "GOMAXPROCS" in run.stdout and "category limits (gate code 40)" in run.stdout


def test_pid_fd_usage_near_the_soft_limit(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    code = ("import os,sys,time; fds=[os.open('/dev/null', os.O_RDONLY) for _ in range(900)]; "
            "open(sys.argv[1],'w').close(); time.sleep(300)")
    with child(["python3", "-c", code, str(ready)]) as proc:
        subprocess.run(["prlimit", f"--pid={proc.pid}", "--nofile=1000:1000"], check=True, timeout=30)
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        fds = len(os.listdir(f"/proc/{proc.pid}/fd"))
        run = gomedic("host", "--pid", str(proc.pid), "--area", "host", "--set", "host.nofile.min=100",
                      "--format", "json")
    r = results(run, "host.nofile")[0]
    assert r["status"] == "warn" and f"{fds} fds open" in r["summary"], r
    assert r["evidence"]["open fds"] == str(fds)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400_000), st.binary(max_size=300))
def test_ca_bundle_reader_on_mutated_bundles(cut: int, junk: bytes) -> None:
    """The real CA bundle, truncated and with garbage spliced in: counted, never raising."""
    from datetime import datetime, timezone

    from gomedic.facts.trust import count_certs

    data = BUNDLE[:cut] + junk + BUNDLE[cut : cut + 20_000]
    good, bad, expired = count_certs(data, datetime.now(timezone.utc))
    assert good >= 0 and bad >= 0 and 0 <= expired <= good
