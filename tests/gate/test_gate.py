"""`gomedic gate`: one real scenario per category code that can be produced here, 0 when clean, --wait."""

from __future__ import annotations

import importlib.util
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.support.hostfixtures import REPO_SRC, gomedic, listener, world_dir, write_unit
from tests.support.systools import system_path
from tests.support.users import User

pytestmark = pytest.mark.slow
CLOCK_NANOSLEEP = {"x86_64": 230, "aarch64": 115}


def clean_unit(wd: Path, user: User, binary: Path, extra: str = "") -> Path:
    return write_unit(wd, "app.service", f"User={user.name}\nWorkingDirectory={wd}\nExecStart={binary}\n"
                      f"LimitNOFILE=65536\n{extra}")


def gate(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[str], dict[str, object] | None]:
    run = gomedic("gate", *args, env=env)
    lines = [ln for ln in run.stderr.splitlines() if ln.strip()]
    doc = run.report if "--format" in args else None
    if doc is not None:
        assert doc["command"] == "gate" and doc["exit_code"] == run.returncode
    return run.returncode, lines, doc


def test_clean_setup_exits_0(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    code, lines, doc = gate("--unit", str(clean_unit(wd, svc_user, hello_amd64)), "--format", "json")
    assert code == 0, lines
    assert lines == [lines[-1]] and lines[-1].startswith("gomedic gate: ok; exit 0")
    assert doc is not None and {r["area"] for r in doc["results"]} >= {"host", "tls", "net", "service"}
    code, lines, _ = gate("--unit", str(clean_unit(wd, svc_user, hello_amd64)), "--quiet")
    assert (code, lines) == (0, [])


def test_10_network_port_already_held(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    with listener() as port:
        unit = clean_unit(wd, svc_user, hello_amd64, f"Environment=LISTEN_ADDR=127.0.0.1:{port}")
        code, lines, _ = gate("--unit", str(unit))
    assert code == 10
    assert lines[0].startswith("gomedic gate: FAIL service.port app.service [network 10]: port ")
    assert "address already in use" in lines[0] and " -- fix: " in lines[0]


def test_20_tls_garbage_ssl_cert_file(tmp_path: Path) -> None:
    garbage = tmp_path / "ca.pem"
    garbage.write_bytes(os.urandom(512))
    code, lines, doc = gate("--format", "json", env={"SSL_CERT_FILE": str(garbage)})
    assert code == 20
    assert any(ln.startswith("gomedic gate: FAIL tls.ca-bundle [tls 20]") for ln in lines)
    assert doc is not None and doc["exit_code"] == 20


@pytest.mark.skipif(importlib.util.find_spec("gomedic.checks.binary") is None,
                    reason="the binary.* checks (binary engineer's gomedic.checks.binary) are not installed")
def test_30_binary_arm64_on_this_host(hello_arm64: Path) -> None:
    code, lines, _ = gate("--binary", str(hello_arm64))
    assert code == 30, lines
    assert any(ln.startswith("gomedic gate: FAIL binary.arch ") and "[binary 30]" in ln for ln in lines)
    with world_dir() as d:  # the same binary as a unit's ExecStart: binary (30) wins over service (70)
        code, lines, _ = gate("--unit", str(write_unit(d, "arm.service", f"ExecStart={hello_arm64}")))
    assert code == 30 and any("service.unit" in ln and "Exec format error" in ln for ln in lines)


def test_40_limits_limitnofile_1024(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    unit = write_unit(wd, "app.service", f"User={svc_user.name}\nExecStart={hello_amd64}\nLimitNOFILE=1024")
    code, lines, _ = gate("--unit", str(unit))
    assert code == 40
    assert lines[0].startswith("gomedic gate: FAIL service.limits app.service [limits 40]: LimitNOFILE hard limit 1024")


def test_70_service_missing_user_and_missing_binary(wd: Path, hello_amd64: Path) -> None:
    unit = write_unit(wd, "app.service", f"User=gomedic-nobody-here\nExecStart={hello_amd64}\nLimitNOFILE=65536")
    code, lines, _ = gate("--unit", str(unit))
    assert code == 70 and any("217/USER" in ln for ln in lines)
    unit = write_unit(wd, "app.service", f"ExecStart={wd}/missing\nLimitNOFILE=65536")
    code, lines, _ = gate("--unit", str(unit))
    assert code == 70 and any("203/EXEC" in ln for ln in lines)


def test_smallest_category_wins(wd: Path, hello_amd64: Path, tmp_path: Path) -> None:
    unit = write_unit(wd, "app.service", f"User=gomedic-nobody-here\nExecStart={hello_amd64}\nLimitNOFILE=1024")
    garbage = tmp_path / "ca.pem"
    garbage.write_text("junk")
    code, lines, _ = gate("--unit", str(unit), env={"SSL_CERT_FILE": str(garbage)})
    assert code == 20
    assert len([ln for ln in lines if " FAIL " in ln]) == 3  # tls, limits and service are all reported


def test_usage_errors_exit_2() -> None:
    assert gate("--wait", "soon")[0] == 2
    assert gate("--unit", "gomedic-absent-unit")[0] == 2
    assert gate("--pid", "999999999")[0] == 2
    assert gate("--root", "/tmp")[0] == 2  # --root applies to --unit only


def test_wait_retries_until_a_late_dependency_appears(wd: Path, svc_user: User, hello_amd64: Path) -> None:
    """The EnvironmentFile is written by another process while the gate waits."""
    env_file = wd / "late.env"
    unit = clean_unit(wd, svc_user, hello_amd64, f"EnvironmentFile={env_file}")
    env = {"PATH": system_path(), "LANG": "C.UTF-8", "HOME": "/root", "PYTHONPATH": str(REPO_SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "gomedic", "gate", "--unit", str(unit), "--wait", "60s",
                             "--interval", "200ms", "--format", "json"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)

    def appear() -> None:
        # Write the file once the gate has failed an attempt and sleeps before the next: its main thread is
        # then in clock_nanosleep (during an attempt it waits on futexes), whatever the machine's speed.
        nr = CLOCK_NANOSLEEP[platform.machine()]
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if Path(f"/proc/{proc.pid}/syscall").read_text().split()[0] == str(nr):
                    break
            except (OSError, IndexError):
                pass
            time.sleep(0.01)
        env_file.write_text("GOMEMLIMIT=100MiB\n")

    t = threading.Thread(target=appear)
    t.start()
    out, err = proc.communicate(timeout=120)
    t.join()
    assert proc.returncode == 0, err
    import json

    from tests.support.cli import validate_report

    doc = validate_report(json.loads(out))
    assert doc["context"]["gate"]["attempts"] > 1
    assert "exit 0" in err.splitlines()[-1]


def test_wait_gives_up_with_the_category_code(wd: Path, hello_amd64: Path) -> None:
    unit = write_unit(wd, "app.service", f"ExecStart={hello_amd64}\nLimitNOFILE=1024")
    code, _lines, doc = gate("--unit", str(unit), "--wait", "1s", "--interval", "300ms", "--format", "json")
    assert code == 40
    assert doc is not None and doc["context"]["gate"]["attempts"] >= 2
