"""Whether a program can tell systemd it is ready (sd_notify): what `Type=notify` needs.

Evidence, strongest first: a module that implements it in the Go build info (github.com/coreos/go-systemd,
...), functions of such packages in the symbol table, the string NOTIFY_SOCKET in the file (a hand-written
notifier, or libsystemd's sd_notify in a cgo binary). The binary is read, never run.
"""

from __future__ import annotations

import os

from gomedic.values import frozen

NOTIFY_MODULES = ("github.com/coreos/go-systemd", "github.com/okzk/sdnotify", "github.com/iguanesolutions/go-systemd",
                  "github.com/mdlayher/sdnotify", "github.com/ssgreg/sdnotify")
NOTIFY_FUNCS = ("github.com/coreos/go-systemd/daemon.SdNotify", "github.com/coreos/go-systemd/v22/daemon.SdNotify")
NEEDLES = (b"NOTIFY_SOCKET", b"sd_notify")
CHUNK = 1 << 20
MAX_SCAN = 512 << 20


@frozen
class NotifySupport:
    path: str
    found: bool
    how: str  # what was found, or what was looked for


def scan(path: str, needles: tuple[bytes, ...] = NEEDLES) -> bytes | None:
    """The first needle in the file (read in chunks, at most MAX_SCAN bytes), or None."""
    keep = max(len(n) for n in needles) - 1
    tail = b""
    read = 0
    with open(path, "rb") as fh:
        while read < MAX_SCAN:
            chunk = fh.read(CHUNK)
            if not chunk:
                return None
            buf = tail + chunk
            for n in needles:
                if n in buf:
                    return n
            tail = buf[-keep:]
            read += len(chunk)
    return None


def notify_support(path: str) -> NotifySupport:
    from gomedic.binfmt.gosyms import uses
    from gomedic.binfmt.inspect import inspect

    ins = inspect(path)
    if ins.buildinfo is not None:
        for m in ins.buildinfo.deps:
            if m.path.startswith(NOTIFY_MODULES):
                return NotifySupport(path, True, f"module {m.path} {m.version} in its build info")
    found = uses(path, NOTIFY_FUNCS) if ins.is_go else None
    if found and any(found.values()):
        return NotifySupport(path, True, "daemon.SdNotify in its symbol table")
    try:
        needle = scan(os.fspath(path))
    except OSError as e:
        return NotifySupport(path, False, f"could not read it: {e.strerror}")
    if needle:
        return NotifySupport(path, True, f"the string {needle.decode()} in the file")
    return NotifySupport(path, False, "no go-systemd (or other sd_notify) module, no daemon.SdNotify, no "
                         "NOTIFY_SOCKET or sd_notify string")
