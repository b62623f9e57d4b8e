"""Listening ports: which ones a service names, and who holds them now.

`ports_in_args` / `ports_in_env` (pure) find ports in flags and variables whose name says listen, addr,
bind or port (`--listen :8080`, `-addr=127.0.0.1:80`, `PORT=8080`, `HTTP_ADDR=[::]:443`).
`parse_proc_net_tcp` (pure) reads /proc/net/tcp{,6}; `listeners(root)` maps port -> socket inodes,
`holders(inodes)` names the processes that own them (needs permission to read /proc/<pid>/fd).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from gomedic.facts.door import HOST_READER, Reader
from gomedic.values import frozen

_NAME = re.compile(r"(listen|addr|address|bind|port)", re.IGNORECASE)
_ADDR = re.compile(r"^(?:[A-Za-z]+://)?(?:\[[0-9A-Fa-f:.]*\]|[A-Za-z0-9_.\-]*)?:(\d{1,5})/?$", re.ASCII)
MAX_SCAN = 65536


@frozen
class NamedPort:
    port: int
    origin: str  # e.g. "ExecStart --listen", "Environment PORT"


def _port_of(value: str, bare_ok: bool) -> int | None:
    v = value.strip().strip("\"'")
    m = _ADDR.match(v)
    if m:
        p = int(m.group(1))
    elif bare_ok and v.isdecimal():
        p = int(v)
    else:
        return None
    return p if 0 < p < 65536 else None


BIND_HOSTS = ("", "0.0.0.0", "[::]", "127.0.0.1", "[::1]", "localhost")


def ports_in_args(argv: Iterable[str]) -> list[NamedPort]:
    """Ports named by listen-like flags, and positional bind addresses (`:8080`, `0.0.0.0:80`).

    The value of any other flag (`--db host:5432`) is a place to connect to, not a port to listen on."""
    out: list[NamedPort] = []
    args = list(argv)[1:]
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
            continue
        if a.startswith("-"):
            flag, sep, val = a.partition("=")
            if not sep and i + 1 < len(args) and not args[i + 1].startswith("-"):
                val, skip = args[i + 1], True
            if not _NAME.search(flag):
                continue
            p = _port_of(val, bare_ok="port" in flag.lower())
            if p is not None:
                out.append(NamedPort(p, f"ExecStart {flag}"))
            continue
        host, _, _ = a.rpartition(":")
        p = _port_of(a, bare_ok=False)
        if p is not None and host in BIND_HOSTS:
            out.append(NamedPort(p, f"ExecStart argument {a}"))
    return out


def ports_in_env(env: Mapping[str, str]) -> list[NamedPort]:
    out: list[NamedPort] = []
    for k, v in env.items():
        if _NAME.search(k):
            p = _port_of(v, bare_ok="PORT" in k.upper())
            if p is not None:
                out.append(NamedPort(p, f"Environment {k}"))
    return out


@frozen
class Socket:
    port: int
    address: str
    inode: int


def _addr(hexaddr: str) -> str:
    if len(hexaddr) == 8:
        b = bytes.fromhex(hexaddr)[::-1]
        return ".".join(str(x) for x in b)
    words = [bytes.fromhex(hexaddr[i : i + 8])[::-1].hex() for i in range(0, 32, 8)]
    full = "".join(words)
    return ":".join(full[i : i + 4] for i in range(0, 32, 4))


def parse_proc_net_tcp(text: str) -> list[Socket]:
    """LISTEN (state 0A) sockets of /proc/net/tcp or tcp6."""
    out: list[Socket] = []
    for line in text.splitlines()[1:MAX_SCAN]:
        f = line.split()
        if len(f) < 10 or f[3] != "0A":
            continue
        local = f[1]
        a, _, p = local.partition(":")
        try:
            out.append(Socket(int(p, 16), _addr(a), int(f[9])))
        except ValueError:
            continue
    return out


def listeners(root: Path, reader: Reader = HOST_READER) -> dict[int, list[Socket]]:
    by_port: dict[int, list[Socket]] = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        for s in parse_proc_net_tcp(reader.text(root, name, 1 << 24) or ""):
            by_port.setdefault(s.port, []).append(s)
    return by_port


def holders(inodes: set[int], root: Path = Path("/"), reader: Reader = HOST_READER) -> list[tuple[int, str]]:
    """(pid, command name) of processes holding these socket inodes (those whose fds we may read)."""
    want = {f"socket:[{i}]" for i in inodes}
    found: list[tuple[int, str]] = []
    try:
        pids = [int(d) for d in reader.listdir(root, "/proc") if d.isdecimal()]
    except OSError:
        return found
    for pid in pids[:MAX_SCAN]:
        fd_dir = f"/proc/{pid}/fd"
        try:
            for fd in reader.listdir(root, fd_dir):
                try:
                    if reader.readlink(root, f"{fd_dir}/{fd}") in want:
                        comm = (reader.text(root, f"/proc/{pid}/comm") or "?").strip()
                        found.append((pid, comm))
                        break
                except OSError:
                    continue
        except OSError:
            continue
    return found
