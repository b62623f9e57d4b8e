"""Pure pieces of the probe: targets, durations and sizes, limits, release data, /proc/PID/stat, CLI usage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gomedic.errors import ConfigError, UsageError
from gomedic.probe import releases
from gomedic.probe.bounds import cpu_cap, go_default_gomaxprocs, parse_gomemlimit
from gomedic.probe.procstat import parse_btime, parse_stat_starttime, start_time
from gomedic.probe.target import Endpoint, make_target, parse_duration, parse_size
from gomedic.probe.window import quantile
from tests.support.goservice import REPO_SRC
from tests.support.systools import system_path


def test_base_url_discovers_all_three() -> None:
    t = make_target("http://127.0.0.1:9100/")
    assert [(e, u, x) for e, u, x in t.urls] == [
        (Endpoint.METRICS, "http://127.0.0.1:9100/metrics", False),
        (Endpoint.EXPVAR, "http://127.0.0.1:9100/debug/vars", False),
        (Endpoint.PPROF, "http://127.0.0.1:9100/debug/pprof/goroutine", False),
    ]


def test_endpoint_url_and_explicit_urls() -> None:
    t = make_target("http://h:1/prefix/metrics", pprof="http://h:2/debug/pprof/goroutine")
    assert [(e.value, u, x) for e, u, x in t.urls] == [
        ("metrics", "http://h:1/prefix/metrics", True), ("pprof", "http://h:2/debug/pprof/goroutine", True)]
    assert make_target(None, pid=1).urls == ()


@pytest.mark.parametrize("bad", [dict(url=None), dict(url="ftp://x/"), dict(url="http://h:99999/"),
                                 dict(url="http://h/", pid=0), dict(url="http://h/", timeout_s=0)])
def test_bad_targets(bad: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        make_target(**bad)  # type: ignore[arg-type]


def test_durations_and_sizes() -> None:
    assert parse_duration("30s") == 30 and parse_duration("500ms") == 0.5 and parse_duration("2m") == 120
    assert parse_duration("0") == 0 and parse_duration("1.5") == 1.5
    assert parse_size("16MiB") == 16 << 20 and parse_size("512k") == 512 << 10 and parse_size("4096") == 4096
    for bad in ("-1s", "1d", "abc", "2h"):
        with pytest.raises(UsageError):
            parse_duration(bad)
    for bad in ("1", "1.5MiB", "lots"):
        with pytest.raises(UsageError):
            parse_size(bad)


def test_gomemlimit_syntax() -> None:
    assert parse_gomemlimit("64MiB") == 64 << 20
    assert parse_gomemlimit("1073741824") == 1 << 30
    assert parse_gomemlimit("2GiB") == 2 << 30
    assert parse_gomemlimit("off") is None and parse_gomemlimit("64MB") is None and parse_gomemlimit("") is None
    assert parse_gomemlimit("9223372036854775807") is None  # math.MaxInt64: the unset value


def test_cpu_cap_and_go_default() -> None:
    assert cpu_cap(8, None) == 8 and cpu_cap(8, 0.5) == 2 and cpu_cap(8, 2.5) == 3 and cpu_cap(1, 0.5) == 1
    assert go_default_gomaxprocs("go1.25.0", "", "", 8, 2.0)[0] == 2
    n, why = go_default_gomaxprocs("go1.27.3", "containermaxprocs=0,x=1", "", 8, 2.0)
    assert n == 8 and "containermaxprocs=0" in why
    n, why = go_default_gomaxprocs("go1.22.10", "", "", 8, 2.0)
    assert n == 8 and "predates" in why
    assert go_default_gomaxprocs("go1.27.3", "", "containermaxprocs=0", 8, 0.5)[0] == 8
    assert go_default_gomaxprocs("go1.27.3", "", "", 4, None)[0] == 4
    assert go_default_gomaxprocs("go1.27.3", "", "", None, None)[0] is None


def test_release_data_is_valid_and_validated() -> None:
    data = releases.load()
    assert len(data.supported) == data.supported_minors
    good = {"schema": "gomedic/go-releases/v1", "as_of": "2026-01-01", "supported_minors": 2,
            "latest": {"27": "27.3"}}
    with pytest.raises(ConfigError, match=r"latest\.27"):
        releases.parse(good, source="x.json")
    for broken in ({**good, "schema": "v0"}, {**good, "supported_minors": 0}, {**good, "latest": {}},
                   {**good, "latest": {"1.27": "1.26.1"}}, {**good, "latest": {"1.27": "1.27.3"}, "as_of": 1}):
        with pytest.raises(ConfigError):
            releases.parse(broken)
    ok = releases.parse({**good, "latest": {"1.27": "1.27.3", "1.26": "1.26.6", "1.25": "1.25.5"}})
    assert releases.judge("go1.25.5", ok).support is releases.Support.UNSUPPORTED
    assert releases.judge("go1.26.1", ok).support is releases.Support.OLD_PATCH
    assert releases.judge("go1.27.3", ok).support is releases.Support.CURRENT
    assert releases.judge("go1.28.0", ok).support is releases.Support.CURRENT
    assert releases.judge("devel go1.28-abc", ok).support is releases.Support.UNKNOWN


def test_stat_of_this_process() -> None:
    text = Path("/proc/self/stat").read_text()
    assert parse_stat_starttime(text) is not None
    assert parse_btime(Path("/proc/stat").read_text()) is not None
    started = start_time(os.getpid())
    assert started is not None and started <= __import__("time").time()
    assert parse_stat_starttime("1 (a) b c) S 1 2 3") is None
    assert parse_stat_starttime("no paren") is None


@given(st.text(max_size=400))
def test_stat_parser_never_crashes(text: str) -> None:
    v = parse_stat_starttime(text)
    assert v is None or v >= 0
    parse_btime(text)


def test_quantile() -> None:
    assert quantile([3.0, 1.0, 2.0], 0.5) == 2.0 and quantile([5.0], 0.99) == 5.0
    assert quantile([float(i) for i in range(1, 101)], 0.99) == 99.0


def _gomedic(*args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": system_path(), "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_SRC),
                                                                             os.environ.get("PYTHONPATH")]))}
    return subprocess.run([sys.executable, "-m", "gomedic", *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("args", [["--window", "soon"], ["--set", "runtime.nope.x=1"],
                                  ["--set", "runtime.goroutines.max=lots"], ["--pid", "999999999"],
                                  ["--skip", "runtime.nope"]])
def test_usage_errors_exit_2(args: list[str]) -> None:
    p = _gomedic("probe", "http://127.0.0.1:1", "--window", "0", *args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.startswith("gomedic: error:")


def test_explain_and_list() -> None:
    p = _gomedic("explain", "runtime.goroutines")
    assert p.returncode == 0 and "runtime.goroutines.growth_per_min = 1000" in p.stdout
    assert "debug/pprof/goroutine?debug=1" in p.stdout
    p = _gomedic("list", "--area", "runtime")
    ids = [line.split()[0] for line in p.stdout.splitlines()]
    assert ids == ["runtime.reachable", "runtime.goroutines", "runtime.heap", "runtime.gc", "runtime.fds",
                   "runtime.threads", "runtime.gomaxprocs", "runtime.go-release"]
