"""probe.fetch against real misbehaving servers on loopback: every failure is a FetchError of the right kind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gomedic.probe.fetch import FetchError, FetchFailure, fetch
from tests.support.cli import free_port
from tests.support.hostile_http import HostileServer


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[HostileServer]:
    kw = dict(request.param) if isinstance(request.param, dict) else {"mode": request.param}
    s = HostileServer(**kw)
    yield s
    s.close()


def _fail(url: str, **kw: object) -> FetchError:
    with pytest.raises(FetchError) as e:
        fetch(url, **kw)  # type: ignore[arg-type]
    return e.value


def test_refused() -> None:
    err = _fail(f"http://127.0.0.1:{free_port()}/metrics", timeout=2)
    assert err.kind is FetchFailure.REFUSED
    assert "connection refused" in str(err)


@pytest.mark.parametrize("server", ["hang", "drip"], indirect=True)
def test_hang_and_drip_end_at_the_deadline(server: HostileServer) -> None:
    # The drip server never stops sending header bytes: only the watchdog ends the request.
    err = _fail(server.url + "/metrics", timeout=1)
    assert err.kind is FetchFailure.TIMEOUT
    assert "within 1s" in str(err)


@pytest.mark.parametrize("server", ["huge"], indirect=True)
def test_endless_body_is_cut_at_the_cap(server: HostileServer) -> None:
    err = _fail(server.url + "/metrics", timeout=10, max_bytes=1 << 20)
    assert err.kind is FetchFailure.TOO_LARGE
    assert "1048576-byte cap" in str(err)


@pytest.mark.parametrize("server", ["huge"], indirect=True)
def test_partial_body_when_allowed(server: HostileServer) -> None:
    got = fetch(server.url + "/x", timeout=10, max_bytes=1 << 16, allow_partial=True)
    assert got.truncated
    assert len(got.body) == 1 << 16
    assert got.body.startswith(b"go_memstats_alloc_bytes 1\n")


@pytest.mark.parametrize("server", ["gzipbomb"], indirect=True)
def test_gzip_bomb_is_inflated_under_the_cap(server: HostileServer) -> None:
    err = _fail(server.url + "/metrics", timeout=10, max_bytes=4 << 20)
    assert err.kind is FetchFailure.TOO_LARGE


@pytest.mark.parametrize("server", [{"mode": "status", "code": 503}], indirect=True)
def test_http_error_status(server: HostileServer) -> None:
    err = _fail(server.url + "/metrics", timeout=2)
    assert err.kind is FetchFailure.HTTP_STATUS
    assert err.status == 503
    assert "HTTP 503" in str(err)


def test_redirect_to_another_host_is_not_followed() -> None:
    target = HostileServer("slow")
    port = target.url.rsplit(":", 1)[1]
    s = HostileServer("redirect", location=f"http://127.0.0.2:{port}/metrics")
    try:
        err = _fail(s.url + "/metrics", timeout=2)
        assert err.kind is FetchFailure.REDIRECT
        assert "127.0.0.2" in str(err) and "not followed" in str(err)
    finally:
        s.close()
        target.close()


def test_redirect_on_the_same_host_is_followed() -> None:
    s = HostileServer("redirect", location="/elsewhere")
    try:
        # The same server answers the target with another redirect: the hop limit ends it.
        err = _fail(s.url + "/metrics", timeout=2)
        assert err.kind is FetchFailure.REDIRECT
        assert "more than 3 redirects" in str(err)
    finally:
        s.close()


@pytest.mark.parametrize("server", [{"mode": "slow", "delay": 0.3}], indirect=True)
def test_good_answer(server: HostileServer) -> None:
    got = fetch(server.url + "/metrics", timeout=5)
    assert got.status == 200
    assert got.body == b"go_goroutines 7\ngo_threads 5\n"
    assert got.content_type.startswith("text/plain")
    assert not got.truncated


def test_bad_url() -> None:
    assert _fail("ftp://127.0.0.1/x").kind is FetchFailure.BAD_URL
