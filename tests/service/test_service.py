"""`gomedic service`: real unit files, a real unprivileged user, real listeners, real Go programs."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from tests.support.hostfixtures import (
    INSTALLED_SAMPLE,
    child,
    gomedic,
    listener,
    results,
    write_unit,
)
from tests.support.users import User, as_user


def service(unit: Path, *extra: str) -> dict[str, set[str]]:
    run = gomedic("service", str(unit), "--format", "json", *extra)
    assert run.returncode in (0, 1), run.stderr
    out: dict[str, set[str]] = {}
    for r in run.report["results"]:
        out.setdefault(r["id"], set()).add(r["status"])
    return out


def test_clean_unit(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    conf = wd / "app.yaml"
    conf.write_text("a: 1\n")
    os.chmod(conf, 0o640)
    os.chown(conf, 0, svc_user.gid)  # readable through the user's group
    unit = write_unit(wd, "app.service", f"""
User={svc_user.name}
WorkingDirectory={wd}
ExecStart={hello_amd64} --config {conf} --listen 127.0.0.1:{free_high_port()}
Environment=GOMAXPROCS=2 GOMEMLIMIT=400MiB
LimitNOFILE=65536
""")
    run = gomedic("service", str(unit), "--format", "json")
    assert run.returncode == 0, run.stdout
    assert {r["status"] for r in run.report["results"]} == {"ok"}, run.stdout
    u = results(run, "service.unit")[0]
    assert "linux/amd64 Go binary (go1.27.3)" in u["summary"] and u["subject"] == "app.service"
    assert (
        f"runs as {svc_user.name} (uid {svc_user.uid}); 2 paths checked" in results(run, "service.user")[0]["summary"]
    )
    assert "GOMAXPROCS=2, GOMEMLIMIT=400MiB" in results(run, "service.env")[0]["summary"]


def free_high_port() -> int:
    from tests.support.cli import free_port

    return free_port()


def test_missing_exec_binary(wd: Path) -> None:
    unit = write_unit(wd, "nobin.service", f"ExecStart={wd}/bin/not-there --flag")
    run = gomedic("service", str(unit), "--format", "json")
    r = results(run, "service.unit")[0]
    assert r["status"] == "fail" and "No such file or directory" in r["summary"] and "203/EXEC" in r["summary"]
    assert f"{unit}:5" in r["summary"] and run.returncode == 1


def test_user_that_does_not_exist(wd: Path, hello_amd64: Path) -> None:
    unit = write_unit(wd, "ghost.service", f"User=gomedic-no-such-user\nExecStart={hello_amd64}")
    r = results(gomedic("service", str(unit), "--format", "json"), "service.user")[0]
    assert r["status"] == "fail" and "User=gomedic-no-such-user does not exist" in r["summary"]
    assert "217/USER" in r["summary"] and "useradd" in r["fix"]


def test_workdir_and_config_the_user_cannot_read(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    private = wd / "private"
    private.mkdir(mode=0o700)
    conf = wd / "secret.toml"
    conf.write_text("x = 1\n")
    os.chmod(conf, 0o600)
    unit = write_unit(wd, "locked.service", f"""
User={svc_user.name}
WorkingDirectory={private}
ExecStart={hello_amd64} -config={conf}
""")
    run = gomedic("service", str(unit), "--format", "json")
    fails = [r for r in results(run, "service.user") if r["status"] == "fail"]
    assert len(fails) == 2, run.stdout
    wdf = next(r for r in fails if "WorkingDirectory" in r["summary"])
    assert "200/CHDIR" in wdf["summary"] and f"{svc_user.name} (uid {svc_user.uid})" in wdf["summary"]
    assert str(private) in wdf["summary"] and "drwx------ root:root" in wdf["summary"]
    cf = next(r for r in fails if str(conf) in r["summary"])
    assert "no read permission" in cf["summary"]
    # the kernel agrees: the real user cannot enter/read them
    assert subprocess.run(as_user(svc_user, ["test", "-x", str(private)]), timeout=30).returncode != 0
    assert subprocess.run(as_user(svc_user, ["test", "-r", str(conf)]), timeout=30).returncode != 0
    # and root would have been fine: access is evaluated for the unit's user, not for gomedic's
    root_unit = write_unit(wd, "asroot.service", f"WorkingDirectory={private}\nExecStart={hello_amd64} -config={conf}")
    assert service(root_unit)["service.user"] == {"ok"}


def test_port_held_by_a_real_listener(wd: Path, hello_amd64: Path) -> None:
    with listener() as port:
        unit = write_unit(wd, "busy.service", f"ExecStart={hello_amd64} --listen 127.0.0.1:{port}")
        run = gomedic("service", str(unit), "--format", "json")
    r = results(run, "service.port")[0]
    assert r["status"] == "fail" and f"port {port}" in r["summary"] and "address already in use" in r["summary"]
    assert f"pid {os.getpid()}" in r["summary"]  # this test process holds it
    assert r["evidence"]["from"] == "ExecStart --listen"


def test_port_80_needs_cap_net_bind_service(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    base = f"User={svc_user.name}\nExecStart={hello_amd64} -addr=:80\n"
    r = results(gomedic("service", str(write_unit(wd, "low.service", base)), "--format", "json"), "service.port")[0]
    assert r["status"] == "fail" and "port 80" in r["summary"] and "bind: permission denied" in r["summary"]
    assert "AmbientCapabilities=CAP_NET_BIND_SERVICE" in r["fix"]
    capped = write_unit(wd, "cap.service", base + "AmbientCapabilities=CAP_NET_BIND_SERVICE\n")
    assert service(capped)["service.port"] == {"ok"}
    env_port = write_unit(
        wd, "envport.service", f"User={svc_user.name}\nExecStart={hello_amd64}\nEnvironment=PORT=443\n"
    )
    assert service(env_port)["service.port"] == {"fail"}


def test_limit_nofile_1024(wd: Path, hello_amd64: Path) -> None:
    unit = write_unit(wd, "fds.service", f"ExecStart={hello_amd64}\nLimitNOFILE=1024")
    r = results(gomedic("service", str(unit), "--format", "json"), "service.limits")[0]
    assert r["status"] == "fail" and "LimitNOFILE hard limit 1024" in r["summary"] and f"{unit}:6" in r["summary"]
    assert r["category"] == "limits"


def test_arm64_binary_on_this_host(wd: Path, hello_arm64: Path) -> None:
    unit = write_unit(wd, "arm.service", f"ExecStart={hello_arm64}")
    r = results(gomedic("service", str(unit), "--format", "json"), "service.unit")[0]
    assert r["status"] == "fail" and "linux/arm64 binary" in r["summary"] and "Exec format error" in r["summary"]
    assert r["fix"] == "rebuild with GOOS=linux GOARCH=amd64"


def test_cgoless_os_user_without_home(wd: Path, osuser_prog: Path) -> None:
    bare = write_unit(wd, "who.service", f"ExecStart={osuser_prog}")
    r = results(gomedic("service", str(bare), "--format", "json"), "service.env")[0]
    assert r["status"] == "fail" and "Current requires cgo or $USER" in r["summary"]
    fixed = write_unit(wd, "who2.service", f"ExecStart={osuser_prog}\nEnvironment=HOME=/root USER=root")
    assert service(fixed)["service.env"] == {"ok"}


def test_broken_unit_lines_are_named(wd: Path, hello_amd64: Path) -> None:
    unit = write_unit(
        wd,
        "syntax.service",
        f"ExecStart={hello_amd64} 'unterminated\nGarbage line\nEnvironment=GOMEMLIMIT=lots GOMAXPROCS=zero",
    )
    run = gomedic("service", str(unit), "--format", "json")
    summaries = [r["summary"] for r in results(run, "service.unit") if r["status"] == "fail"]
    assert f"{unit}:5: ExecStart=: unterminated ' quote" in summaries
    assert any(s.startswith(f"{unit}:6: missing '='") for s in summaries)
    located = {(r["file"], r.get("line")) for r in results(run, "service.unit") if r["status"] == "fail"}
    assert {(str(unit), 5), (str(unit), 6)} <= located  # where SARIF points the alerts
    env = {r["status"]: r["summary"] for r in results(run, "service.env")}
    assert "malformed GOMEMLIMIT" in env["fail"] and f"GOMAXPROCS=zero (set at {unit}:7)" in env["warn"]


def test_installed_units_through_the_cli() -> None:
    for name in INSTALLED_SAMPLE:
        run = gomedic("service", name, "--format", "json")
        assert run.returncode in (0, 1), (name, run.stderr)
        assert not [r for r in run.report["results"] if r["status"] == "error"], (name, run.stdout)


def test_unknown_unit_is_a_usage_error() -> None:
    run = gomedic("service", "gomedic-surely-absent")
    assert run.returncode == 2 and "not found" in run.stderr


def test_running_unit_process_with_pid(wd: Path, hello_amd64: Path) -> None:
    """The unit's own running process holds its port: not a conflict; its limits are evaluated as with --pid."""
    port = free_high_port()
    code = (f"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',{port})); s.listen(); "
            "open(__import__('sys').argv[1],'w').close(); time.sleep(300)")
    ready = wd / "ready"
    with child(["python3", "-c", code, str(ready)]) as proc:
        deadline = time.monotonic() + 20
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        unit = write_unit(wd, "own.service", f"ExecStart={hello_amd64} --listen 127.0.0.1:{port}\nLimitNOFILE=65536")
        run = gomedic("service", str(unit), "--pid", str(proc.pid), "--format", "json")
    r = results(run, "service.port")[0]
    assert r["status"] == "ok" and f"held by the unit's own process {proc.pid}" in r["summary"]
    assert f"pid {proc.pid}" in results(run, "host.nofile")[0]["summary"]
    assert run.report["context"]["target"]["pid"] == proc.pid


def test_hostile_unit_files(wd: Path) -> None:
    """Random bytes after a valid section, a drop-in that is a symlink loop, a drop-in dir that loops."""
    unit = wd / "h.service"
    unit.write_bytes(b"[Service]\nExecStart=/bin/true\n" + os.urandom(200_000))
    (wd / "h.service.d").mkdir()
    (wd / "h.service.d" / "self.conf").symlink_to("self.conf")
    run = gomedic("service", str(unit), "--format", "json")
    assert run.returncode == 1
    assert not [r for r in run.report["results"] if r["status"] == "error"]
    summaries = [r["summary"] for r in results(run, "service.unit")]
    assert any(s.startswith(f"{unit}:") for s in summaries)
    assert f"{wd}/h.service.d/self.conf: unreadable: Too many levels of symbolic links" in summaries


def test_dynamic_user_owns_nothing(wd: Path, hello_amd64: Path) -> None:
    private = wd / "state"
    private.mkdir(mode=0o700)
    unit = write_unit(wd, "dyn.service", f"DynamicUser=yes\nWorkingDirectory={private}\nExecStart={hello_amd64}")
    r = results(gomedic("service", str(unit), "--format", "json"), "service.user")[0]
    assert r["status"] == "fail" and "dynamic (uid 61184)" in r["summary"]


def test_unit_by_name_under_a_root(tmp_path: Path, hello_amd64: Path) -> None:
    """An unpacked root: the unit, its users and its program are all read under --root (pytest's tmp dirs
    above it are root-only: they are not the program's business, the root's own / is)."""
    os.chmod(tmp_path, 0o755)
    (tmp_path / "etc/systemd/system").mkdir(parents=True)
    (tmp_path / "usr/bin").mkdir(parents=True)
    (tmp_path / "usr/bin/app").write_bytes(hello_amd64.read_bytes())
    os.chmod(tmp_path / "usr/bin/app", 0o755)
    (tmp_path / "etc/passwd").write_text("root:x:0:0::/root:/bin/sh\napp:x:2000:2000::/home/app:/bin/sh\n")
    (tmp_path / "etc/group").write_text("root:x:0:\napp:x:2000:\n")
    write_unit(tmp_path / "etc/systemd/system", "app.service", "User=app\nExecStart=app --port 8080\nLimitNOFILE=65536")
    run = gomedic("service", "app", "--root", str(tmp_path), "--format", "json")
    assert results(run, "service.unit")[0]["summary"].endswith(
        "ExecStart /usr/bin/app is a linux/amd64 Go binary (go1.27.3)"
    )
    assert "runs as app (uid 2000)" in results(run, "service.user")[0]["summary"]
    missing = gomedic("service", "app", "--root", str(tmp_path / "etc"))
    assert missing.returncode == 2


def test_limits_above_nr_open_and_low_tasks_max(wd: Path, hello_amd64: Path) -> None:
    nr_open = Path("/proc/sys/fs/nr_open").read_text().strip()
    inf = write_unit(wd, "inf.service", f"ExecStart={hello_amd64}\nLimitNOFILE=infinity\nTasksMax=64")
    run = gomedic("service", str(inf), "--format", "json")
    summaries = {r["summary"] for r in results(run, "service.limits") if r["status"] == "fail"}
    assert any(f"exceeds fs.nr_open={nr_open}" in s for s in summaries), summaries
    assert any(s.startswith(f"TasksMax=64 ({inf}:7) allows 64 tasks") for s in summaries), summaries
