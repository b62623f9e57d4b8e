"""Fixtures for the fix tests: tree snapshots (to prove a dry run changes nothing), a file:// module proxy
(so `sudo go mod download` can leave a real root-owned module cache behind), and running gomedic as root
under the system python (so the checks it starts as another user can read the interpreter)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from tests.support.cli import validate_report
from tests.support.goenv import GoEnv, Run
from tests.support.users import SYSTEM_PYTHON, readable_src

Snapshot = dict[str, tuple[object, ...]]


def snapshot(root: Path) -> Snapshot:
    """Every entry under root: type, owner, mode, and content hash (files) or target (symlinks).

    Inside a build cache (a `go-build` directory) only the set of owners is kept: the go command that
    checks run (`go env`) refreshes its own cache entries there on every run, as it does for users.
    """
    out: Snapshot = {}
    for dirpath, dirs, files in os.walk(root):
        if os.path.basename(dirpath) == "go-build":
            owners = {(os.lstat(os.path.join(d, n)).st_uid, os.lstat(os.path.join(d, n)).st_gid)
                      for d, ds, fs in os.walk(dirpath) for n in ds + fs}
            out[os.path.relpath(dirpath, root) + "/*"] = tuple(sorted(owners))
            dirs.clear()
        for name in [*dirs, *files, ""]:
            p = os.path.join(dirpath, name) if name else dirpath
            st = os.lstat(p)
            extra: object = None
            if stat.S_ISREG(st.st_mode):
                extra = hashlib.sha256(Path(p).read_bytes()).hexdigest()
            elif stat.S_ISLNK(st.st_mode):
                extra = os.readlink(p)
            out[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), st.st_uid, st.st_gid,
                                             stat.S_IMODE(st.st_mode), extra)
    return out


def settle(env: GoEnv) -> None:
    """What a used Go setup has: telemetry off (else every go run, gomedic's `go env` included, writes
    counters under ~/.config/go) and the build cache created by a first go run."""
    env.go("telemetry", "off")
    env.go("env", "-json")


def file_proxy(root: Path, module: str = "example.com/hello", version: str = "v1.0.0") -> str:
    """A GOPROXY=file://... serving one module version (list, info, mod, zip)."""
    d = root / module / "@v"
    d.mkdir(parents=True, exist_ok=True)
    (d / "list").write_text(version + "\n")
    (d / f"{version}.info").write_text(json.dumps({"Version": version, "Time": "2026-01-01T00:00:00Z"}))
    gomod = f"module {module}\n\ngo 1.22\n"
    (d / f"{version}.mod").write_text(gomod)
    with zipfile.ZipFile(d / f"{version}.zip", "w") as z:
        z.writestr(f"{module}@{version}/go.mod", gomod)
        z.writestr(f"{module}@{version}/hello.go", "package hello\n\nfunc Hello() string { return \"hi\" }\n")
    for p in [root, *root.rglob("*")]:
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return f"file://{root}"


def gomedic_root_system(env: GoEnv, *args: str, cwd: Path | None = None) -> Run:
    """gomedic as root under the system python with a world-readable src (what an installed gomedic is)."""
    e = {**env.env, "PYTHONPATH": str(readable_src())}
    p = subprocess.run([SYSTEM_PYTHON, "-m", "gomedic", *args], env=e, cwd=cwd or env.root,
                       capture_output=True, text=True, timeout=300)
    return Run(p.returncode, p.stdout, p.stderr)


def plans(run: Run) -> list[dict[str, Any]]:
    doc = validate_report(json.loads(run.stdout))
    assert doc["command"] == "fix"
    return list(doc["context"]["fix"]["plans"])


def plan_for(run: Run, check_id: str) -> dict[str, Any]:
    found = [p for p in plans(run) if p["check"] == check_id]
    assert found, f"no plan for {check_id}: {run.stdout}\n{run.stderr}"
    return found[0]
