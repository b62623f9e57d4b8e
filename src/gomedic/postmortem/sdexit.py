"""How a unit's main process ended, as systemd says it, and systemd's exit-status table (data/sd_exit.json,
taken from systemd's src/basic/exit-status.c and systemd.exec(5); the file names its sources).

systemd's own messages about a unit (src/core/service.c, src/core/execute.c):

    app.service: Main process exited, code=exited, status=2/INVALIDARGUMENT
    app.service: Main process exited, code=killed, status=9/KILL
    app.service: Failed with result 'oom-kill'.
    app.service: Failed at step EXEC spawning /usr/local/bin/app: No such file or directory
    app.service: Changing to the requested working directory failed: No such file or directory
    app.service: State 'stop-sigterm' timed out. Killing.
    app.service: Start request repeated too quickly.
"""

from __future__ import annotations

import json
import re
import signal
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path

from gomedic.postmortem.lines import LogLine
from gomedic.postmortem.signs import Kind, Sign, Source, make
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from typing import Literal

    ExitClass = Literal["libc", "LSB", "BSD", "systemd"]

DATA = Path(__file__).parent / "data" / "sd_exit.json"
EXIT_CLASSES: tuple[ExitClass, ...] = ("libc", "LSB", "BSD", "systemd")


@frozen
class ExitCode:
    status: int
    name: str
    cls: ExitClass  # which convention defines the code
    description: str


def _exit_class(v: object) -> ExitClass:
    for c in EXIT_CLASSES:
        if v == c:
            return c
    raise ValueError(f"{DATA}: class {v!r} is not one of {', '.join(EXIT_CLASSES)}")


@lru_cache(maxsize=1)
def table() -> Mapping[int, ExitCode]:
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    out: dict[int, ExitCode] = {}
    for row in doc["codes"]:
        code = ExitCode(int(row["status"]), str(row["name"]), _exit_class(row["class"]), str(row["description"]))
        if code.status in out:
            raise ValueError(f"{DATA}: status {code.status} listed twice")
        out[code.status] = code
    return out


def by_name(name: str) -> ExitCode | None:
    n = name.upper()
    return next((c for c in table().values() if c.name == n), None)


def is_systemd_step(status: int) -> bool:
    c = table().get(status)
    return c is not None and c.cls == "systemd" and status != 255


@frozen
class ExitInfo:
    """How the main process ended: code "exited" (status = exit status) or "killed"/"dumped" (status = signal)."""

    code: str
    status: int
    origin: str  # where it was read: "systemctl show", "journal", "--exit-status"

    def label(self) -> str:
        if self.code == "exited":
            c = table().get(self.status)
            return f"exit status {self.status}" + (f"/{c.name}" if c else "")
        return f"killed by {signal_name(self.status)}" + (" (core dumped)" if self.code == "dumped" else "")

    @property
    def signal(self) -> int | None:
        return self.status if self.code in ("killed", "dumped") else None


def signal_name(n: int) -> str:
    try:
        return signal.Signals(n).name
    except ValueError:
        return f"signal {n}"


def signal_number(name: str) -> int | None:
    n = name.upper()
    n = n if n.startswith("SIG") else "SIG" + n
    try:
        return int(signal.Signals[n])
    except KeyError:
        return None


def parse_exit_arg(text: str) -> ExitInfo:
    """`--exit-status` values: `2`, `203`, `203/EXEC`, `137` (a shell's 128+9), `SIGKILL`, `KILL`, `9/KILL`
    with `killed:`. Raises ValueError with what is accepted."""
    t = text.strip()
    num, _, name = t.partition("/")
    if num.isdecimal() and 0 <= int(num) <= 255:
        n = int(num)
        if name and signal_number(name) == n and by_name(name) is None:
            return ExitInfo("killed", n, "--exit-status")
        return ExitInfo("exited", n, "--exit-status")
    sig = signal_number(t)
    if sig is not None:
        return ExitInfo("killed", sig, "--exit-status")
    code = by_name(t)
    if code is not None:
        return ExitInfo("exited", code.status, "--exit-status")
    raise ValueError(f"--exit-status {text!r}: expected a number 0-255 (2, 137, 203/EXEC), a systemd name (EXEC) "
                     "or a signal (SIGKILL)")


def from_show(props: Mapping[str, str]) -> ExitInfo | None:
    """ExecMainCode/ExecMainStatus of `systemctl show` (ExecMainCode: 1 exited, 2 killed, 3 dumped; CLD_*)."""
    code = {"1": "exited", "2": "killed", "3": "dumped"}.get(props.get("ExecMainCode", ""))
    st = props.get("ExecMainStatus", "")
    if code is None or not st.isdecimal():
        return None
    return ExitInfo(code, int(st), "systemctl show")


def parse_show(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines()[:500]:
        k, sep, v = line.partition("=")
        if sep and k.isidentifier():
            out[k] = v
    return out


EXITED_RE = re.compile(r"Main process exited, code=(exited|killed|dumped), status=(\d+)(?:/(\w+))?")
RESULT_RE = re.compile(r"Failed with result '([\w-]+)'")
STEP_RE = re.compile(r"Failed at step (\w+) spawning (\S+): (.+)$")
EXEC_RE = re.compile(r"Failed to execute (?:command|(\S+)): (.+)$")
TIMEOUT_RE = re.compile(r"State '(stop[\w-]*)' timed out\. (Killing|Terminating|Aborting)")
START_TIMEOUT_RE = re.compile(r"start(?:-pre|-post)? operation timed out\. Terminating\.")
SD_OOM_RE = re.compile(r"A process of this unit has been killed by the OOM killer")
STEP_MSGS = (  # what systemd's executor logs before a few step failures (src/core/execute.c)
    (re.compile(r"Changing to the requested working directory failed: (.+)$"), "CHDIR"),
    (re.compile(r"Failed to determine user credentials: (.+)$"), "USER"),
    (re.compile(r"Failed to determine group credentials: (.+)$"), "GROUP"),
)


def recognise(lines: Sequence[LogLine]) -> Iterator[Sign]:
    for ln in lines:
        if ln.source is not Source.SYSTEMD:
            continue
        t = ln.text
        if m := EXITED_RE.search(t):
            st = int(m.group(2))
            yield make(Kind.EXIT, t, ln.source, ln.ts, ln.pid, code=m.group(1), status=str(st), name=m.group(3) or "")
            if m.group(1) == "exited" and is_systemd_step(st):
                yield make(Kind.SYSTEMD_STEP, t, ln.source, ln.ts, ln.pid, status=str(st), step=table()[st].name)
        elif m := RESULT_RE.search(t):
            yield make(Kind.RESULT, t, ln.source, ln.ts, ln.pid, result=m.group(1))
            if m.group(1) == "oom-kill":  # systemd learnt it from the kernel (memory.events oom_kill)
                yield make(Kind.OOM_KILL, t, ln.source, ln.ts, ln.pid, scope="systemd: Result=oom-kill")
        elif m := STEP_RE.search(t):
            yield make(
                Kind.SYSTEMD_STEP,
                t,
                ln.source,
                ln.ts,
                ln.pid,
                step=m.group(1),
                path=m.group(2),
                error=m.group(3),
                status=_status_of(m.group(1)),
            )
        elif m := EXEC_RE.search(t):
            yield make(Kind.SYSTEMD_STEP, t, ln.source, ln.ts, ln.pid, step="EXEC", path=m.group(1) or "",
                       error=m.group(2), status="203")
        elif m := TIMEOUT_RE.search(t):
            yield make(Kind.STOP_TIMEOUT, t, ln.source, ln.ts, ln.pid, state=m.group(1))
        elif SD_OOM_RE.search(t):
            yield make(Kind.OOM_KILL, t, ln.source, ln.ts, ln.pid, scope="systemd saw it")
        elif START_TIMEOUT_RE.search(t):
            yield make(Kind.START_TIMEOUT, t, ln.source, ln.ts, ln.pid)
        elif "Start request repeated too quickly" in t:
            yield make(Kind.START_LIMIT, t, ln.source, ln.ts, ln.pid)
        else:
            for rx, step in STEP_MSGS:
                if m := rx.search(t):
                    yield make(Kind.SYSTEMD_STEP, t, ln.source, ln.ts, ln.pid, step=step, error=m.group(1),
                               status=_status_of(step))
                    break


def _status_of(step: str) -> str:
    c = by_name(step)
    return str(c.status) if c else ""


def exit_from_signs(signs: Sequence[Sign]) -> ExitInfo | None:
    last = [s for s in signs if s.kind is Kind.EXIT]
    if not last:
        return None
    d = last[-1].detail
    return ExitInfo(d["code"], int(d["status"]), "journal")
