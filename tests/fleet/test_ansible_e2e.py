"""The example playbook (gomedic.gomedic.audit) with a real ansible-core against 10 hosts: 8 through the
local connection, each with an environment of its own, and 2 through a real sshd on 127.0.0.2/127.0.0.3
as an unprivileged user. Failures are injected into some hosts' environments; the combined report must
name exactly those failures (a warning elsewhere is not a failure).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.cli import validate_report
from tests.support.fleet import COLLECTIONS, SRC, validate_summary
from tests.support.goenv import SYSTEM_DIRS, make_env
from tests.support.sshd import sshd
from tests.support.systools import system_path
from tests.support.toolchains import toolchain
from tests.support.users import SYSTEM_PYTHON, ensure_user, readable_src

pytestmark = pytest.mark.slow

PLAYBOOK = "gomedic.gomedic.audit"


def _ansible_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "ANSIBLE_"))}
    env.update(
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="False",
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_PIPELINING="True",
        ANSIBLE_FORKS="10",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="False",
        ANSIBLE_LOCAL_TEMP=str(tmp / "ansible-local"),
        ANSIBLE_HOME=str(tmp / "ansible-home"),
        ANSIBLE_SSH_ARGS="-o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no -o ControlMaster=no",
        PYTHONPATH=str(SRC),
    )
    bindir = Path(sys.executable).parent
    env["PATH"] = os.pathsep.join([str(bindir), system_path()])
    return env


def _ssh_home(user_home: str, name: str, tmp_tag: str, uid: int, gid: int) -> Path:
    home = Path(user_home) / f"fleet-{tmp_tag}" / name
    home.mkdir(parents=True, exist_ok=True)
    for p in (home.parent, home):
        os.chown(p, uid, gid)
    return home


def test_playbook_combined_report_names_exactly_the_injected_failures(tmp_path: Path) -> None:
    go_new = toolchain("1.27.3")
    go_old = toolchain("1.25.5")
    # host -> extra environment (on top of a healthy one), and the failures it must cause
    local_inject: dict[str, dict[str, str]] = {
        "l2": {"PATH": os.pathsep.join(SYSTEM_DIRS)},      # no go at all
        "l4": {"GOROOT": "/nonexistent/go"},               # GOROOT points at nothing
        "l6": {"GOROOT": str(go_old)},                     # GOROOT of another release
        "l7": {"GOOS": "windows"},                         # a warning, not a failure
    }
    ssh_inject = {"s2": {"GOTOOLCHAIN": "banana"}}
    expected = {("l2", "toolchain.go-on-path"), ("l4", "toolchain.goroot-exists"),
                ("l6", "toolchain.goroot-matches"), ("s2", "toolchain.gotoolchain")}

    hosts: dict[str, dict[str, Any]] = {}
    for i in range(1, 9):
        name = f"l{i}"
        genv = make_env(tmp_path / name)
        env = {**genv.env, "PYTHONPATH": str(SRC), **local_inject.get(name, {})}
        hosts[name] = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                       "gomedic_executable": [sys.executable, "-m", "gomedic"], "gomedic_environment": env}

    user = ensure_user("gmfleet")
    # useradd leaves the password "!" (locked); sshd without PAM refuses locked accounts even by key.
    # "*" means no password can match, and the account is not locked.
    subprocess.run(["usermod", "-p", "*", user.name], check=True, timeout=30)
    report_dir = tmp_path / "reports"
    with sshd(["127.0.0.2", "127.0.0.3"], user) as server:
        for n, addr in (("s1", "127.0.0.2"), ("s2", "127.0.0.3")):
            home = _ssh_home(user.home, n, tmp_path.name, user.uid, user.gid)
            env = {"HOME": str(home), "PATH": os.pathsep.join([str(go_new / "bin"), *SYSTEM_DIRS]),
                   "LANG": "C.UTF-8", "PYTHONPATH": str(readable_src()), **ssh_inject.get(n, {})}
            hosts[n] = {"ansible_host": addr, "ansible_port": server.port, "ansible_user": user.name,
                        "ansible_connection": "ssh", "ansible_ssh_private_key_file": str(server.key),
                        "ansible_python_interpreter": SYSTEM_PYTHON,
                        "gomedic_executable": [SYSTEM_PYTHON, "-m", "gomedic"], "gomedic_environment": env}
        inventory = tmp_path / "inventory.yml"
        inventory.write_text(yaml.safe_dump({"all": {
            "hosts": hosts,
            "vars": {"gomedic_args": ["--area", "toolchain"],
                     "gomedic_controller_executable": [sys.executable, "-m", "gomedic"]},
        }}))
        p = subprocess.run(
            ["ansible-playbook", "-i", str(inventory), PLAYBOOK, "-e", f"gomedic_report_dir={report_dir}"],
            env=_ansible_env(tmp_path), capture_output=True, text=True, timeout=300, cwd=tmp_path,
        )
        shutil.rmtree(Path(user.home) / f"fleet-{tmp_path.name}", ignore_errors=True)
    (tmp_path / "ansible.log").write_text(p.stdout + p.stderr)
    assert p.returncode == 0, p.stdout[-6000:] + p.stderr[-3000:]
    run_task = p.stdout.split("TASK [Run gomedic]")[1].split("TASK [")[0]
    assert sorted(line.split("[")[1].split("]")[0] for line in run_task.splitlines()
                  if line.startswith("ok:")) == sorted(hosts), run_task  # never `changed`, never failed

    for h in hosts:
        report = validate_report(json.loads((report_dir / f"{h}.json").read_text()))
        assert report["command"] == "check"
    combined = validate_summary(json.loads((report_dir / "combined.json").read_text()))
    assert combined["fleet"]["hosts"] == 10 and combined["unreadable"] == []
    named = {(o["host"], c["id"]) for c in combined["checks"] for o in c["failing"]}
    assert named == expected
    by_host = {h["name"]: {r["id"] for r in h["failing"]} for h in combined["hosts"]}
    assert by_host == {h: {cid for hh, cid in expected if hh == h} for h in hosts}
    warned = {(o["host"], c["id"]) for c in combined["checks"] for o in c["warning"]}
    assert warned == {("l7", "toolchain.host-target")}
    assert combined["exit_code"] == 1
    md = (report_dir / "combined.md").read_text()
    assert all(f"`{cid}`" in md for _, cid in expected)
