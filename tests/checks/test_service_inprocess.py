"""service.* in-process: a unit in a constructed root (as `gomedic service app --root DIR`), read through the
real reader; the kernel's numbers are seeded (fs.nr_open, threads-max, the unprivileged port start) so the
verdicts do not depend on this machine. ExecStart programs are scripts or junk: no Go build needed."""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType

import pytest

from gomedic.facts import Facts, Options
from gomedic.facts.host import HOST, HostInfo
from gomedic.facts.kernel import HOST_SYSCTL, Sysctls
from gomedic.model import Status
from gomedic.subject import Subject
from tests.support.recorded import one, run

FRAGMENT = "/etc/systemd/system/app.service"
KERNEL = {"fs.nr_open": "1048576", "kernel.threads-max": "126000", "kernel.pid_max": "4194304",
          "net.ipv4.ip_unprivileged_port_start": "1024"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    os.chmod(tmp_path, 0o755)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / "usr/bin/app").write_text("#!/bin/sh\nexec sleep 1\n")
    (tmp_path / "usr/bin/junk").write_bytes(b"\0\1\2 not a program")
    for p in ("usr/bin/app", "usr/bin/junk"):
        os.chmod(tmp_path / p, 0o755)
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\napp:x:2000:2000::/home/app:/bin/sh\n")
    (tmp_path / "etc/group").write_text("root:x:0:\napp:x:2000:\n")
    return tmp_path


def unit(root: Path, service: str, *, kernel: dict[str, str] | None = None, system_conf: str | None = None) -> Facts:
    (root / FRAGMENT.lstrip("/")).write_text(f"[Unit]\nDescription=test\n\n[Service]\n{service.strip()}\n")
    if system_conf is not None:
        (root / "etc/systemd/system.conf").write_text(system_conf)
    f = Facts(Options(subject=Subject(unit="app", unit_root=str(root))))
    f.seed(HOST, HostInfo("linux", "amd64", "x86_64", "6.1.0", "glibc 2.36"))
    f.seed(HOST_SYSCTL, Sysctls(MappingProxyType(KERNEL | (kernel or {}))))
    return f


def test_unit_ok_for_a_script_found_on_systemds_path(root: Path) -> None:
    r = one("service.unit", unit(root, "User=app\nExecStart=app --config /etc/app.conf"))
    assert (r.status, r.subject, r.summary) == (
        Status.OK,
        "app.service",
        f"{FRAGMENT} parses; ExecStart /usr/bin/app is a script",
    )
    assert dict(r.evidence) == {
        "file": FRAGMENT,
        "fragment": FRAGMENT,
        "drop-ins": "",
        "ExecStart": "app --config /etc/app.conf",
    }
    assert (r.file, r.line) == (FRAGMENT, None)  # SARIF locates it at the unit file


def test_unit_fails_on_missing_directory_and_junk_programs(root: Path) -> None:
    r = one("service.unit", unit(root, "ExecStart=/usr/bin/nope"))
    assert r.status is Status.FAIL
    assert r.summary == (f"ExecStart program /usr/bin/nope ({FRAGMENT}:5): No such file or directory; systemd fails "
                         "with status=203/EXEC")
    assert r.fix == f"install the program at /usr/bin/nope or correct ExecStart= in {FRAGMENT}:5"
    r = one("service.unit", unit(root, "ExecStart=/usr/bin"))
    assert (r.status, r.summary) == (Status.FAIL, "ExecStart program /usr/bin is not a regular file")
    r = one("service.unit", unit(root, "ExecStart=/usr/bin/junk"))
    assert r.status is Status.FAIL
    assert r.summary.startswith("ExecStart program /usr/bin/junk is not an executable this host can run: ")
    r = one("service.unit", unit(root, "Type=simple"))
    assert (r.status, r.summary) == (Status.FAIL, f"{FRAGMENT}: service has no ExecStart=, ExecStop= or "
                                     "SuccessAction= (systemd refuses to load it)")


def test_unit_names_broken_lines(root: Path) -> None:
    results = run("service.unit", unit(root, "ExecStart=/usr/bin/app\nRestart=sometimes\nnot a setting"))
    bad = [(r.status, r.summary) for r in results if r.status is not Status.OK]
    assert bad and all(FRAGMENT in s for _, s in bad), bad
    assert results[-1].status is Status.OK


def test_user_missing_and_ok(root: Path) -> None:
    r = one("service.user", unit(root, "User=ghost\nExecStart=/usr/bin/app"))
    assert (r.status, r.summary) == (
        Status.FAIL,
        "User=ghost does not exist: systemd fails the start with status=217/USER",
    )
    assert r.fix == "create it (useradd --system ghost)" and dict(r.evidence) == {"User": "ghost", "Group": ""}
    r = one("service.user", unit(root, "User=app\nGroup=nogroup\nExecStart=/usr/bin/app"))
    assert (r.status, r.summary) == (
        Status.FAIL,
        "group nogroup does not exist: systemd fails the start with status=216/GROUP",
    )
    r = one("service.user", unit(root, "User=app\nExecStart=/usr/bin/app"))
    assert r.status is Status.OK
    assert (
        r.summary == "runs as app (uid 2000); no WorkingDirectory, EnvironmentFile or file paths in ExecStart to check"
    )
    assert dict(r.evidence) == {"runs as": "app (uid 2000)", "gids": "2000"}


def test_user_environment_file_must_exist(root: Path) -> None:
    results = run("service.user", unit(root, "User=app\nEnvironmentFile=/etc/app.env\nExecStart=/usr/bin/app"))
    assert [(r.status, r.summary) for r in results] == [
        (Status.FAIL, f"EnvironmentFile=/etc/app.env ({FRAGMENT}:6) does not exist: the unit fails to start"),
        (Status.OK, "runs as app (uid 2000); 1 paths checked for that user")]


def test_env_fail_warn_ok(root: Path) -> None:
    results = run(
        "service.env", unit(root, "User=app\nEnvironment=GOMEMLIMIT=lots GOMAXPROCS=0\nExecStart=/usr/bin/app")
    )
    assert [r.status for r in results] == [Status.FAIL, Status.WARN]
    assert "`fatal error: malformed GOMEMLIMIT`" in results[0].summary
    assert results[1].summary == (f"GOMAXPROCS=0 (set at {FRAGMENT}:6) is not a positive integer: the runtime "
                                  "ignores it")
    assert dict(results[1].evidence) == {"GOMAXPROCS": "0", "GOMEMLIMIT": "lots"}
    r = one("service.env", unit(root, "User=app\nEnvironment=GOGC=200\nExecStart=/usr/bin/app"))
    assert (r.status, r.summary) == (Status.OK, "environment of app.service: GOGC=200")


def test_limits_fail_and_ok(root: Path) -> None:
    r = one("service.limits", unit(root, "ExecStart=/usr/bin/app\nLimitNOFILE=1024"))
    assert r.status is Status.FAIL
    assert r.summary == (f"LimitNOFILE hard limit 1024 ({FRAGMENT}:6) is below 4096: a Go server runs out of fds "
                         "(`accept4: too many open files`)")
    assert dict(r.evidence) == {"LimitNOFILE": "1024:1024", "from": f"{FRAGMENT}:6"}
    r = one(
        "service.limits", unit(root, "ExecStart=/usr/bin/app", system_conf="[Manager]\nDefaultLimitNOFILE=1024:2048\n")
    )
    assert r.summary.startswith("LimitNOFILE hard limit 2048 (DefaultLimitNOFILE) is below 4096")
    r = one("service.limits", unit(root, "ExecStart=/usr/bin/app\nLimitNOFILE=2000000"))
    assert r.summary == (f"LimitNOFILE=2000000 ({FRAGMENT}:6) exceeds fs.nr_open=1048576: systemd cannot apply it "
                         "and the start fails")
    results = run("service.limits", unit(root, "ExecStart=/usr/bin/app\nLimitNOFILE=65536\nTasksMax=64"))
    assert [(r.status, r.summary.split(":")[0]) for r in results] == [(Status.FAIL, f"TasksMax=64 ({FRAGMENT}")]
    r = one("service.limits", unit(root, "ExecStart=/usr/bin/app\nLimitNOFILE=65536"))
    assert (r.status, r.summary) == (
        Status.OK,
        f"LimitNOFILE 65536:65536 ({FRAGMENT}:6), TasksMax 15% = 18900",
    )  # of threads-max
    r = one(
        "service.limits", unit(root, "ExecStart=/usr/bin/app\nLimitNOFILE=65536", kernel={"kernel.threads-max": "1000"})
    )
    assert (r.status, r.summary.split(" allows")[0]) == (Status.FAIL, "TasksMax=15% (DefaultTasksMax)")


def test_port_privileged_needs_a_capability(root: Path) -> None:
    r = one("service.port", unit(root, "User=app\nExecStart=/usr/bin/app"))
    assert (r.status, r.summary) == (Status.SKIP, "no listen port named in ExecStart or Environment")
    r = one("service.port", unit(root, "User=app\nExecStart=/usr/bin/app --listen :979"))
    assert r.status is Status.FAIL
    assert r.summary.startswith("port 979 (") and r.summary.endswith(
        "is privileged and the unit runs as app (uid 2000) without CAP_NET_BIND_SERVICE: "
        "`listen tcp :979: bind: permission denied`")
    r = one(
        "service.port",
        unit(root, "User=app\nAmbientCapabilities=CAP_NET_BIND_SERVICE\nExecStart=/usr/bin/app --listen :979"),
    )
    assert r.status is Status.OK and r.summary.endswith(
        "is free and bindable (AmbientCapabilities=CAP_NET_BIND_SERVICE)"
    )
    r = one("service.port", unit(root, "User=app\nExecStart=/usr/bin/app --listen :979",
                                 kernel={"net.ipv4.ip_unprivileged_port_start": "0"}))
    assert r.status is Status.OK and r.summary.endswith("is free and bindable (net.ipv4.ip_unprivileged_port_start=0)")
