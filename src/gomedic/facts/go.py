"""Go toolchain facts: the go on PATH, `go env -json`, the GOENV file, and where each setting comes from.

`go env` runs once per run, with a timeout and GOTOOLCHAIN=local so that a go.mod asking for another
toolchain cannot make the probe download one. When it fails (a bad GOROOT, a bad GOENV entry), the
settings are still resolved from the environment and files alone, so most checks still run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from types import MappingProxyType

from gomedic import execx, safeio
from gomedic.errors import CommandError, FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.envfile import EnvFileText, goenv_location
from gomedic.facts.envfile import parse as parse_env_file
from gomedic.facts.host import HOST
from gomedic.facts.pathscan import GoInstall, gos_on_path, inspect_go, usual_installs, which
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Final, Literal

    Source = Literal["environment", "GOENV file", "GOROOT/go.env", "default"]

GO_ENV_TIMEOUT = 15.0

# where a go setting comes from (Setting.source), in precedence order
SRC_ENV: Final = "environment"
SRC_FILE: Final = "GOENV file"
SRC_GOROOT: Final = "GOROOT/go.env"
SRC_DEFAULT: Final = "default"


@fact("go.path")
def GO_PATH_SCAN(f: Facts) -> list[GoInstall]:
    """Every go on PATH, in PATH order."""
    return gos_on_path(f.env)


@fact("go.installs")
def GO_USUAL_INSTALLS(f: Facts) -> list[GoInstall]:
    """Go commands in the usual install places (on PATH or not), one per install (symlinks resolved),
    newest release first."""
    from functools import cmp_to_key

    from gomedic.binfmt import goversion

    def newest_first(a: GoInstall, b: GoInstall) -> int:
        return goversion.compare(b.version or "", a.version or "")

    seen: dict[str, GoInstall] = {}
    for p in usual_installs(f.env):
        g = inspect_go(p)
        seen.setdefault(g.realpath, g)
    return sorted(seen.values(), key=cmp_to_key(newest_first))


@fact("go.first")
def GO_FIRST(f: Facts) -> str:
    """The path of the go the user's shell would run (GO_CMD's path, the binary not read): all `go env`
    needs, so the doctor starts it before the binary readers are imported (bench/README.md)."""
    path = which("go", f.env)
    if path is None:
        raise FactUnavailable("no go command on PATH")
    return path


@fact("go.cmd")
def GO_CMD(f: Facts) -> GoInstall:
    """The go the user's shell would run."""
    gos = f.get(GO_PATH_SCAN)
    if not gos:
        raise FactUnavailable("no go command on PATH")
    return gos[0]


def go_version(f: Facts) -> str | None:
    """The release the go on PATH runs: its embedded version, or, for a wrapper script or version-manager
    shim, the GOVERSION that `go env` reports."""
    go = f.get(GO_CMD)
    if go.version:
        return go.version
    try:
        values = f.get(GO_ENV_PROBE).values
    except FactUnavailable:
        return None
    return values.get("GOVERSION") if values else None


@frozen
class GoEnvFile:
    path: str | None  # None: no file is used (GOENV=off, or no config dir)
    how: str  # how the path was chosen, or why there is none
    exists: bool = False
    error: str | None = None  # set when the file exists but cannot be read
    text: EnvFileText = field(default_factory=lambda: parse_env_file(""))
    special: bool = False  # a FIFO, socket or device: go would block (or never stop) reading it


@fact("go.envfile")
def GOENV_FILE(f: Facts) -> GoEnvFile:
    path, how = goenv_location(f.env)
    if path is None:
        return GoEnvFile(None, how)
    from gomedic.facts.showable import open_showable

    try:  # as root: not through a link to a file the user who controls the name cannot read
        with os.fdopen(open_showable(path), "rb") as fh:
            data = fh.read(1 << 20)
    except FileNotFoundError:
        return GoEnvFile(path, how)
    except safeio.NotRegularFile as e:
        return GoEnvFile(path, how, exists=True, error=e.strerror or str(e), special=not os.path.isdir(path))
    except OSError as e:
        return GoEnvFile(path, how, exists=os.path.exists(path), error=e.strerror or str(e))
    return GoEnvFile(path, how, True, None, parse_env_file(data.decode("utf-8", "replace")))


@frozen
class GoEnvProbe:
    """The outcome of `go env -json` (never raises: a failure is itself evidence)."""

    go: str
    values: Mapping[str, str] | None
    error: str | None
    stderr: str = ""


# The settings the checks read. Naming them keeps `go env` from computing the costly ones (it runs the C
# compiler for GOGCCFLAGS and caches the answer in GOCACHE): faster, and nothing is written.
ENV_KEYS = (  # noqa: SIM905
    "AR CC CGO_ENABLED CXX GCCGO GO111MODULE GO386 GOAMD64 GOARCH GOARM GOARM64 GOAUTH GOBIN GOCACHE "
    "GOCACHEPROG GOENV GOEXE GOEXPERIMENT GOFIPS140 GOFLAGS GOHOSTARCH GOHOSTOS GOINSECURE GOMOD GOMODCACHE "
    "GONOPROXY GONOSUMDB GOOS GOPATH GOPRIVATE GOPROXY GOROOT GOSUMDB GOTMPDIR GOTOOLCHAIN GOTOOLDIR GOVCS "
    "GOVERSION GOWASM GOWORK"
).split()

# Settings `go env` lists only from a release on, and those it lists only for one GOARCH (as go1.19 lists
# GOAMD64 on amd64 and no GOARM): `go env -json KEY` prints "" for a key the release does not have, so
# the release decides which keys exist, not the output.
KEY_SINCE = {"GOAMD64": "go1.18", "GOWORK": "go1.18", "GOTOOLCHAIN": "go1.21", "GOARM64": "go1.23",
             "GOAUTH": "go1.24", "GOCACHEPROG": "go1.24", "GOFIPS140": "go1.24"}
KEY_ARCH = {"GO386": "386", "GOAMD64": "amd64", "GOARM": "arm", "GOARM64": "arm64", "GOWASM": "wasm"}


def release_has_key(version: str, goarch: str, key: str) -> bool:
    """Whether `go env` of release `version` (go1.19.8) for GOARCH `goarch` lists `key`."""
    from gomedic.binfmt import goversion

    if key in KEY_ARCH and KEY_ARCH[key] != goarch:
        return False
    since = KEY_SINCE.get(key)
    return since is None or not goversion.is_valid(version) or goversion.compare(version, since) >= 0


# A config dir nobody can create: the go command's telemetry counters (kept under os.UserConfigDir) are
# then not written, so a diagnosis leaves the user's home as it found it.
NO_TELEMETRY_DIR = "/dev/null/gomedic"


def readonly_go_env(f: Facts) -> dict[str, str]:
    """The environment for the go calls gomedic makes to look (not to build): the user's environment,
    GOTOOLCHAIN=local so a go.mod cannot make go download a toolchain, and the GOENV file pinned to
    where go would find it while telemetry has nowhere to write."""
    env = {**f.env, "GOTOOLCHAIN": "local", "XDG_CONFIG_HOME": NO_TELEMETRY_DIR}
    if not f.env.get("GOENV"):
        ef = f.get(GOENV_FILE)
        env["GOENV"] = ef.path or "off"
    return env


@fact("go.envprobe")
def GO_ENV_PROBE(f: Facts) -> GoEnvProbe:
    go = f.get(GO_FIRST)
    ef = f.get(GOENV_FILE)
    if ef.special:  # go opens it with a blocking read: every go command hangs (or reads a device forever)
        return GoEnvProbe(go, None, f"not run: the GOENV file {ef.path} {ef.error}; every go command "
                          "would block reading it")
    env = readonly_go_env(f)
    try:
        r = execx.run([go, "env", "-json", *ENV_KEYS], timeout=GO_ENV_TIMEOUT, env=env, cwd=f.cwd)
    except CommandError as e:
        return GoEnvProbe(go, None, str(e))
    if not r.ok:
        return GoEnvProbe(go, None, r.describe(), r.stderr)
    try:
        data = json.loads(r.stdout)
    except ValueError:
        return GoEnvProbe(go, None, f"`go env -json` printed no JSON: {r.stdout[:200]!r}", r.stderr)
    if not isinstance(data, dict):
        return GoEnvProbe(go, None, "`go env -json` printed no JSON object", r.stderr)
    return GoEnvProbe(go, MappingProxyType({str(k): str(v) for k, v in data.items()}), None, r.stderr)


@fact("go.env")
def GO_ENV(f: Facts) -> Mapping[str, str]:
    """`go env -json` values; FactUnavailable (with go's own error) when go cannot run."""
    probe = f.get(GO_ENV_PROBE)
    if probe.values is None:
        raise FactUnavailable(f"the go command fails: {probe.error}")
    return probe.values


@frozen
class Setting:
    key: str
    value: str
    source: Source  # SRC_ENV, SRC_FILE, SRC_GOROOT, SRC_DEFAULT

    def describe(self) -> str:
        return f"{self.key}={self.value} (from {self.source})" if self.value else f"{self.key} unset"


@frozen
class GoConfig:
    """Each go setting with where it comes from: OS environment > GOENV file > GOROOT/go.env > default."""

    env: Mapping[str, str]
    file: Mapping[str, str]
    goroot_file: Mapping[str, str]
    defaults: Mapping[str, str]

    def get(self, key: str) -> Setting:
        if self.env.get(key):
            return Setting(key, self.env[key], SRC_ENV)
        if key in self.file:
            return Setting(key, self.file[key], SRC_FILE)
        if key in self.goroot_file:
            return Setting(key, self.goroot_file[key], SRC_GOROOT)
        return Setting(key, self.defaults.get(key, ""), SRC_DEFAULT)

    def value(self, key: str) -> str:
        return self.get(key).value


def _own_defaults(f: Facts) -> dict[str, str]:
    """Defaults as cmd/go computes them, for when `go env` cannot run."""
    env = f.env
    home = env.get("HOME", "")
    host = f.get(HOST)
    d: dict[str, str] = {"GOOS": host.goos, "GOARCH": host.goarch, "GOHOSTOS": host.goos, "GOHOSTARCH": host.goarch}
    d["GOPATH"] = os.path.join(home, "go") if home else ""
    gopath = env.get("GOPATH") or d["GOPATH"]
    first = gopath.split(os.pathsep)[0]
    d["GOMODCACHE"] = os.path.join(first, "pkg", "mod") if first and os.path.isabs(first) else ""
    xdg = env.get("XDG_CACHE_HOME", "")
    cache_root = xdg if xdg and os.path.isabs(xdg) else (os.path.join(home, ".cache") if home else "")
    d["GOCACHE"] = os.path.join(cache_root, "go-build") if cache_root else ""
    try:
        go = f.get(GO_CMD)
        if go.root:
            d["GOROOT"] = go.root
            d["GOTOOLDIR"] = os.path.join(go.root, "pkg", "tool", f"{host.goos}_{host.goarch}")
        if go.version:
            d["GOVERSION"] = go.version
    except FactUnavailable:
        pass
    d["GOTOOLCHAIN"] = "auto"
    d["GOPROXY"] = "https://proxy.golang.org,direct"
    d["GOSUMDB"] = "sum.golang.org"
    return d


def read_goroot_env(goroot: str) -> dict[str, str]:
    try:
        return parse_env_file(safeio.read_text(os.path.join(goroot, "go.env"), 1 << 20)).values()
    except OSError:
        return {}


@fact("go.config")
def GO_CONFIG(f: Facts) -> GoConfig:
    envfile = f.get(GOENV_FILE)
    probe_values: Mapping[str, str] | None = None
    try:
        probe_values = f.get(GO_ENV_PROBE).values
    except FactUnavailable:
        pass
    defaults = _own_defaults(f)
    if probe_values is not None:
        # go env resolved everything; GOTOOLCHAIN is the exception: the probe forced it to local.
        defaults.update({k: v for k, v in probe_values.items() if k != "GOTOOLCHAIN"})
    file_values = envfile.text.values()
    goroot = f.env.get("GOROOT") or file_values.get("GOROOT") or defaults.get("GOROOT", "")
    return GoConfig(
        env=MappingProxyType(dict(f.env)),
        file=MappingProxyType(file_values),
        goroot_file=MappingProxyType(read_goroot_env(goroot) if goroot else {}),
        defaults=MappingProxyType(defaults),
    )


def tool_in_path(name: str, f: Facts) -> str | None:
    return which(name, f.env, str(f.cwd))
