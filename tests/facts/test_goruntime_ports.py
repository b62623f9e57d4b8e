"""Pure helpers of the host/service checks: GOMAXPROCS prediction, GOMEMLIMIT, ports, passwd; fuzzed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.facts.accounts import parse_group, parse_passwd
from gomedic.facts.goruntime import cgroup_aware, godebug_value, parse_gomemlimit, predict_gomaxprocs
from gomedic.facts.ports import listeners, parse_proc_net_tcp, ports_in_args, ports_in_env
from tests.support.hostfixtures import listener


def test_gomaxprocs_prediction() -> None:
    assert cgroup_aware("go1.24.11", "", "")[0] is False
    assert cgroup_aware("go1.25.5", "", "")[0] is True
    assert cgroup_aware("go1.25.5", "containermaxprocs=0,updatemaxprocs=0", "")[0] is False
    assert cgroup_aware("go1.27.3", "", "x=1,containermaxprocs=0")[0] is False
    assert cgroup_aware(None, "", "")[0] is None and cgroup_aware("devel", "", "")[0] is None
    assert predict_gomaxprocs(16, 1.5, None, False).value == 16
    assert predict_gomaxprocs(16, 1.5, None, True).value == 2
    assert predict_gomaxprocs(16, 0.25, None, True).value == 2
    assert predict_gomaxprocs(16, 6.2, None, True).value == 7
    assert predict_gomaxprocs(1, 0.5, None, True).value == 1
    assert predict_gomaxprocs(16, 1.5, "3", False).value == 3
    assert predict_gomaxprocs(16, None, "0", True).value == 16
    assert godebug_value("a=1,containermaxprocs=0,containermaxprocs=1", "containermaxprocs") == "1"


def test_gomemlimit() -> None:
    assert parse_gomemlimit("460MiB") == 460 << 20
    assert parse_gomemlimit("1073741824") == 1 << 30
    assert parse_gomemlimit("off") is None
    for bad in ("12x", "1 GB", "٣MiB", "-1"):
        with pytest.raises(ValueError):
            parse_gomemlimit(bad)


def test_ports() -> None:
    argv = ("/bin/app", "--listen", ":8080", "-addr=127.0.0.1:80", "--port", "9000", "--config", "/x:1",
            "[::1]:443", "--db", "host:5432", "db.example:5433", "--verbose")
    assert [(p.port, p.origin) for p in ports_in_args(argv)] == [
        (8080, "ExecStart --listen"), (80, "ExecStart -addr"), (9000, "ExecStart --port"),
        (443, "ExecStart argument [::1]:443")]
    env = {"PORT": "8081", "HTTP_ADDR": "0.0.0.0:8443", "DATABASE_URL": "postgres://h:5432/x", "LISTEN": "99999"}
    assert sorted(p.port for p in ports_in_env(env)) == [8081, 8443]


def test_real_listener_is_seen() -> None:
    with listener() as port:
        socks = listeners(Path("/")).get(port, [])
        assert socks and socks[0].address == "127.0.0.1"
    text = ("  sl  local_address rem_address   st\n"
            "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12345\n"
            "   1: 0100007F:1F91 00000000:0000 01 00000000:00000000 00:00000000 00000000     0        0 1\n")
    assert [(s.port, s.address, s.inode) for s in parse_proc_net_tcp(text)] == [(8080, "127.0.0.1", 12345)]


def test_passwd_group() -> None:
    assert parse_passwd("a:x:1:2::/h:/bin/sh\nbad\nb:x:¹:2::/:/\n") == {"a": (1, 2, "/h", "/bin/sh")}
    assert parse_group("g:x:5:a,b\n") == {"g": (5, ("a", "b"))}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_never_raise(s: str) -> None:
    try:
        parse_gomemlimit(s)
    except ValueError:
        pass
    godebug_value(s, "containermaxprocs")
    predict_gomaxprocs(4, 1.5, s, True)
    cgroup_aware(s, s, s)
    ports_in_args(("x", *s.split()))
    ports_in_env({s: s, "PORT": s})
    parse_proc_net_tcp(s)
    parse_passwd(s)
    parse_group(s)


def test_gomaxprocs_only_as_the_runtime_reads_it() -> None:
    """The runtime's atoi32: digits only, within int32; anything else is ignored (the default applies)."""
    assert predict_gomaxprocs(4, None, "3", False).value == 3
    for ignored in (" 3", "3 ", "+3", "-3", "0", "0\x1f", "3.0", str(1 << 31)):
        assert predict_gomaxprocs(4, None, ignored, False).value == 4, ignored
