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

from tests.support.fleet import COLLECTION, COLLECTIONS, SRC
from tests.support.goenv import SYSTEM_DIRS, make_env, validate_report

pytestmark = pytest.mark.slow


def _adhoc(tmp: Path, env_extra: dict[str, str], *, check_mode: bool = False, **args: Any) -> dict[str, Any]:
    """Run the module once on localhost; return its result (the minimal callback's `host | STATUS => {...}`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "ANSIBLE_"))}
    env.update(env_extra)
    env.update(ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_STDOUT_CALLBACK="minimal", ANSIBLE_HOME=str(tmp / "ansible"), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCAL_TEMP=str(tmp / "ansible" / "tmp"), PYTHONPATH=str(SRC))
    argv = [str(Path(sys.executable).parent / "ansible"), "localhost", "-c", "local",
            "-e", f"ansible_python_interpreter={sys.executable}", "-m", "gomedic.gomedic.gomedic_check",
            "-a", json.dumps({"executable": [sys.executable, "-m", "gomedic"], **args})]
    if check_mode:
        argv.append("--check")
    p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    at = p.stdout.find("localhost | ")
    head, sep, body = p.stdout[at:].partition(" => ")
    assert at >= 0 and sep, p.stdout[-3000:] + p.stderr
    result: dict[str, Any] = json.loads(body)
    result["failed"] = "FAILED" in head
    assert (p.returncode != 0) == result["failed"], p.stdout[-3000:] + p.stderr
    return result


def test_module_returns_the_report_and_fails_per_fail_on(tmp_path: Path) -> None:
    healthy = make_env(tmp_path / "ok").env
    no_go = {**make_env(tmp_path / "nogo").env, "PATH": os.pathsep.join(SYSTEM_DIRS)}
    args = ["--area", "toolchain"]

    r = _adhoc(tmp_path, healthy, args=args)
    assert not r.get("failed") and r["changed"] is False and r["failing"] == []
    validate_report(r["report"])
    assert r["gomedic_rc"] == 0 and r["summary"]["score"] == 100

    r = _adhoc(tmp_path, no_go, args=args)  # fail_on: fail (the default)
    assert r["failed"] and r["changed"] is False
    assert [f["id"] for f in r["failing"]] == ["toolchain.go-on-path"]
    assert "toolchain.go-on-path" in r["msg"]
    validate_report(r["report"])

    r = _adhoc(tmp_path, no_go, args=args, fail_on="never", check_mode=True)  # read-only: runs in check mode
    assert not r.get("failed") and r["changed"] is False and r["gomedic_rc"] == 1
    assert any(x["id"] == "toolchain.go-on-path" and x["status"] == "fail" for x in r["report"]["results"])

    r = _adhoc(tmp_path, {**healthy, "GOOS": "windows"}, args=args, fail_on="warn")
    assert r["failed"] and [f["id"] for f in r["failing"]] == ["toolchain.host-target"]

    r = _adhoc(tmp_path, healthy, args=["--format", "text"])
    assert r["failed"] and "--format" in r["msg"]

    r = _adhoc(tmp_path, healthy, args=["--area", "no-such-area"], fail_on="never")
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
