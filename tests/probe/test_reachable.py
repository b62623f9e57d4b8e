"""`gomedic probe` against endpoints that refuse, hang, drip, answer slowly, return garbage or a gigantic
body: runtime.reachable fails (or warns) with the reason, within the timeout, with bounded memory."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.cli import free_port, gomedic_peak_rss
from tests.support.goservice import Service, gomedic_probe
from tests.support.hostile_http import HostileServer
from tests.support.systools import system_path


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    kw = dict(request.param) if isinstance(request.param, dict) else {"mode": request.param}
    s = HostileServer(**kw)
    yield s
    s.close()


def _reachable(*args: str) -> dict[str, str]:
    # The subprocess timeout bounds the run: a probe that did not honour --timeout would hang here.
    run = gomedic_probe(*args, "--window", "0", "--timeout", "1s", timeout=60)
    assert run.returncode in (0, 1), run.stderr
    return run.result("runtime.reachable")


def test_refused() -> None:
    r = _reachable(f"http://127.0.0.1:{free_port()}")
    assert r["status"] == "fail"
    assert "connection refused" in r["summary"]
    assert "ss -ltnp" in (r["fix"] or "")


@pytest.mark.parametrize("server", ["hang", "drip"], indirect=True)
def test_hang_and_drip(server: HostileServer) -> None:
    r = _reachable(server.url)
    assert r["status"] == "fail"
    assert "no complete answer within 1s" in r["summary"]


@pytest.mark.parametrize("server", ["garbage"], indirect=True)
def test_garbage(server: HostileServer) -> None:
    r = _reachable(server.url)
    assert r["status"] == "fail"
    assert "returned garbage" in r["summary"] and "not Prometheus text" in r["summary"]
    assert "not expvar JSON" in r["summary"]


@pytest.mark.parametrize("server", ["html"], indirect=True)
def test_landing_page_everywhere_means_nothing_offered(server: HostileServer) -> None:
    r = _reachable(server.url)
    assert r["status"] == "fail"
    assert "HTML page" in r["summary"]


@pytest.mark.parametrize("server", [{"mode": "slow", "delay": 0.6}], indirect=True)
def test_slow_but_in_time_warns(server: HostileServer) -> None:
    run = gomedic_probe(server.url + "/metrics", "--window", "0", "--timeout", "5s",
                        "--set", "runtime.reachable.slow_ms=300")
    r = run.result("runtime.reachable")
    assert r["status"] == "warn", r
    assert "slow answers (over 300 ms)" in r["summary"]
    fast = gomedic_probe(server.url + "/metrics", "--window", "0", "--timeout", "5s")
    assert fast.status("runtime.reachable") == "ok"
    assert fast.status("runtime.goroutines") == "ok"  # go_goroutines 7 was read from that endpoint


@pytest.mark.parametrize("server", [{"mode": "status", "code": 500}], indirect=True)
def test_explicit_endpoint_failing_fails(server: HostileServer, goservice: Service) -> None:
    # expvar of a healthy service answers, but the /metrics URL the user named answers 500.
    run = gomedic_probe(goservice.url + "/debug/vars", "--metrics", server.url + "/metrics", "--window", "0")
    r = run.result("runtime.reachable")
    assert r["status"] == "fail"
    assert "an endpoint you named failed" in r["summary"] and "HTTP 500" in r["summary"]


def test_cross_host_redirect_not_followed() -> None:
    s = HostileServer("redirect", location=f"http://127.0.0.2:{free_port()}/metrics")
    try:
        r = _reachable(s.url + "/metrics")
        assert r["status"] == "fail"
        assert "redirected to another host" in r["summary"]
    finally:
        s.close()


@pytest.mark.parametrize("server", ["huge", "gzipbomb"], indirect=True)
def test_gigantic_body_fails(server: HostileServer) -> None:
    # The server streams without end (or inflates to 64 MiB); the probe stops at --max-body.
    run = gomedic_probe(server.url + "/metrics", "--window", "0", "--timeout", "20s", "--max-body", "2MiB",
                        timeout=90)
    r = run.result("runtime.reachable")
    assert r["status"] == "fail"
    assert "exceeds the 2097152-byte cap" in r["summary"]


def test_gigantic_body_peak_rss_is_bounded() -> None:
    # Measure the probe's own peak RSS while it reads an endless body, against a baseline run.
    s = HostileServer("huge")
    try:
        def peak(url: str) -> int:
            env = {"PATH": system_path()}
            _, kib = gomedic_peak_rss("probe", "--format", "json", url, "--window", "0", "--timeout", "20s",
                                      "--max-body", "4MiB", env=env)
            return kib

        base = peak(f"http://127.0.0.1:{free_port()}")
        huge = peak(s.url + "/metrics")
        # Three endpoints x 4 MiB cap, plus copies while reading: far below what an endless body would cost.
        assert huge - base < 64 * 1024, (base, huge)
    finally:
        s.close()


def test_basic_auth_from_the_url_and_redacted_in_the_report() -> None:
    s = HostileServer("auth", location="probe:s3cret-pw")
    try:
        host = s.url.removeprefix("http://")
        run = gomedic_probe(f"http://probe:s3cret-pw@{host}/metrics", "--window", "0")
        r = run.result("runtime.reachable")
        assert r["status"] == "ok", r
        assert "s3cret-pw" not in run.stdout
        assert "probe:***@" in r["subject"]
        wrong = gomedic_probe(f"http://probe:nope-nope@{host}/metrics", "--window", "0")
        assert wrong.status("runtime.reachable") == "fail" and "HTTP 401" in wrong.stdout
    finally:
        s.close()
