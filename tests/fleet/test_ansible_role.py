"""The gomedic.gomedic.gomedic role with a real ansible-core on this machine: it installs gomedic into a
venv, writes the exporter config (validated by gomedic itself), the systemd units and the textfile link.
Then the textfile unit's own command runs as the unprivileged gomedic user, and a real node_exporter
(Debian package) serves the result through the symlink, before and after an atomic rewrite.

No systemd runs here, so services are not started (gomedic_manage_service: false); the units are checked
with systemd-analyze instead.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cli import free_port, validate_report
from tests.support.fleet import COLLECTIONS, REPO, http_get, processes, wait_until
from tests.support.goenv import SYSTEM_DIRS
from tests.support.systools import system_path
from tests.support.toolchains import toolchain
from tests.support.users import User, as_user

pytestmark = pytest.mark.slow

SYSTEMD = REPO / "deploy" / "systemd"
UNITS = ("gomedic-serve.service", "gomedic-textfile.service", "gomedic-textfile.timer")


@pytest.fixture
def root() -> Iterator[Path]:
    """A world-traversable scratch dir: the gomedic user must reach the venv the role installs."""
    d = Path(tempfile.mkdtemp(prefix="gomedic-role-", dir="/tmp"))
    d.chmod(0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def _playbook(root: Path) -> subprocess.CompletedProcess[str]:
    (root / "site.yml").write_text("- hosts: localhost\n  gather_facts: false\n  roles: [gomedic.gomedic.gomedic]\n")
    extra = {
        "gomedic_mode": "both",
        "gomedic_venv": str(root / "venv"),
        "gomedic_python": "/usr/bin/python3",
        "gomedic_venv_site_packages": True,
        "gomedic_package": str(REPO),
        "gomedic_pip_extra_args": "--no-deps",
        "gomedic_config_dir": str(root / "etc"),
        "gomedic_systemd_dir": str(root / "systemd"),
        "gomedic_manage_service": False,
        "gomedic_textfile_link_dir": str(root / "textfile"),
        "gomedic_serve_jobs": [{"name": "toolchain", "command": "check", "args": ["--area", "toolchain"],
                                "every": "1m", "timeout": "30s"}],
    }
    (root / "extra.json").write_text(json.dumps(extra))
    (root / "systemd").mkdir()
    (root / "textfile").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1", ANSIBLE_HOME=str(root / "ansible"),
               ANSIBLE_LOCAL_TEMP=str(root / "ansible" / "tmp"), ANSIBLE_RETRY_FILES_ENABLED="False")
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), system_path()])
    return subprocess.run(
        ["ansible-playbook", "-i", "localhost,", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}",
         "-e", f"@{root / 'extra.json'}", str(root / "site.yml")],
        env=env, capture_output=True, text=True, timeout=600, cwd=root,
    )


def _exec_start(unit: Path) -> list[str]:
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.split("=", 1)[1])


def test_role_installs_gomedic_and_the_textfile_path_works(root: Path) -> None:
    p = _playbook(root)
    assert p.returncode == 0, p.stdout[-5000:] + p.stderr[-2000:]

    venv_gomedic = root / "venv" / "bin" / "gomedic"
    assert subprocess.run([str(venv_gomedic), "--version"], capture_output=True, text=True,
                          timeout=60).stdout.strip() == "gomedic 0.1.0"
    pwd.getpwnam("gomedic")  # the textfile unit's user exists

    # The units are deploy/systemd's, with this install's paths, and systemd accepts them.
    for name in UNITS:
        rendered = (root / "systemd" / name).read_text()
        body = rendered.split("\n", 1)[1]  # after the ansible_managed line
        back = body.replace(str(root / "venv"), "/opt/gomedic").replace(str(root / "etc"), "/etc/gomedic")
        assert back == (SYSTEMD / name).read_text(), name
    v = subprocess.run(["systemd-analyze", "verify", *(str(root / "systemd" / n) for n in UNITS)],
                       capture_output=True, text=True, timeout=60)
    assert v.returncode == 0 and v.stdout + v.stderr == "", v.stdout + v.stderr

    # The exporter config the role wrote is one gomedic serve accepts.
    cfg = root / "etc" / "serve.yaml"
    c = subprocess.run([str(venv_gomedic), "serve", "--check-config", "--config", str(cfg)], capture_output=True,
                       text=True, timeout=60)
    assert c.returncode == 0 and "job toolchain: gomedic check --area toolchain every 60s" in c.stdout, c.stderr

    link = root / "textfile" / "gomedic_check.prom"
    assert link.is_symlink() and os.readlink(link) == "/var/lib/gomedic/gomedic_check.prom"

    # The textfile unit's command, as its user, into a state dir of our own (systemd would make
    # /var/lib/gomedic); node_exporter reads it through a symlink like the role's.
    user = pwd.getpwnam("gomedic")
    state = root / "state"
    state.mkdir()
    os.chown(state, user.pw_uid, user.pw_gid)
    argv = [
        a.replace("/var/lib/gomedic", str(state)) for a in _exec_start(root / "systemd" / "gomedic-textfile.service")
    ]
    env = {"HOME": str(state), "LANG": "C.UTF-8",
           "PATH": os.pathsep.join([str(toolchain("1.27.3") / "bin"), *SYSTEM_DIRS])}
    textdir = root / "node-textfile"
    textdir.mkdir()
    (textdir / "gomedic_check.prom").symlink_to(state / "gomedic_check.prom")
    port = free_port(["127.0.0.1"])
    exporter = shutil.which("prometheus-node-exporter")
    assert exporter, "the Debian package prometheus-node-exporter is needed (see .ci/apt-packages.txt)"

    def run_unit() -> None:
        r = subprocess.run(as_user(_user(user), argv), env=env, capture_output=True, text=True, timeout=300)
        assert r.returncode in (0, 1), r.stderr  # SuccessExitStatus=1: failing checks are results
        validate_report(json.loads((state / "check.json").read_text()))

    run_unit()
    with processes() as start:
        start("node-exporter", [exporter, f"--web.listen-address=127.0.0.1:{port}", "--collector.disable-defaults",
                                "--collector.textfile", f"--collector.textfile.directory={textdir}"],
              env={"PATH": system_path()}, log_dir=root)
        url = f"http://127.0.0.1:{port}/metrics"
        for _ in range(2):  # before and after an atomic rewrite of the file behind the symlink
            body = wait_until(lambda: http_get(url)[1].decode() if http_get(url)[0] == 200 else "", 30,
                              "node_exporter /metrics")
            assert "node_textfile_scrape_error 0" in body, body[-2000:]
            assert re.search(r'gomedic_check_status\{[^}]*id="toolchain.go-on-path"', body), body[-2000:]
            assert "gomedic_health_score{" in body
            run_unit()


def _user(pw: pwd.struct_passwd) -> User:
    return User(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir)
