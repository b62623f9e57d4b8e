"""Isolated Go environments around real toolchains, and running gomedic in them.

`make_env(tmp_path)` gives a HOME of its own, a PATH with one real Go release, its install dir and the
system's programs without any system Go (tests.support.systools), and nothing else Go-related set: the
healthy baseline. Tests then break one thing for real (export a GOROOT of
another release, write a GOENV file, chown a cache to root, ...) and run gomedic as a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.cli import validate_report
from tests.support.systools import tools_dir
from tests.support.toolchains import release, toolchain
from tests.support.users import User, gomedic_argv_as

# Where tests find the system's programs: links to them, without a Go /usr/bin may hold (golang-go).
SYSTEM_DIRS = [str(tools_dir())]


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        return validate_report(json.loads(self.stdout))

    def result(self, check_id: str, subject: str | Path | None = None) -> dict[str, Any]:
        """The result of `check_id` (about `subject`, when a check reports several)."""
        found = [r for r in self.report["results"]
                 if r["id"] == check_id and (subject is None or r["subject"] == str(subject))]
        assert found, (
            f"{check_id} {subject or ''} not in report: {[r['id'] for r in self.report['results']]}\n{self.stderr}"
        )
        if subject is not None:
            assert len(found) == 1, f"{check_id} {subject}: {found}"
        return found[0]


@dataclass
class GoEnv:
    root: Path
    home: Path
    goroot: Path
    env: dict[str, str] = field(default_factory=dict)
    name: str = ""  # the toolchain name given to make_env ("1.27.3", "1.19-debian")

    @property
    def version(self) -> str:
        """The release, as `go version` prints it (go1.19.8)."""
        return release(self.name) if self.name else (self.goroot / "VERSION").read_text().split("\n", 1)[0]

    @property
    def minor(self) -> int:
        return int(self.version.removeprefix("go").split(".")[1].split("rc")[0])

    @property
    def gobin(self) -> Path:
        return self.home / "go" / "bin"

    def path_prepend(self, *dirs: str | Path) -> None:
        self.env["PATH"] = os.pathsep.join([*(str(d) for d in dirs), self.env["PATH"]])

    def write_goenv(self, text: str) -> Path:
        p = self.home / ".config" / "go" / "env"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
        return p

    def gomedic(self, *args: str, cwd: Path | None = None, user: User | None = None, timeout: float = 120) -> Run:
        env = dict(self.env)
        if user is None:
            argv = [sys.executable, "-m", "gomedic", *args]
            env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2] / "src")
        else:
            prefix, extra = gomedic_argv_as(user)
            argv = [*prefix, *args]
            env.update(extra)
        p = subprocess.run(argv, env=env, cwd=cwd or self.root, capture_output=True, text=True, timeout=timeout)
        return Run(p.returncode, p.stdout, p.stderr)

    def check(self, *args: str, cwd: Path | None = None, user: User | None = None) -> Run:
        """`gomedic check --format json ...`; the report is schema-validated when read."""
        return self.gomedic("check", "--format", "json", *args, cwd=cwd, user=user)

    def go(self, *args: str, cwd: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.goroot / "bin" / "go"), *args], env=self.env, cwd=cwd or self.root,
                              capture_output=True, text=True, timeout=300, check=check)


def make_env(tmp_path: Path, version: str = "1.27.3", *, gobin_on_path: bool = True) -> GoEnv:
    """A healthy environment: one Go on PATH, its install dir on PATH, nothing else set."""
    goroot = toolchain(version)
    home = tmp_path / "home"
    home.mkdir(parents=True, exist_ok=True)
    path = [str(goroot / "bin")]
    if gobin_on_path:
        path.append(str(home / "go" / "bin"))
    env = {
        "HOME": str(home),
        "PATH": os.pathsep.join(path + SYSTEM_DIRS),
        "LANG": "C.UTF-8",
        "USER": os.environ.get("USER", "root"),
    }
    return GoEnv(tmp_path, home, goroot, env, version)


def needs(env: GoEnv, minor: int, why: str) -> None:
    """Skip, with the reason, a scenario that cannot exist before Go 1.<minor>."""
    import pytest

    if env.minor < minor:
        pytest.skip(f"{env.version}: {why} (Go 1.{minor}+)")
