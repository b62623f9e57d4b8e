"""The `gomedic serve` configuration: which commands run, with which arguments, how often. Validated at start.

```yaml
listen: 127.0.0.1:9433          # --listen overrides
token_file: /etc/gomedic/token  # optional: /metrics and /report.json then need `Authorization: Bearer <token>`
max_parallel: 1                 # jobs running at the same time
score: {tau_s: 300, max_factor: 8}
http:                           # optional; these are the defaults
  head_timeout: 5s              # a request head (line and headers) must arrive within this, or 408 and close
  keepalive_timeout: 30s        # an idle keep-alive connection is closed after this
  connections_per_peer: 256     # open connections from one client address; more are refused with 503
  connections: 4096             # open connections in all (lowered to fit the open-files limit)
jobs:
  - name: host                  # [a-z0-9_-], unique; the `job` label of every metric
    command: host               # a gomedic command that exists in this build
    args: []                    # its arguments: only those on the command's allow-list (jobargs.py)
    every: 5m                   # 10s .. 7d; s, m, h, d suffixes or seconds
    timeout: 2m                 # <= every; default min(every, 5m)
```

Every error names the file and the key (`serve.yaml: jobs[1].every: ...`) and exits 2 before anything runs.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from gomedic import units
from gomedic.errors import ConfigError
from gomedic.score import ScoreWeights
from gomedic.values import field, frozen

DEFAULT_LISTEN = "127.0.0.1:9433"
# Commands a job may run: those that produce a report. (`fix` changes things, `serve` would recurse.)
JOB_COMMANDS = ("check", "host", "binary", "probe", "run", "gate")
MIN_EVERY_S = 10.0
MAX_EVERY_S = 7 * 86400.0
MAX_ARGS = 64
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@frozen
class JobSpec:
    name: str
    command: str
    args: tuple[str, ...] = ()
    every_s: float = 300.0
    timeout_s: float = 120.0


@frozen
class HttpLimits:
    head_timeout_s: float = 5.0
    keepalive_timeout_s: float = 30.0
    connections_per_peer: int = 256
    connections: int = 4096


@frozen
class ServeConfig:
    jobs: tuple[JobSpec, ...]
    listen: str = DEFAULT_LISTEN
    token: str | None = None
    max_parallel: int = 1
    weights: ScoreWeights = field(default_factory=ScoreWeights)
    source: str = "(default)"
    http: HttpLimits = field(default_factory=HttpLimits)


def parse_duration(value: object, where: str) -> float:
    if isinstance(value, bool):
        raise ConfigError(f"{where}: expected a duration such as {units.DURATION_EXAMPLES}, got {value!r}")
    try:
        seconds = float(value) if isinstance(value, (int, float)) else units.parse_duration(str(value))
    except ValueError as e:
        raise ConfigError(f"{where}: {e}, got {value!r}") from None
    if not seconds > 0 or seconds > 10 * MAX_EVERY_S:
        raise ConfigError(f"{where}: {value!r} is out of range")
    return seconds


def parse_listen(value: object, where: str = "--listen") -> tuple[str, int]:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected HOST:PORT, got {value!r}")
    host, sep, port = value.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{where}: expected HOST:PORT (e.g. 127.0.0.1:9433), got {value!r}")
    return host, int(port)


def _keys(d: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    extra = [k for k in d if k not in allowed]
    if extra:
        raise ConfigError(f"{where}: unknown key {extra[0]!r} (allowed: {', '.join(allowed)})")


def _job(raw: object, i: int, available: Sequence[str], src: str) -> JobSpec:
    where = f"{src}: jobs[{i}]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping with name, command, every")
    _keys(raw, ("name", "command", "args", "every", "timeout"), where)
    name = raw.get("name")
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ConfigError(f"{where}.name: expected lowercase letters, digits, '-' or '_' (got {name!r})")
    command = raw.get("command")
    allowed = [c for c in JOB_COMMANDS if c in available]
    if command not in allowed:
        raise ConfigError(f"{where}.command: {command!r} is not a command a job can run (here: {', '.join(allowed)})")
    args = raw.get("args", [])
    if (
        not isinstance(args, list)
        or len(args) > MAX_ARGS
        or not all(isinstance(a, str) and len(a) < 4096 for a in args)
    ):
        raise ConfigError(f"{where}.args: expected a list of at most {MAX_ARGS} strings")
    from gomedic.serve.jobargs import validate as validate_args

    validate_args(str(command), args, where)
    every = parse_duration(raw.get("every", "5m"), f"{where}.every")
    if not MIN_EVERY_S <= every <= MAX_EVERY_S:
        raise ConfigError(f"{where}.every: {raw.get('every')!r} must be between 10s and 7d")
    timeout = parse_duration(raw["timeout"], f"{where}.timeout") if "timeout" in raw else min(every, 300.0)
    if timeout > every:
        raise ConfigError(f"{where}.timeout: {raw.get('timeout')!r} is longer than every={raw.get('every')!r}")
    from gomedic.userchecks.cliopts import validate_job_checks  # declared check files load now, or exit 2

    validate_job_checks(str(command), args, where)
    return JobSpec(name, str(command), tuple(args), every, timeout)


def _int(d: Mapping[str, Any], key: str, default: int, lo: int, hi: int, where: str) -> int:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{where}.{key}: expected an integer from {lo} to {hi}, got {v!r}")
    return v


def _http(raw: object, src: str) -> HttpLimits:
    where = f"{src}: http"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping")
    _keys(raw, ("head_timeout", "keepalive_timeout", "connections_per_peer", "connections"), where)
    d = HttpLimits()
    times = {
        k: parse_duration(raw[k], f"{where}.{k}") if k in raw else None for k in ("head_timeout", "keepalive_timeout")
    }
    for k, v in times.items():
        if v is not None and not 0.5 <= v <= 600:
            raise ConfigError(f"{where}.{k}: {raw[k]!r} must be between 0.5s and 10m")
    return HttpLimits(times["head_timeout"] or d.head_timeout_s, times["keepalive_timeout"] or d.keepalive_timeout_s,
                      _int(raw, "connections_per_peer", d.connections_per_peer, 1, 65536, where),
                      _int(raw, "connections", d.connections, 1, 65536, where))


def _token(path_value: object, src: str) -> str:
    if not isinstance(path_value, str) or not path_value:
        raise ConfigError(f"{src}: token_file: expected a path")
    path = Path(path_value)
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{src}: token_file: cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    if len(token) < 16 or any(c.isspace() for c in token):
        raise ConfigError(f"{src}: token_file: {path} must hold one token of at least 16 characters, no spaces")
    return token


def from_mapping(data: object, available: Sequence[str], src: str) -> ServeConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{src}: expected a mapping at the top level")
    _keys(data, ("listen", "token_file", "max_parallel", "score", "http", "jobs"), src)
    listen = data.get("listen", DEFAULT_LISTEN)
    parse_listen(listen, f"{src}: listen")
    jobs_raw = data.get("jobs")
    if not isinstance(jobs_raw, list) or not jobs_raw:
        raise ConfigError(f"{src}: jobs: expected a non-empty list of jobs")
    jobs = tuple(_job(j, i, available, src) for i, j in enumerate(jobs_raw))
    seen: set[str] = set()
    for j in jobs:
        if j.name in seen:
            raise ConfigError(f"{src}: jobs: the name {j.name!r} is used twice")
        seen.add(j.name)
    mp = data.get("max_parallel", 1)
    if isinstance(mp, bool) or not isinstance(mp, int) or not 1 <= mp <= 16:
        raise ConfigError(f"{src}: max_parallel: expected an integer from 1 to 16, got {mp!r}")
    score = data.get("score", {})
    if not isinstance(score, dict):
        raise ConfigError(f"{src}: score: expected a mapping with tau_s and max_factor")
    _keys(score, ("tau_s", "max_factor"), f"{src}: score")
    try:
        weights = ScoreWeights(**{k: float(v) for k, v in score.items()})
    except (TypeError, ValueError, ConfigError) as e:
        raise ConfigError(f"{src}: score: {e}") from None
    token = _token(data["token_file"], src) if "token_file" in data else None
    limits = _http(data["http"], src) if "http" in data else HttpLimits()
    return ServeConfig(jobs, str(listen), token, mp, weights, src, limits)


def load(path: str, available: Sequence[str]) -> ServeConfig:
    import yaml

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"--config {path}: cannot read: {getattr(e, 'strerror', None) or e}") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # a safe loader: CSafeLoader or SafeLoader
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from None
    return from_mapping(data, available, path)


def default_jobs(available: Sequence[str], go_on_path: bool | None = None) -> tuple[JobSpec, ...]:
    """Host checks every 5 minutes; with a go on PATH, toolchain checks every 5 minutes and deep ones daily."""
    if go_on_path is None:
        go_on_path = shutil.which("go") is not None
    jobs: list[JobSpec] = []
    if "host" in available:
        jobs.append(JobSpec("host", "host", (), 300.0, 120.0))
    if go_on_path and "check" in available:
        jobs.append(JobSpec("toolchain", "check", (), 300.0, 120.0))
        jobs.append(JobSpec("toolchain-deep", "check", ("--deep",), 86400.0, 600.0))
    return tuple(jobs)


def default_config(available: Sequence[str], go_on_path: bool | None = None) -> ServeConfig:
    jobs = default_jobs(available, go_on_path)
    if not jobs:
        raise ConfigError("no default jobs apply here (no `host` command in this build and no go on PATH): "
                          "give --config FILE with a jobs list")
    return ServeConfig(jobs)
