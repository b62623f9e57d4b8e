"""The gomedic_check module through a real ansible-core (ad-hoc, local connection): what it returns, when
it fails, that it never reports `changed`, and that the collection builds and documents itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import validate_report
from tests.support.fleet import COLLECTION, COLLECTIONS, SRC
from tests.support.goenv import SYSTEM_DIRS, make_env

pytestmark = pytest.mark.slow




def _run_module(tmp: Path, cases: dict[str, tuple[dict[str, str], dict[str, Any], bool]]) -> dict[str, Any]:
    """Run the module once per case (environment, module args, check mode) in one real playbook on
    localhost; return each task's registered result."""
    tasks = []
    for name, (env, args, check_mode) in cases.items():
        tasks.append(
            {
                "name": name,
                "gomedic.gomedic.gomedic_check": {"executable": [sys.executable, "-m", "gomedic"], **args},
                "environment": env,
                "check_mode": check_mode,
                "register": name,
                "ignore_errors": True,
            }
        )
    out = tmp / "results.json"
    tasks.append({"name": "save", "ansible.builtin.copy": {
        "dest": str(out), "content": "{{ {" + ", ".join(f"'{n}': {n}" for n in cases) + "} | to_json }}"}})
    play = tmp / "play.yml"
    play.write_text(json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "ANSIBLE_"))}
    env.update(ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_HOME=str(tmp / "ansible"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible" / "tmp"), PYTHONPATH=str(SRC))
    p = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", "localhost,", "-c", "local",
                        "-e", f"ansible_python_interpreter={sys.executable}", str(play)],
                       env=env, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr
    results: dict[str, Any] = json.loads(out.read_text())
    return results


def test_module_returns_the_report_and_fails_per_fail_on(tmp_path: Path) -> None:
    healthy = make_env(tmp_path / "ok").env
    no_go = {**make_env(tmp_path / "nogo").env, "PATH": os.pathsep.join(SYSTEM_DIRS)}
    tc = {"args": ["--area", "toolchain"]}
    res = _run_module(tmp_path, {
        "healthy": (healthy, tc, False),
        "no_go": (no_go, tc, False),  # fail_on: fail (the default)
        "no_go_never_check_mode": (no_go, {**tc, "fail_on": "never"}, True),  # read-only: runs in check mode
        "warns_fail_on_warn": ({**healthy, "GOOS": "windows"}, {**tc, "fail_on": "warn"}, False),
        "format_arg": (healthy, {"args": ["--format", "text"]}, False),
        "usage_error": (healthy, {"args": ["--area", "no-such-area"], "fail_on": "never"}, False),
    })

    r = res["healthy"]
    assert not r.get("failed") and r["changed"] is False and r["failing"] == []
    validate_report(r["report"])
    assert r["gomedic_rc"] == 0 and r["summary"]["score"] == 100

    r = res["no_go"]
    assert r["failed"] and r["changed"] is False
    assert [f["id"] for f in r["failing"]] == ["toolchain.go-on-path"]
    assert "toolchain.go-on-path" in r["msg"]
    validate_report(r["report"])

    r = res["no_go_never_check_mode"]
    assert not r.get("failed") and r["changed"] is False and r["gomedic_rc"] == 1
    assert any(x["id"] == "toolchain.go-on-path" and x["status"] == "fail" for x in r["report"]["results"])

    r = res["warns_fail_on_warn"]
    assert r["failed"] and [f["id"] for f in r["failing"]] == ["toolchain.host-target"]

    r = res["format_arg"]
    assert r["failed"] and "--format" in r["msg"]

    r = res["usage_error"]
    assert r["failed"] and "produced no report" in r["msg"] and r["gomedic_rc"] == 2


def test_collection_builds_and_documents_its_module(tmp_path: Path) -> None:
    bindir = Path(sys.executable).parent
    env = {**os.environ, "ANSIBLE_HOME": str(tmp_path / "ansible")}
    b = subprocess.run([str(bindir / "ansible-galaxy"), "collection", "build", str(COLLECTION), "--output-path",
                        str(tmp_path)], env=env, capture_output=True, text=True, timeout=120)
    assert b.returncode == 0, b.stderr
    assert (tmp_path / "gomedic-gomedic-0.1.0.tar.gz").exists()
    d = subprocess.run([str(bindir / "ansible-doc"), "--json", "gomedic.gomedic.gomedic_check"],
                       env={**env, "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS)}, capture_output=True, text=True,
                       timeout=120)
    assert d.returncode == 0, d.stderr
    doc = json.loads(d.stdout)["gomedic.gomedic.gomedic_check"]["doc"]
    assert set(doc["options"]) == {"command", "args", "executable", "fail_on", "timeout"}
    assert doc["options"]["fail_on"]["choices"] == ["warn", "fail", "never"]
