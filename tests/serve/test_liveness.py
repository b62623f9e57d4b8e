"""Health semantics: /-/healthy is liveness (the server and its scheduler), /healthz the node's verdict.

A failing check on the node must not get the exporter restarted: liveness stays 200 while the metric
(and the alert built on it, tests/fleet/test_prometheus_e2e.py) reports the failure. Liveness fails only
when the scheduler is dead, here by killing a job's schedule task for real inside a running server."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gomedic.serve.app import App
from gomedic.serve.config import JobSpec, ServeConfig
from gomedic.serve.run import serve
from gomedic.serve.state import Cache
from tests.serve.conftest import Served

pytestmark = pytest.mark.slow


def test_failing_check_keeps_liveness_while_the_metric_says_fail(failing_serve: Served) -> None:
    s = failing_serve  # no go on PATH: toolchain.go-on-path (critical) fails for real
    status = {smp.labels["id"]: smp.value for fam in text_string_to_metric_families(s.get("/metrics")[1].decode())
              if fam.name == "gomedic_check_status" for smp in fam.samples}
    assert status["toolchain.go-on-path"] == 2
    assert s.get("/-/healthy")[:2] == (200, b"healthy\n")  # the kubelet does not restart it
    assert s.get("/-/ready")[0] == 200
    assert s.get("/healthz")[:2] == (503, b"unhealthy\ntoolchain: exit 1: toolchain.go-on-path\n")


async def _get(port: int, path: str) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def _scheduler_dies() -> list[tuple[int, bytes]]:
    cfg = ServeConfig((JobSpec("tc", "check", ("--area", "toolchain"), 10.0, 10.0),))
    app = App(Cache(cfg))
    port: asyncio.Future[int] = asyncio.get_running_loop().create_future()
    server = asyncio.create_task(serve(app, "127.0.0.1", 0, ready=port.set_result))
    try:
        p = await asyncio.wait_for(port, 30)
        for _ in range(300):  # the first run ends (its report or its error)
            if app.cache.get("tc").last_attempt is not None:
                break
            await asyncio.sleep(0.1)
        seen = [await _get(p, "/-/healthy")]
        job = next(t for t in asyncio.all_tasks() if t.get_name() == "job:tc")
        job.cancel()  # the job's schedule ends, as if its task had died
        await asyncio.gather(job, return_exceptions=True)
        seen += [await _get(p, "/-/healthy"), await _get(p, "/healthz")]
        return seen
    finally:
        server.cancel()
        await asyncio.gather(server, return_exceptions=True)


def test_liveness_fails_when_the_scheduler_dies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    alive, dead, verdict = asyncio.run(_scheduler_dies())
    assert alive == (200, b"healthy\n")
    assert dead == (503, b"unhealthy: scheduler\njob:tc: the schedule stopped (cancelled)\n")
    assert verdict[0] in (200, 503)  # the node's verdict is still served from the cache
