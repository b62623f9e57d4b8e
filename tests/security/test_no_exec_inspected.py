"""gomedic never executes a program named by what it inspects (issue 12, item 1), performed as an attack.

An unprivileged user starts `sleep` with PATH=~/bin first and plants ~/bin/curl, wget, openssl and go
scripts that would leave a marker file; root runs `gomedic host --pid` and `gate --pid` on that sleep,
and `host --root DIR` on a root holding DIR/usr/bin/curl. No marker may appear, and the report still says
what was found, read from the files.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.hostfixtures import gomedic, results
from tests.support.users import User, as_user, ensure_user

USER = "gmexec1" + os.environ.get("PYTEST_XDIST_WORKER", "")  # xdist workers must not share it
TOOLS = ("curl", "wget", "openssl", "go")


@pytest.fixture(scope="module")
def attacker() -> Iterator[User]:
    u = ensure_user(USER)
    try:
        yield u
    finally:
        subprocess.run(["userdel", "--remove", USER], capture_output=True, timeout=60)


def plant(bindir: Path, marker: Path, owner: User | None) -> None:
    bindir.mkdir(parents=True, exist_ok=True)
    for tool in TOOLS:
        p = bindir / tool
        p.write_text(f"#!/bin/sh\necho pwned >> {marker}\necho '{tool} 99.9 (planted)'\n")
        p.chmod(0o755)
        if owner:
            os.chown(p, owner.uid, owner.gid)
    if owner:
        os.chown(bindir, owner.uid, owner.gid)


@pytest.fixture
def planted_sleep(attacker: User, tmp_path: Path) -> Iterator[tuple[int, Path, Path]]:
    """(pid of the user's sleep, its ~/bin, the marker the planted scripts would write)."""
    marker = tmp_path / "marker"  # under root's 0700 tmp: only a script run as root could write it
    bindir = Path(attacker.home) / "bin"
    plant(bindir, marker, attacker)
    argv = as_user(attacker, ["/usr/bin/env", "-i", f"PATH={bindir}:/usr/bin:/bin", f"HOME={attacker.home}",
                              "/bin/sleep", "300"])
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # setpriv and env exec into sleep: same pid
            if Path(f"/proc/{proc.pid}/exe").exists() and os.readlink(f"/proc/{proc.pid}/exe").endswith("sleep"):
                break
            time.sleep(0.02)
        yield proc.pid, bindir, marker
    finally:
        proc.kill()
        proc.wait(10)


def tools_evidence(run_report: dict[str, object], run: object) -> dict[str, str]:
    found = [r for r in run_report["results"] if r["id"] == "host.net-tools"]  # type: ignore[index, union-attr]
    assert found, f"host.net-tools not in the report: {run}"
    ev = found[0]["evidence"]
    assert isinstance(ev, dict)
    return ev


def test_host_pid_never_runs_the_inspected_path(planted_sleep: tuple[int, Path, Path]) -> None:
    pid, bindir, marker = planted_sleep
    run = gomedic("host", "--pid", str(pid), "--format", "json")
    assert not marker.exists(), f"a planted script ran as root: {marker.read_text()}"
    ev = tools_evidence(run.report, run)
    for tool in ("curl", "wget", "openssl"):  # found on the inspected PATH, described from the file
        assert ev[tool].startswith(f"{bindir}/{tool}: a script (#!/bin/sh)"), ev
        assert "99.9" not in ev[tool] and "not run" in ev[tool]
    assert results(run, "host.net-tools")[0]["status"] == "ok"


def test_gate_pid_never_runs_the_inspected_path(planted_sleep: tuple[int, Path, Path]) -> None:
    pid, bindir, marker = planted_sleep
    run = gomedic("gate", "--pid", str(pid), "--format", "json")
    assert not marker.exists(), f"a planted script ran as root: {marker.read_text()}"
    assert run.report["command"] == "gate"
    ev = tools_evidence(run.report, run)  # the gate runs host.net-tools too
    assert ev["curl"].startswith(f"{bindir}/curl: a script"), ev


def test_host_root_never_runs_what_the_root_holds(tmp_path: Path) -> None:
    """A captured root: /proc/self of the process and DIR/usr/bin/{curl,...} scripts."""
    marker = tmp_path / "marker"
    root = tmp_path / "root"
    plant(root / "usr" / "bin", marker, None)
    (root / "proc" / "self").mkdir(parents=True)
    (root / "proc" / "self" / "status").write_text("Name:\tsleep\nPid:\t1\nPPid:\t0\n")
    (root / "proc" / "self" / "environ").write_bytes(b"PATH=/usr/bin:/bin\0HOME=/root\0")
    run = gomedic("host", "--root", str(root), "--format", "json")
    assert not marker.exists(), f"a planted script ran as root: {marker.read_text()}"
    ev = tools_evidence(run.report, run)
    assert ev["curl"] == "/usr/bin/curl: a script (#!/bin/sh) (not run: inside --root)", ev


def test_the_real_tool_still_reports_its_version() -> None:
    """The same file as on gomedic's trusted PATH: the trusted path runs and its version is shown."""
    curl = Path("/usr/bin/curl")
    if not curl.exists():
        pytest.skip("curl is not installed here (.ci/apt-packages.txt)")
    run = gomedic("host", "--format", "json", env={"PATH": "/usr/bin:/bin"})
    ev = tools_evidence(run.report, run)
    assert ev["curl"].startswith("/usr/bin/curl: curl "), ev


def test_elf_on_the_inspected_path_is_described_from_its_headers(tmp_path: Path) -> None:
    """A copy of a real ELF (another inode): described (arch, interpreter), not run."""
    bindir = tmp_path / "elfbin"
    bindir.mkdir()
    copy = bindir / "curl"
    copy.write_bytes(Path("/bin/true").read_bytes())
    copy.chmod(0o755)
    argv = ["/usr/bin/env", "-i", f"PATH={bindir}:/usr/bin:/bin", "/bin/sleep", "300"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not os.readlink(f"/proc/{proc.pid}/exe").endswith("sleep"):
            time.sleep(0.02)
        run = gomedic("host", "--pid", str(proc.pid), "--format", "json", "--area", "host")
    finally:
        proc.kill()
        proc.wait(10)
    ev = tools_evidence(run.report, run)
    assert ev["curl"].startswith(f"{copy}: ELF amd64, interpreter /lib"), ev


def test_a_vars_file_cannot_choose_the_program_a_command_check_runs(tmp_path: Path) -> None:
    """`run: ["${tool}", ...]` with tool from a --vars file: a load error (exit 2); nothing runs."""
    marker = tmp_path / "marker"
    plant(tmp_path / "bin", marker, None)
    checks = tmp_path / "checks.yaml"
    checks.write_text('checks:\n  - {name: v, kind: command, run: ["${tool}", --version]}\n'
                      '  - {name: p, kind: command, run: [curl, --version], env: {PATH: "${env:EVIL}"}}\n')
    varsf = tmp_path / "vars.yaml"
    varsf.write_text(f"tool: {tmp_path / 'bin' / 'curl'}\n")
    run = gomedic("run", str(checks), "--vars", str(varsf), env={"EVIL": str(tmp_path / "bin")})
    assert run.returncode == 2, run.stderr
    assert "run: the program '${tool}' comes from a variable" in run.stderr
    assert "env: PATH comes from a variable" in run.stderr
    assert not marker.exists()
