"""Under 200 back-to-back keep-alive scrapers and 500 slow/idle clients at once (from another address), a real
`gomedic serve` keeps answering /-/healthy and /healthz with no errors and at most 60 MiB of memory.
(Latencies are measured by bench/serve_load.py and reported in bench/README.md; tests assert no timings.)"""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest

from tests.serve.conftest import start_serve

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench" / "serve_load.py"


def bench_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("serve_load", BENCH)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["serve_load"] = mod  # dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_healthz_holds_under_scrapes_and_slow_clients(tmp_path: Path) -> None:
    bench = bench_module()
    bench.raise_nofile()
    s = start_serve(tmp_path, "jobs: [{name: tc, command: check, args: [--area, toolchain], every: 10s}]\n")
    try:
        s.wait_ready()
        st = asyncio.run(bench.load("127.0.0.1", s.port, scrapers=200, slow=500, duration=6.0, pid=s.proc.pid,
                                    slow_interval=1.0, probe_timeout=10.0))
        alive = s.proc.poll() is None
    finally:
        s.stop()
    assert alive
    assert st.slow_open >= 500 and st.slow_refused == 0
    assert st.scrape_errors == 0, st.errors
    assert st.scrapes > 200
    assert st.probe_errors == 0, st.errors
    # Liveness is 200 while the job fails (no go on PATH), and the node's verdict says 503: both answered.
    assert st.probes >= 6 and set(st.probe_codes) == {"/-/healthy 200", "/healthz 503"}, st.probe_codes
    assert st.rss_kb, "no RSS samples"
    assert max(st.rss_kb) <= 60 * 1024, f"RSS grew to {max(st.rss_kb) // 1024} MB"
