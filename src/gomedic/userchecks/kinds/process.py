"""kind: process — whether processes of a name run, how many, and as which user (read from /proc).

    - name: worker-running
      kind: process
      process: worker             # matches the command name (comm), argv[0]'s or the executable's base name
      cmdline: {contains: --queue=jobs}   # optional matcher on the full command line
      running: true               # default true; false asserts none runs
      count: {ge: 2}              # optional matcher on how many match
      user: app                   # optional: every matching process runs as this user (name or uid)
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from gomedic import safeio
from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.matchers import Expect, check, describe
from gomedic.values import frozen

PROC = "/proc"


@frozen
class Proc:
    pid: int
    comm: str
    argv: tuple[str, ...]
    exe: str
    uid: int | None


def parse_uid(status: str) -> int | None:
    """The real uid from the text of /proc/PID/status."""
    for line in status.splitlines():
        if line.startswith("Uid:"):
            parts = line.split()
            return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    return None


def parse_cmdline(raw: bytes) -> tuple[str, ...]:
    return tuple(a.decode("utf-8", "replace") for a in raw.rstrip(b"\0").split(b"\0") if raw)


def _read(path: str, limit: int = 1 << 16) -> bytes:
    return safeio.read_bytes(path, limit)


def scan(root: str = PROC) -> list[Proc]:
    """Every process visible in `root` (processes that exit while being read are left out)."""
    out: list[Proc] = []
    for entry in os.listdir(root):
        if not entry.isdigit():
            continue
        d = f"{root}/{entry}"
        try:
            comm = _read(f"{d}/comm").decode("utf-8", "replace").rstrip("\n")
            argv = parse_cmdline(_read(f"{d}/cmdline"))
            uid = parse_uid(_read(f"{d}/status").decode("utf-8", "replace"))
        except OSError:
            continue
        try:
            exe = os.readlink(f"{d}/exe")
        except OSError:
            exe = ""
        out.append(Proc(int(entry), comm, argv, exe, uid))
    return out


def names_of(p: Proc) -> set[str]:
    names = {p.comm}
    if p.argv:
        names.add(os.path.basename(p.argv[0]))
    if p.exe:
        names.add(os.path.basename(p.exe.removesuffix(" (deleted)")))
    return names


def user_name(uid: int | None) -> str:
    import pwd

    if uid is None:
        return "?"
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return str(uid)


class ProcessCheck(Common, tag="process", frozen=True):
    process: str
    cmdline: Expect | None = None
    running: bool = True
    count: Expect | None = None
    user: str | int | None = None

    DEFAULT_CATEGORY: ClassVar[Category] = Category.RUNTIME

    def default_title(self) -> str:
        return f"process {self.process} {'runs' if self.running else 'does not run'}"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not self.process or "/" in self.process:
            out.append((("process",), "process: a command name (no slashes), e.g. nginx"))
        if not self.running and (self.count is not None or self.user is not None):
            out.append((("running",), "running: false cannot be combined with count or user"))
        return out + matcher_problems("cmdline", self.cmdline) + matcher_problems("count", self.count)


SCHEMA = ProcessCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: ProcessCheck, facts: Facts) -> Finding:
    me = os.getpid()
    found = [
        p for p in scan()
        if p.pid != me and c.process in names_of(p)
        and (c.cmdline is None or check(c.cmdline, " ".join(p.argv)))
    ]
    pids = ", ".join(str(p.pid) for p in found[:20]) + (" ..." if len(found) > 20 else "")
    ev: dict[str, Any] = {"process": c.process, "count": len(found), "pids": pids}
    if not c.running:
        if found:
            return fail(f"{len(found)} {c.process} process(es) run (pid {pids}) but none is declared",
                        fix=c.fix or f"stop {c.process}", **ev)
        return ok(f"no {c.process} process runs, as declared", **ev)
    if not found:
        return fail(f"no {c.process} process runs", fix=c.fix or f"start {c.process} (systemctl start ...)", **ev)
    bad = []
    if c.count is not None and not check(c.count, len(found)):
        bad.append(f"{len(found)} running, expected {describe(c.count)}")
    if c.user is not None:
        want = str(c.user)
        wrong = [p for p in found if want not in (user_name(p.uid), str(p.uid))]
        ev["users"] = ", ".join(sorted({user_name(p.uid) for p in found}))
        if wrong:
            bad.append(f"pid {wrong[0].pid} runs as {user_name(wrong[0].uid)}, not {want}")
    if bad:
        return fail(f"{c.process}: " + "; ".join(bad), fix=c.fix or None, **ev)
    return ok(f"{len(found)} {c.process} process(es) run (pid {pids})", **ev)
