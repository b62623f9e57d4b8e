"""A FIFO, socket or device wherever gomedic opens a path is refused at once (issue 12, item 10).

Each run gets a subprocess timeout as the hang guard (a FIFO nobody writes blocks open(2) forever): a
run that returns at all has not blocked. No timing is asserted. Also: a unit name longer than NAME_MAX is
a usage error (exit 2) with one clear line.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gomedic import safeio
from tests.support.cli import run_gomedic
from tests.support.systools import system_path
from tests.support.toolchains import toolchain

HANG_GUARD_S = 20  # a blocked open would never return: this only ends such a run
REFUSED = "is a FIFO, not a regular file"


def gm(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = {"PATH": system_path(), "HOME": str(cwd), "LANG": "C.UTF-8", **(env or {})}
    return run_gomedic(*args, env=e, cwd=cwd, timeout=HANG_GUARD_S)


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    p = tmp_path / "fifo"
    os.mkfifo(p)
    return p


def test_binary_argument_fifo(fifo: Path, tmp_path: Path) -> None:
    p = gm("binary", str(fifo), cwd=tmp_path)
    assert p.returncode == 2, p.stderr  # a usage error, refused before anything runs (issue 13 item 9)
    assert p.stderr.strip().splitlines() == [f"gomedic: error: {fifo}: a FIFO (named pipe), not a binary file"], (
        p.stderr
    )


def test_goenv_fifo_is_reported_and_go_is_not_left_blocking(fifo: Path, tmp_path: Path) -> None:
    """go itself would block on the FIFO: gomedic neither reads it nor runs go against it."""
    goroot = toolchain("1.27.3")
    p = gm("check", "--area", "goenv", "--format", "json", cwd=tmp_path,
           env={"GOENV": str(fifo), "PATH": f"{goroot}/bin:/usr/bin:/bin"})
    import json

    r = next(x for x in json.loads(p.stdout)["results"] if x["id"] == "goenv.file")
    assert r["status"] == "fail" and f"GOENV file {fifo} {REFUSED}" in r["summary"], r
    assert "every go command blocks reading it" in r["summary"]


def test_netrc_fifo(fifo: Path, tmp_path: Path) -> None:
    """The .netrc is read to know what to redact (every command) and by `report`: neither blocks."""
    p = gm("check", "--area", "goenv", cwd=tmp_path, env={"NETRC": str(fifo)})
    assert p.returncode in (0, 1), p.stderr
    out = tmp_path / "report.md"
    p = gm("report", "-o", str(out), cwd=tmp_path, env={"NETRC": str(fifo)})
    assert p.returncode in (0, 1), p.stderr
    assert str(fifo) in out.read_text()  # where the .netrc would be is still said; nothing was read from it


def test_vscode_settings_fifo(tmp_path: Path) -> None:
    """Workspace .vscode/settings.json and the user's settings.json, both FIFOs."""
    proj = tmp_path / "proj"
    (proj / ".vscode").mkdir(parents=True)
    os.mkfifo(proj / ".vscode" / "settings.json")
    user_dir = tmp_path / ".config" / "Code" / "User"
    user_dir.mkdir(parents=True)
    os.mkfifo(user_dir / "settings.json")
    p = gm("check", "--area", "editor", "-v", cwd=proj, env={"HOME": str(tmp_path)})
    assert p.stdout.count(f"cannot read: {REFUSED}") >= 2, p.stdout


def test_unit_file_fifo_and_drop_in_fifo(tmp_path: Path) -> None:
    unit = tmp_path / "app.service"
    os.mkfifo(unit)
    p = gm("service", str(unit), cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr.strip() == f"gomedic: error: unit file {unit} {REFUSED}"
    real = tmp_path / "real" / "web.service"
    real.parent.mkdir()
    real.write_text("[Service]\nExecStart=/bin/true\n")
    (real.parent / "web.service.d").mkdir()
    os.mkfifo(real.parent / "web.service.d" / "override.conf")
    p = gm("service", str(real), "--format", "json", cwd=tmp_path)
    assert REFUSED in p.stdout, p.stdout


def test_environment_file_fifo(tmp_path: Path) -> None:
    env_file = tmp_path / "app.env"
    os.mkfifo(env_file)
    unit = tmp_path / "app.service"
    unit.write_text(f"[Service]\nExecStart=/bin/true\nEnvironmentFile={env_file}\n")
    p = gm("service", str(unit), "--format", "json", cwd=tmp_path)
    assert p.returncode in (0, 1), p.stderr
    assert str(env_file) in p.stdout


def test_check_file_fifo(fifo: Path, tmp_path: Path) -> None:
    p = gm("run", str(fifo), cwd=tmp_path)
    assert p.returncode == 2 and REFUSED in p.stderr, p.stderr


@pytest.fixture
def unix_socket(tmp_path: Path) -> Iterator[Path]:
    p = tmp_path / "sock"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(p))
    s.listen(1)
    try:
        yield p
    finally:
        s.close()


def test_safeio_refuses_sockets_devices_and_directories(unix_socket: Path, tmp_path: Path) -> None:
    with pytest.raises(safeio.NotRegularFile, match="is a socket"):
        safeio.read_bytes(unix_socket, 10)
    with pytest.raises(safeio.NotRegularFile, match="is a character device"):
        safeio.read_bytes("/dev/zero", 10)
    with pytest.raises(safeio.NotRegularFile, match="is a directory"):
        safeio.read_bytes(tmp_path, 10)
    link = tmp_path / "link"
    (tmp_path / "target").write_text("x")
    link.symlink_to(tmp_path / "target")
    assert safeio.read_text(link, 10) == "x"
    with pytest.raises(OSError):
        safeio.read_text(link, 10, nofollow=True)


@given(st.binary(max_size=4096), st.integers(min_value=0, max_value=5000))
def test_safeio_reads_at_most_the_limit(data: bytes, limit: int) -> None:
    import tempfile

    with tempfile.NamedTemporaryFile() as fh:
        fh.write(data)
        fh.flush()
        assert safeio.read_bytes(fh.name, limit) == data[:limit]


@pytest.mark.parametrize("spec", ["a" * 300 + ".service", "a" * 250, "/etc/systemd/system/" + "b" * 300 + ".service"])
def test_unit_name_longer_than_name_max_is_a_usage_error(spec: str, tmp_path: Path) -> None:
    p = gm("service", spec, cwd=tmp_path)
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "has at most 255 bytes" in lines[0], p.stderr
