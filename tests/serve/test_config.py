"""The serve config is validated at start, with errors that name the file and key; defaults fit the build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.errors import ConfigError
from gomedic.serve import config as c

ALL = ("check", "host", "binary", "probe", "run", "gate", "list", "serve")


def load(tmp_path: Path, text: str, available: tuple[str, ...] = ALL) -> c.ServeConfig:
    f = tmp_path / "serve.yaml"
    f.write_text(text)
    return c.load(str(f), available)


def test_full_config(tmp_path: Path) -> None:
    tok = tmp_path / "token"
    tok.write_text("0123456789abcdef0123\n")
    cfg = load(tmp_path, f"""
listen: 127.0.0.1:9999
token_file: {tok}
max_parallel: 2
score: {{tau_s: 60, max_factor: 4}}
jobs:
  - {{name: fast, command: host, every: 5m}}
  - {{name: deep, command: check, args: [--deep], every: 1d, timeout: 10m}}
""")
    assert cfg.listen == "127.0.0.1:9999" and cfg.token == "0123456789abcdef0123" and cfg.max_parallel == 2
    assert cfg.weights.tau_s == 60 and cfg.weights.max_factor == 4
    assert cfg.http == c.HttpLimits()  # the defaults when `http:` is absent
    assert cfg.jobs == (
        c.JobSpec("fast", "host", (), 300.0, 300.0),
        c.JobSpec("deep", "check", ("--deep",), 86400.0, 600.0),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: []", "jobs: expected a non-empty list"),
        ("[1, 2]", "expected a mapping at the top level"),
        ("jobs: [{name: a, command: check}]\nlisten: nowhere", "listen: expected HOST:PORT"),
        ("jobs: [{name: a, command: check}]\nbogus: 1", "unknown key 'bogus'"),
        ("jobs: [{name: A B, command: check}]", "jobs[0].name"),
        ("jobs: [{name: a, command: fix}]", "jobs[0].command: 'fix' is not a command a job can run"),
        ("jobs: [{name: a, command: serve}]", "'serve' is not a command a job can run"),
        ("jobs: [{name: a, command: check, args: [--format, text]}]", "'--format' is not allowed for a `check` job"),
        ("jobs: [{name: a, command: check, args: ['--output=/etc/passwd']}]", "'--output=/etc/passwd' is not allowed"),
        ("jobs: [{name: a, command: check, args: --deep}]", "jobs[0].args: expected a list"),
        ("jobs: [{name: a, command: check, every: 1s}]", "every: '1s' must be between 10s and 7d"),
        ("jobs: [{name: a, command: check, every: soon}]", "jobs[0].every: expected a duration"),
        ("jobs: [{name: a, command: check, every: 1m, timeout: 2m}]", "timeout: '2m' is longer than every='1m'"),
        ("jobs: [{name: a, command: check}, {name: a, command: host}]", "the name 'a' is used twice"),
        ("jobs: [{name: a, command: check}]\nmax_parallel: 0", "max_parallel: expected an integer from 1 to 16"),
        (
            "jobs: [{name: a, command: check}]\nhttp: {head_timeout: 0.1s}",
            "http.head_timeout: '0.1s' must be between 0.5s and 10m",
        ),
        (
            "jobs: [{name: a, command: check}]\nhttp: {keepalive_timeout: never}",
            "http.keepalive_timeout: expected a duration",
        ),
        (
            "jobs: [{name: a, command: check}]\nhttp: {connections_per_peer: 0}",
            "http.connections_per_peer: expected an integer from 1",
        ),
        (
            "jobs: [{name: a, command: check}]\nhttp: {connections: true}",
            "http.connections: expected an integer from 1",
        ),
        ("jobs: [{name: a, command: check}]\nhttp: {backlog: 5}", "http: unknown key 'backlog'"),
        ("jobs: [{name: a, command: check}]\nhttp: 5", "http: expected a mapping"),
        ("jobs: [{name: a, command: check}]\nscore: {tau_s: -1}", "score tau_s must be a positive"),
        ("jobs: [{name: a, command: check}]\ntoken_file: /nonexistent/token", "token_file: cannot read"),
        ("jobs: [{name: a, command: check\n", "not valid YAML"),
    ],
)
def test_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as e:
        load(tmp_path, text)
    assert message in str(e.value)
    assert str(tmp_path / "serve.yaml") in str(e.value) or "--config" in str(e.value)


def test_short_token_rejected(tmp_path: Path) -> None:
    tok = tmp_path / "t"
    tok.write_text("short")
    with pytest.raises(ConfigError, match="at least 16 characters"):
        load(tmp_path, f"token_file: {tok}\njobs: [{{name: a, command: check}}]")


def test_commands_not_in_this_build_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'host' is not a command a job can run \(here: check\)"):
        load(tmp_path, "jobs: [{name: a, command: host}]", available=("check", "list"))


def test_durations() -> None:
    assert [c.parse_duration(v, "x") for v in ("30s", "5m", "1.5h", "2d", 45, "250ms")] == \
        [30, 300, 5400, 172800, 45, 0.25]
    for bad in ("", "5 minutes", True, None, "-1s", "0s"):
        with pytest.raises(ConfigError):
            c.parse_duration(bad, "x")


def test_default_jobs_follow_the_build_and_path() -> None:
    assert [j.name for j in c.default_jobs(("check", "host"), go_on_path=True)] == [
        "host",
        "toolchain",
        "toolchain-deep",
    ]
    assert [j.name for j in c.default_jobs(("check", "host"), go_on_path=False)] == ["host"]
    assert [j.name for j in c.default_jobs(("check",), go_on_path=True)] == ["toolchain", "toolchain-deep"]
    with pytest.raises(ConfigError, match="no default jobs"):
        c.default_config(("check",), go_on_path=False)


def test_cli_reports_config_errors_with_exit_2(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("jobs: [{name: a, command: check, every: 1s}]\n")
    p = subprocess.run([sys.executable, "-m", "gomedic", "serve", "--config", str(f)], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 2
    assert p.stderr.strip() == f"gomedic: error: {f}: jobs[0].every: '1s' must be between 10s and 7d"


def test_cli_check_config_lists_jobs(tmp_path: Path) -> None:
    f = tmp_path / "ok.yaml"
    f.write_text("jobs: [{name: tc, command: check, args: [--area, toolchain], every: 30s}]\n")
    p = subprocess.run([sys.executable, "-m", "gomedic", "serve", "--config", str(f), "--check-config",
                        "--listen", "127.0.0.1:1234"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "listen: 127.0.0.1:1234" in p.stdout
    assert "job tc: gomedic check --area toolchain every 30s timeout 30s" in p.stdout


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
job_like = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=8) | st.just("ok"),
        "command": st.sampled_from(["check", "host", "nope", ""]) | json_values,
        "args": st.lists(st.text(max_size=10), max_size=3) | json_values,
        "every": st.sampled_from(["10s", "5m", "x"]) | json_values,
        "timeout": json_values,
        "extra": json_values,
    },
)


@settings(max_examples=150, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "jobs": st.lists(job_like, max_size=3) | json_values, "listen": json_values, "max_parallel": json_values,
    "score": st.dictionaries(st.sampled_from(["tau_s", "max_factor", "x"]), json_values, max_size=2) | json_values,
}) | json_values)
def test_hostile_configs_only_raise_config_errors(data: object) -> None:
    try:
        cfg = c.from_mapping(data, ALL, "fuzz.yaml")
    except ConfigError as e:
        assert str(e).startswith("fuzz.yaml")
        return
    assert cfg.jobs and all(c.MIN_EVERY_S <= j.every_s <= c.MAX_EVERY_S and j.timeout_s <= j.every_s for j in cfg.jobs)


def test_http_limits(tmp_path: Path) -> None:
    cfg = load(tmp_path, "jobs: [{name: a, command: check}]\n"
                         "http: {head_timeout: 2s, keepalive_timeout: 1m, connections_per_peer: 8, connections: 100}\n")
    assert cfg.http == c.HttpLimits(2.0, 60.0, 8, 100)
