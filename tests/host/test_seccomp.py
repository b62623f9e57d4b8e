"""host.seccomp under a real seccomp filter: gomedic runs in a process that installed one (EPERM for
faccessat2, as old Docker/runc profiles did). clone3 is left alone: blocking it would stop every thread."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.cli import validate_report
from tests.support.hostfixtures import REPO_SRC
from tests.support.systools import system_path

WRAPPER = r"""
import ctypes, os, struct, sys
libc = ctypes.CDLL(None, use_errno=True)
EPERM, NR = 1, int(sys.argv[1])
# BPF: A = seccomp_data.nr; if A == NR return ERRNO|EPERM; else return ALLOW
prog = [(0x20, 0, 0, 0), (0x15, 0, 1, NR), (0x06, 0, 0, 0x00050000 | EPERM), (0x06, 0, 0, 0x7FFF0000)]
raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
buf = ctypes.create_string_buffer(raw)
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
fprog = Fprog(len(prog), ctypes.addressof(buf))
assert libc.prctl(38, 1, 0, 0, 0) == 0  # PR_SET_NO_NEW_PRIVS
assert libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) == 0, ctypes.get_errno()  # PR_SET_SECCOMP, FILTER
os.execv(sys.executable, [sys.executable, "-m", "gomedic", *sys.argv[2:]])
"""


def run_filtered(nr: int) -> dict[str, object]:
    env = {"PATH": system_path(), "PYTHONPATH": str(REPO_SRC), "HOME": "/root"}
    p = subprocess.run([sys.executable, "-c", WRAPPER, str(nr), "host", "--area", "host", "--format", "json"],
                       env=env, capture_output=True, text=True, timeout=120)
    doc = validate_report(json.loads(p.stdout))
    return next(r for r in doc["results"] if r["id"] == "host.seccomp")


def test_filter_returning_eperm_for_faccessat2_is_reported() -> None:
    r = run_filtered(439)
    assert r["status"] == "warn", r
    assert r["evidence"]["Seccomp"] == "2" and r["evidence"]["faccessat2"] == "EPERM"
    assert r["evidence"]["clone3"] != "EPERM"
    assert "EPERM for faccessat2" in r["summary"]


def test_filter_that_blocks_neither_is_ok() -> None:
    r = run_filtered(0xFFFF)  # no such syscall: the filter is active but harmless
    assert r["status"] == "ok" and r["evidence"]["Seccomp"] == "2"
    assert "not blocked" in r["summary"]
