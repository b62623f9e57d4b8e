"""Everything a job started dies with it (issue 12, item 7), and output is capped while it is read (item 8).

The jobs really escape: `setsid` (a new session, out of the process group), a double fork (the parent exits,
the child is reparented), and `env -i` (the inherited token is gone: only the cgroup or the subreaper can
find it). Survivors are looked for in /proc by a marker argument unique to each test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic import execx, jobcgroup
from tests.serve.conftest import start_serve
from tests.support.cli import gomedic_peak_rss
from tests.support.users import User, ensure_user, gomedic_argv_as

SRC = str(Path(__file__).resolve().parents[2] / "src")


def marker() -> str:
    """A `sleep` duration unique to a test, e.g. 1000.123456: survivors are found by their argv."""
    return f"1000.{uuid.uuid4().int % 10**6:06d}"


def escaping_script(mark: str) -> str:
    """A shell job leaving five sleeps behind in every way a process can get away."""
    return (f"setsid sh -c 'sleep {mark} & sleep {mark}' & "  # a new session, with a child of its own
            f"(setsid sleep {mark} &) ; "  # double fork into a new session: reparented at once
            f"(env -i /usr/bin/setsid /bin/sleep {mark} &) ; "  # and without the inherited environment
            f"sleep {mark}")


def survivors(mark: str) -> list[int]:
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            argv = Path(f"/proc/{name}/cmdline").read_bytes().split(b"\0")
            state = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if mark.encode() in argv and state != b"Z":
            out.append(int(name))
    return out


def wait_for(mark: str, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(survivors(mark)) < n:
        time.sleep(0.05)
    assert len(survivors(mark)) >= n, f"the job never started its {n} sleeps"


def assert_none_left(mark: str) -> None:
    left = survivors(mark)
    for pid in left:  # do not leave them to the next test either
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes survived their job: {left}"


@pytest.fixture
def no_cgroup(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The fallback: no cgroup v2 child group (an unprivileged user, a read-only hierarchy)."""
    monkeypatch.setattr(jobcgroup.Cgroup, "create", classmethod(lambda cls: None))
    yield


def test_timeout_kills_setsid_and_double_forked_children_without_cgroup(no_cgroup: None) -> None:
    """/proc descendants and the inherited token: what keeps its environment is found and killed."""
    mark = marker()
    script = (f"setsid sh -c 'sleep {mark} & sleep {mark}' & (setsid sleep {mark} &) ; sleep {mark}")
    r = execx.run(["sh", "-c", script], timeout=1.5)
    assert r.timed_out
    assert_none_left(mark)


def test_exit_leaves_nothing_behind_without_cgroup(no_cgroup: None) -> None:
    """A command that exits at once but daemonised a child: the child goes when run() returns."""
    mark = marker()
    r = execx.run(["sh", "-c", f"(setsid sleep {mark} > /dev/null 2>&1 &) ; echo started"], timeout=30)
    assert r.ok and r.stdout == "started\n"
    assert_none_left(mark)


def test_cgroup_catches_children_that_drop_the_environment() -> None:
    if jobcgroup.Cgroup.create is None or jobcgroup.Cgroup._own_dir() is None:
        pytest.skip("no writable cgroup v2 hierarchy here")
    mark = marker()
    r = execx.run(["sh", "-c", escaping_script(mark)], timeout=1.5)
    assert r.timed_out
    assert_none_left(mark)


def write_check(d: Path, mark: str, timeout: str) -> Path:
    f = d / "escape.yaml"
    script = escaping_script(mark).replace("'", "''")
    f.write_text(f"checks:\n  - {{name: escape, kind: command, run: [sh, -c, '{script}'], timeout: {timeout}}}\n")
    return f


def test_one_shot_run_leaves_no_process_after_a_timeout(tmp_path: Path) -> None:
    mark = marker()
    f = write_check(tmp_path, mark, "2s")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": SRC}
    p = subprocess.run([sys.executable, "-m", "gomedic", "run", str(f), "--format", "json"], env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 1 and "timed out after 2s" in p.stdout, p.stdout + p.stderr
    assert_none_left(mark)


def test_sigterm_to_gomedic_kills_what_its_run_started(tmp_path: Path) -> None:
    """systemd stopping a unit whose ExecStartPre is gomedic, or serve stopping a job: SIGTERM."""
    mark = marker()
    f = write_check(tmp_path, mark, "10m")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": SRC}
    p = subprocess.Popen([sys.executable, "-m", "gomedic", "run", str(f)], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(mark, 5)
        p.send_signal(signal.SIGTERM)
        assert p.wait(60) == -signal.SIGTERM  # it still dies of the signal
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
    assert_none_left(mark)


@pytest.fixture(scope="module")
def plain_user() -> Iterator[User]:
    """A real unprivileged user: it cannot make cgroups, so only /proc, the token and the subreaper work."""
    name = "gmexec2" + os.environ.get("PYTEST_XDIST_WORKER", "")
    u = ensure_user(name)
    try:
        yield u
    finally:
        subprocess.run(["userdel", "--remove", name], capture_output=True, timeout=60)


CHILD = """
import sys
from gomedic import execx, jobcgroup, proctree
proctree.want_subreaper()  # what the gomedic command does
r = execx.run(["sh", "-c", sys.argv[1]], timeout=2)
print("timed out" if r.timed_out else "not timed out", jobcgroup.Cgroup._own_dir())
"""


@pytest.mark.parametrize("ends", ["timed out", "not timed out"])
def test_a_user_without_cgroups_leaves_nothing(plain_user: User, shared_tmp: Path, ends: str) -> None:
    """As a real unprivileged user (no cgroup can be made): the `env -i` escapee keeps no token and no
    parent; it reparents to the gomedic process (a subreaper), which kills it as soon as the job ends,
    while the process itself still runs (it waits to be killed below)."""
    mark = marker()
    argv, extra = gomedic_argv_as(plain_user)
    python = argv[: argv.index("-m")]
    env = {"PATH": "/usr/bin:/bin", "HOME": plain_user.home, "LANG": "C.UTF-8", **extra}
    script = escaping_script(mark)
    if ends == "not timed out":  # it exits at once, its escapees already reparented: strays when it ends
        script = (f"(env -i /usr/bin/setsid /bin/sleep {mark} > /dev/null 2>&1 &) ; "
                  f"(setsid sleep {mark} > /dev/null 2>&1 &) ; sleep 0.5")
    p = subprocess.Popen([*python, "-c", CHILD + "import time; print(flush=True); time.sleep(300)", script],
                         env=env, cwd=shared_tmp, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout is not None
        line = p.stdout.readline()
        assert line.strip() == f"{ends} None", line + (p.stderr.read() if p.poll() is not None else "")
        assert_none_left(mark)  # gomedic is still running: its strays were killed when the job ended
    finally:
        p.kill()
        p.wait(10)


def test_serve_shutdown_kills_a_running_job_and_all_it_started(tmp_path: Path) -> None:
    mark = marker()
    f = write_check(tmp_path, mark, "10m")
    served = start_serve(tmp_path, f"jobs: [{{name: escape, command: run, args: [{f}], every: 1h, timeout: 1h}}]\n",
                         {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"})
    try:
        wait_for(mark, 5, timeout=90)
    finally:
        served.stop()
    assert served.proc.returncode is not None
    assert_none_left(mark)
    base = jobcgroup.Cgroup._own_dir()  # serve ran in this process's cgroup: its job groups were made there
    if base is not None:
        left = [n for n in os.listdir(base) if n.startswith(f"gomedic-{served.proc.pid}-")]
        assert not left, f"cgroups left behind: {left}"


def test_output_is_capped_while_reading_in_bounded_memory(tmp_path: Path) -> None:
    """`gomedic run` of a command printing 1 GiB: the check fails as cut off, and gomedic's own peak RSS
    (the high-water mark of its own address space) stays far below the output's size (it was 2.1 GB when the
    cap was applied after reading everything)."""
    import json

    f = tmp_path / "big.yaml"
    f.write_text("checks:\n  - {name: big, kind: command, run: [head, -c, 1G, /dev/zero], timeout: 5m}\n")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "PYTHONPATH": SRC}
    out = tmp_path / "out.json"
    env.pop("PYTHONPATH")
    with open(out, "wb") as fh:  # gomedic's own peak (its address space's high-water mark), not the worker's
        _, peak = gomedic_peak_rss("run", str(f), "--format", "json", env=env, stdout=fh)
    r = json.loads(out.read_text())["results"][0]
    assert r["status"] == "fail" and "printed more than 4 MiB on one stream and was stopped" in r["summary"], r
    assert 0 < peak < 300 * 1024, f"gomedic peaked at {peak} KiB reading a 1 GiB output"


def test_execx_result_says_truncated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(execx, "MAX_OUTPUT", 1 << 16)
    r = execx.run(["head", "-c", "100M", "/dev/zero"], timeout=60)
    assert r.truncated and not r.ok and not r.timed_out
    assert len(r.stdout) < (1 << 16) + 100 and r.stdout.endswith("[output cut by gomedic]")
    assert "printed more than 65536 bytes" in r.describe()
