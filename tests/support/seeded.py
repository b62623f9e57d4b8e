"""In-process check tests: a Facts whose facts are seeded with real captured data, then the check is called.

    f = go_facts("1.27.3", env={"GOFLAGS": "-mod=mod"})      # go env -json of the real toolchain, seeded
    r = one(goflags(f))                                       # the check function, no subprocess

What the checks read comes from real things, captured once per machine into the test cache (see `captured`):
`go env -json` and other short go commands of the cached toolchains (run by `prefetch` in a module fixture,
never in a test body), binaries parsed from the cached build corpus. `options` is the one place that hands
a run's subject (a binary, a unit, a vulnerability database) to Facts, as a `Subject`.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from gomedic.facts import Facts, Options
from gomedic.facts.envfile import parse as parse_env_file
from gomedic.facts.go import ENV_KEYS, GO_CMD, GO_ENV_PROBE, GO_PATH_SCAN, GOENV_FILE, GoEnvFile, GoEnvProbe
from gomedic.facts.gomod import GO_MODULE, ModuleContext
from gomedic.facts.host import HOST, HostInfo
from gomedic.facts.modfile import parse as parse_modfile
from gomedic.facts.pathscan import GoInstall, inspect_go
from gomedic.finding import Finding
from gomedic.model import Result
from gomedic.subject import Subject
from gomedic.values import field, frozen
from tests.support.systools import system_path
from tests.support.toolchains import DEBIAN, NEWEST, cache_dir, toolchain

HOME = "/home/gmseeded"  # never created: go env only derives paths from it
HOST_AMD64 = HostInfo("linux", "amd64", "x86_64", "6.1.0-28-amd64", "glibc 2.36")  # the machine the toolchains are for


def options(env: Mapping[str, str], cwd: Path = Path("/nonexistent"), **subject: Any) -> Options:
    """The run's options; `subject` is what a command passes about what it looks at (binary, unit, vulndb)."""
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in subject.items()}
    return Options(env=MappingProxyType(dict(env)), cwd=cwd, subject=Subject(**fields))


def facts(env: Mapping[str, str] | None = None, cwd: Path = Path("/nonexistent"), **subject: Any) -> Facts:
    return Facts(options(env or {}, cwd, **subject))


def one(out: Finding | Iterable[Finding]) -> Finding:
    """The single finding of a check (fails the test when it yields several)."""
    found = [out] if isinstance(out, Finding) else list(out)
    assert len(found) == 1, [x.summary for x in found]
    return found[0]


def all_of(out: Finding | Iterable[Finding]) -> list[Finding]:
    return [out] if isinstance(out, Finding) else list(out)


def run_area(area: str, f: Facts) -> dict[str, list[Result]]:
    """Every check of `area` through the runner (crash isolation, FactUnavailable -> skip), by check id."""
    from gomedic.registry import load_areas
    from gomedic.runner import Selection, run_checks, select

    specs = select(load_areas([area]), Selection(areas=frozenset([area]), deep=True))
    out: dict[str, list[Result]] = {}
    for r in run_checks(specs, f, workers=1):
        out.setdefault(r.id, []).append(r)
    return out


def captured(name: str, produce: Callable[[], Any]) -> Any:
    """JSON data produced once per machine (a go command's output, a parse) and kept in the test cache."""
    d = cache_dir() / "seeded"
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{name}.json"
    if path.exists():
        return json.loads(path.read_text())
    with open(d / f".lock-{name}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(produce()))
            os.replace(tmp, path)
    return json.loads(path.read_text())


def go_command(version: str, args: list[str], env: Mapping[str, str] | None = None,
               files: Mapping[str, str] | None = None, *, with_cc: bool = False) -> dict[str, Any]:
    """{"returncode", "stdout", "stderr"} of a real `go ARGS` of a cached toolchain, captured once: run in a
    fresh directory `$DIR` holding `files` (GOENV=$DIR/env names a GOENV file there), GOTOOLCHAIN=local, PATH
    the toolchain's bin (and the system's programs, gcc among them, `with_cc`)."""
    key = hashlib.sha256(json.dumps([version, args, dict(env or {}), dict(files or {}), with_cc]).encode()).hexdigest()[
        :20
    ]

    def produce() -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="gmseeded.") as d:
            for rel, text in (files or {}).items():
                (Path(d) / rel).parent.mkdir(parents=True, exist_ok=True)
                (Path(d) / rel).write_text(text)
            base = {"HOME": HOME, "PATH": go_path(version, with_cc), "GOENV": "off", "GOTOOLCHAIN": "local",
                    "GOTELEMETRY": "off", "XDG_CONFIG_HOME": "/dev/null/gomedic"}
            if args[0] != "env":  # a build or list writes its cache: the suite's shared one, never under HOME
                base.update(GOCACHE=str(cache_dir() / "gocache" / version), GOMODCACHE=str(cache_dir() / "gomodcache"))
            e = {**base, **{k: v.replace("$DIR", d) for k, v in (env or {}).items()}}
            p = subprocess.run([str(toolchain(version) / "bin" / "go"), *args], env=e, cwd=d, capture_output=True,
                               text=True, timeout=120)
            # the temporary directory is gone after this: name it by a stable placeholder
            return {
                "returncode": p.returncode,
                "stdout": p.stdout.replace(d, "$DIR"),
                "stderr": p.stderr.replace(d, "$DIR"),
            }

    data: dict[str, Any] = captured(f"go-{version}-{key}", produce)
    return data


@frozen
class GoRun:
    """A go command to capture (see go_command): declared by a test module, run in its fixture."""

    version: str
    args: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, str] = field(default_factory=dict)

    def run(self) -> dict[str, Any]:
        return go_command(self.version, list(self.args), self.env, self.files)


def prefetch(runs: Mapping[str, GoRun]) -> dict[str, dict[str, Any]]:
    """For a module fixture: the `go env -json` captures go_facts reads and the module's own go runs, so that
    on a machine whose cache is cold the go commands run in the fixture, never in a test body."""
    for version in (NEWEST, DEBIAN):
        go_env_json(version)
        go_install(version)
    go_env_json(NEWEST, with_cc=True)
    return {name: r.run() for name, r in runs.items()}


def go_path(version: str, with_cc: bool = False) -> str:
    """PATH with the toolchain's go: alone (no C compiler: cgo defaults to off), or with the system's programs."""
    return system_path(toolchain(version) / "bin") if with_cc else str(toolchain(version) / "bin")


def go_env_json(version: str = NEWEST, with_cc: bool = False) -> dict[str, str]:
    """The real `go env -json` (the keys gomedic asks for) of a cached toolchain, no GOENV file, HOME=HOME."""
    r = go_command(version, ["env", "-json", *ENV_KEYS], with_cc=with_cc)
    assert r["returncode"] == 0, r["stderr"]
    values: dict[str, str] = json.loads(r["stdout"])
    return values


@functools.cache
def go_install(version: str = NEWEST) -> GoInstall:
    """The cached toolchain's go, parsed (ELF header, build info, VERSION file) as GO_PATH_SCAN parses it."""
    return inspect_go(str(toolchain(version) / "bin" / "go"))


def envfile(path: str, text: str | None, how: str = "default location") -> GoEnvFile:
    """The GOENV fact for a file at `path` holding `text` (None: no such file)."""
    if text is None:
        return GoEnvFile(path, how)
    return GoEnvFile(path, how, True, None, parse_env_file(text))


def module(gomod: str, text: str, *, gowork: str | None = None, work: str | None = None) -> ModuleContext:
    """GO_MODULE for a go.mod at `gomod` holding `text` (and a go.work), parsed by gomedic's go.mod parser."""
    return ModuleContext(gomod, parse_modfile(text), gowork, parse_modfile(work) if work is not None else None,
                         "found" if gowork else "")


NO_MODULE = ModuleContext()


def go_facts(version: str = NEWEST, *, env: Mapping[str, str] | None = None, goenv: GoEnvFile | None = None,
             probe: GoEnvProbe | None = None, mod: ModuleContext = NO_MODULE, cwd: Path = Path("/nonexistent"),
             path_gos: list[GoInstall] | None = None, with_cc: bool = False, **subject: Any) -> Facts:
    """Facts of a machine whose go on PATH is the cached `version`: GO_PATH_SCAN, GO_CMD, HOST, the GOENV
    file, `go env -json` (the real capture, with the Go variables of the GOENV file and of `env` applied as go
    applies them: the environment wins) and GO_MODULE are seeded; GO_CONFIG is then gathered from them by
    gomedic itself."""
    go = go_install(version)
    e = {"HOME": HOME, "PATH": go_path(version, with_cc), **(env or {})}
    f = facts(e, cwd, **subject)
    gos = path_gos if path_gos is not None else [go]
    f.seed(GO_PATH_SCAN, gos)
    if gos:
        f.seed(GO_CMD, gos[0])
    f.seed(HOST, HOST_AMD64)
    ef = goenv or GoEnvFile(None, "GOENV=off")
    f.seed(GOENV_FILE, ef)
    if probe is None:  # what go env says: the environment over the GOENV file over the captured defaults
        applied = {**ef.text.values(), **{k: v for k, v in e.items() if v}}
        values = {**go_env_json(version, with_cc), **{k: v for k, v in applied.items() if k in ENV_KEYS}}
        probe = GoEnvProbe(go.path, MappingProxyType(values), None)
    f.seed(GO_ENV_PROBE, probe)
    f.seed(GO_MODULE, mod)
    return f


def failed_probe(version: str, run: Mapping[str, Any]) -> GoEnvProbe:
    """GO_ENV_PROBE when `go env` failed as the captured `run` of go_command did (as the gatherer records it)."""
    stderr = str(run["stderr"])
    first = next((ln.strip() for ln in stderr.splitlines() if ln.strip()), "")
    go = go_install(version).path
    return GoEnvProbe(go, None, f"`{go} env -json` exited {run['returncode']}: {first}", stderr)
