"""Debian's prometheus-node-exporter (a real client_golang service, Go 1.19) on loopback: the probe reads
go_*/process_* metrics, and fds/goroutines flip as the test holds connections open against it."""

from __future__ import annotations

import resource
import socket
from collections.abc import Iterator

import pytest

from tests.support.goservice import Service, gomedic_probe, start_node_exporter


@pytest.fixture
def small_exporter() -> Iterator[Service]:
    svc = start_node_exporter(rlimits={resource.RLIMIT_NOFILE: (64, 64)})
    yield svc
    svc.stop()


def _hold(url: str, n: int) -> list[socket.socket]:
    port = int(url.rsplit(":", 1)[1])
    conns = []
    for _ in range(n):
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        c.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive: the server keeps the conn
        conns.append(c)
    for c in conns:
        c.recv(1)  # each was accepted and answered
    return conns


def test_node_exporter_metrics(node_exporter: Service) -> None:
    run = gomedic_probe(node_exporter.url, "--pid", str(node_exporter.pid), "--window", "1s")
    assert run.status("runtime.reachable") == "ok"
    g = run.result("runtime.goroutines")
    assert g["status"] == "ok" and "(metrics)" in g["summary"]
    rel = run.result("runtime.go-release")
    assert rel["status"] == "warn" and "go1.19.8 (go_info in /metrics) is no longer supported" in rel["summary"]
    assert "rebuild with go1." in rel["fix"]
    assert run.result("runtime.gomaxprocs")["evidence"]["GOMAXPROCS"] != "unknown"
    assert run.status("runtime.gc") in ("ok", "skip")
    assert run.result("runtime.threads")["status"] == "ok"


def test_fds_and_goroutines_flip_from_metrics(small_exporter: Service) -> None:
    # No --pid: process_open_fds / process_max_fds and go_goroutines come from /metrics alone.
    args = (small_exporter.url, "--window", "0", "--set", "runtime.goroutines.warn=40")
    run = gomedic_probe(*args)
    fds = run.result("runtime.fds")
    assert fds["status"] == "ok" and "of 64 file descriptors" in fds["summary"] and "(metrics)" in fds["evidence"][
        "open fds"]
    conns = _hold(small_exporter.url, 50)
    try:
        run = gomedic_probe(*args)
        assert run.status("runtime.fds") in ("warn", "fail"), run.result("runtime.fds")
        assert run.status("runtime.goroutines") == "warn"
    finally:
        for c in conns:
            c.close()
    for _ in range(50):  # the server notices the closed connections asynchronously
        run = gomedic_probe(*args)
        if run.status("runtime.fds") == "ok":
            break
    assert run.status("runtime.fds") == "ok"
    assert run.status("runtime.goroutines") == "ok"
