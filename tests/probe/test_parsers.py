"""Parsers on text captured from real Go services, and on hostile variants of it (hypothesis).

The captures come from the test's own goservice (expvar, pprof debug=1/2, with 40 leaked goroutines)
and Debian's node_exporter (client_golang /metrics), fetched live at module start.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.errors import FormatError
from gomedic.probe import expvar, pprof, promtext
from gomedic.probe.fetch import DEFAULT_MAX_BYTES
from gomedic.probe.sample import M, merge
from gomedic.probe.window import between
from tests.support.goservice import start_goservice, start_node_exporter

HYP = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as r:
        return bytes(r.read())


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, bytes]]:
    svc = start_goservice(Path(tmp_path_factory.mktemp("gs")))
    ne = start_node_exporter()
    try:
        svc.ctl("goroutines", n=40)
        yield {
            "vars": _get(svc.url + "/debug/vars"),
            "debug1": _get(svc.url + "/debug/pprof/goroutine?debug=1"),
            "debug2": _get(svc.url + "/debug/pprof/goroutine?debug=2"),
            "metrics": _get(ne.url + "/metrics"),
        }
    finally:
        svc.stop()
        ne.stop()


def test_expvar_real(captured: dict[str, bytes]) -> None:
    v = expvar.parse(captured["vars"])
    assert v.memstats is not None
    assert v.memstats.get("HeapAlloc") and v.memstats.get("Sys")
    assert len(v.memstats.pause_ns) == 256
    assert v.cmdline and "goservice" in v.cmdline[0] and "-addr-file" in v.cmdline
    assert "memstats" in v.names and "cmdline" in v.names


def test_pprof_real(captured: dict[str, bytes]) -> None:
    d1 = pprof.parse(captured["debug1"])
    d2 = pprof.parse(captured["debug2"])
    assert not d1.detailed and d2.detailed
    assert d1.total >= 40 and d2.total >= 40
    # the 40 leaked goroutines share one stack, the most common one, blocked on a channel
    assert d1.top[0].count == 40 and "main.goroutines.func1" in d1.top[0].frames
    assert d2.top[0].count == 40 and d2.top[0].state == "chan receive"
    assert d2.by_state["chan receive"] >= 40
    assert d2.max_wait_minutes == 0  # nothing has waited a minute yet


def test_promtext_real(captured: dict[str, bytes]) -> None:
    p = promtext.parse(captured["metrics"].decode())
    assert p.has_go and p.families > 10
    assert p.label("go_info", "version") == "go1.19.8"
    assert p.value("process_max_fds") and p.value("go_goroutines")
    assert set(p.quantiles("go_gc_duration_seconds")) == {0.0, 0.25, 0.5, 0.75, 1.0}
    assert not any(n.startswith("node_") for n in p.samples)  # only go_/process_ samples are kept


def test_debug2_wait_minutes_and_long_blocked() -> None:
    # The format of a dump from a service up for hours (runtime/traceback.go goroutineheader).
    text = "\n".join([
        "goroutine 1 [IO wait, 95 minutes]:", "internal/poll.runtime_pollWait(0x7f, 0x72)",
        "\t/usr/local/go/src/runtime/netpoll.go:345 +0x85", "",
        "goroutine 7 [chan receive, 42 minutes]:", "main.worker(0xc000010000)", "\t/src/main.go:12 +0x3d",
        "created by main.main in goroutine 1", "\t/src/main.go:30 +0x77", "",
        "goroutine 8 [select, locked to thread]:", "runtime.ensureSigM.func1()", "\t/x.go:1 +0x1", "",
        "goroutine 9 gp=0xc000007a40 m=nil [running]:", "main.main()", "\t/src/main.go:40 +0x1", "",
    ])
    d = pprof.parse(text.encode())
    assert d.total == 4
    assert d.max_wait_minutes == 95
    assert d.blocked_at_least(30) == 2 and d.blocked_at_least(60) == 1
    assert [b.goid for b in d.long_blocked] == [1, 7]
    assert d.long_blocked[1].frame == "main.worker"
    assert d.by_state == {"IO wait": 1, "chan receive": 1, "select": 1, "running": 1}


def test_gzip_profile_is_refused() -> None:
    with pytest.raises(FormatError, match="gzip protobuf"):
        pprof.parse(b"\x1f\x8b\x08\x00rest")


def test_window_from_real_samples(captured: dict[str, bytes]) -> None:
    v = expvar.parse(captured["vars"])
    a = merge(100.0, 1000.0, expvar=v, dump=pprof.parse(captured["debug1"]))
    b = merge(110.0, 1010.0, expvar=v, dump=pprof.parse(captured["debug2"]))
    w = between(a, b)
    assert w is not None and w.seconds == 10.0
    assert w.alloc_bytes_per_s == 0 and w.gcs == 0
    assert a.sources[M.GOROUTINES] == "pprof" and a.sources[M.HEAP_ALLOC] == "expvar"
    assert between(b, a) is None


def _mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    b = bytearray(data)
    for pos, val in edits:
        if b:
            b[pos % len(b)] = val
    return bytes(b)


PARSERS = {
    "metrics": lambda b: promtext.parse(b.decode("utf-8", "replace")),
    "vars": expvar.parse,
    "debug1": pprof.parse,
    "debug2": pprof.parse,
}


@pytest.mark.parametrize("which", list(PARSERS))
@HYP
@given(cut=st.floats(0, 1), edits=st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)), max_size=12))
def test_hostile_variants_never_crash(captured: dict[str, bytes], which: str, cut: float,
                                      edits: list[tuple[int, int]]) -> None:
    data = captured[which]
    variant = _mutate(data[: int(len(data) * cut)], edits)
    try:
        PARSERS[which](variant)
    except FormatError:
        pass


@pytest.mark.parametrize("which", list(PARSERS))
@HYP
@given(blob=st.binary(max_size=4096))
def test_random_bytes_never_crash(which: str, blob: bytes) -> None:
    try:
        PARSERS[which](blob)
    except FormatError:
        pass


@pytest.mark.parametrize("which", ["vars", "debug1", "debug2", "metrics"])
def test_oversized_input_is_bounded(captured: dict[str, bytes], which: str) -> None:
    # Megabytes of repeated real content: parses or refuses, and keeps little of it.
    data = captured[which]
    size = (2 << 20) if which == "metrics" else DEFAULT_MAX_BYTES  # the prometheus parser is slow: ~0.6 s/MiB
    big = data * max(1, size // max(1, len(data)))
    try:
        out = PARSERS[which](big)
    except FormatError:
        return
    if isinstance(out, pprof.GoroutineDump):
        assert len(out.top) <= pprof.TOP


def test_deep_json_nesting() -> None:
    with pytest.raises(FormatError):
        expvar.parse(b"[" * 100000 + b"]" * 100000)
    with pytest.raises(FormatError, match="top level"):
        expvar.parse(b"[1, 2]")
    assert expvar.parse(b'{"memstats": {"PauseNs": "x", "NumGC": -1}}').memstats is None
