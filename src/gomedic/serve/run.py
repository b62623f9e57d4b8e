"""Running the exporter: the event loop (uvloop when installed), the listening socket, the connection sweeper,
the scheduler, and a graceful stop on SIGTERM/SIGINT (then the signal is re-raised, so the exit status
says "terminated" as systemd and the kubelet expect)."""

from __future__ import annotations

import asyncio
import gc
import os
import resource
import signal
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any

from gomedic.errors import UsageError
from gomedic.serve.app import App
from gomedic.serve.httpd import SWEEP_S, Conn, Server

FD_RESERVE = 64  # descriptors kept for jobs, logs and the listening socket


def connection_budget(wanted: int) -> int:
    """`wanted`, lowered to what the open-files limit allows (raised to its hard limit first)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard and soft != resource.RLIM_INFINITY:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):
            pass
    return max(1, min(wanted, int(soft) - FD_RESERVE))


async def serve(app: App, host: str, port: int, ready: Callable[[int], None] | None = None) -> int:
    """Serve until SIGTERM/SIGINT; the signal number that stopped it."""
    loop = asyncio.get_running_loop()
    limits = app.cache.config.http
    server = Server(app.respond, limits, connection_budget(limits.connections))
    try:
        listener = await loop.create_server(lambda: Conn(server), host, port, backlog=2048, reuse_address=True)
    except OSError as e:
        raise UsageError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    stopped: asyncio.Future[int] = loop.create_future()

    def on_signal(signum: int) -> None:
        if not stopped.done():
            stopped.set_result(signum)

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, int(sig))

    def sweep() -> None:
        server.sweep(time.monotonic())  # connection deadlines are on time.monotonic()
        handle[0] = loop.call_later(SWEEP_S, sweep)

    handle = [loop.call_later(SWEEP_S, sweep)]
    if app.start_jobs:
        app.scheduler.start()
    # Import what the first scrape would (renderers), then move every object alive now out of the garbage
    # collector's reach: its full passes then scan only what requests create, not the ~15,000 objects of
    # the loaded modules (a full pass over those costs ~10 ms of CPU, a probe's whole budget on a busy host).
    app.cache.metrics()
    app.cache.report_json()
    gc.freeze()
    if ready is not None:
        ready(listener.sockets[0].getsockname()[1])
    try:
        return await stopped
    finally:
        gc.unfreeze()
        handle[0].cancel()
        listener.close()
        server.close_all()
        await app.scheduler.stop()


def run_forever(app: App, host: str, port: int) -> int:
    """Run the exporter in this process until a signal; re-raises that signal after a clean stop."""
    main: Coroutine[Any, Any, int] = serve(app, host, port)
    try:
        import uvloop  # optional (gomedic[serve]): faster sockets
    except ImportError:
        signum = asyncio.run(main)
    else:
        signum = uvloop.run(main)
    sys.stderr.flush()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    return 128 + signum
