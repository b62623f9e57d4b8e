"""The only place gomedic starts processes.

Every process runs in its own session with a timeout; on timeout the whole process group gets SIGTERM,
then SIGKILL after a grace period, so a `go` that starts compilers cannot leave them behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

from gomedic.errors import CommandError
from gomedic.values import frozen

MAX_OUTPUT = 4 << 20  # bytes kept of each stream; more is cut (and said)
GRACE_S = 0.5


@frozen
class CmdResult:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    duration_s: float
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def first_error_line(self) -> str:
        """The first non-empty stderr line (or stdout's): what a user would read first."""
        for line in (self.stderr + "\n" + self.stdout).splitlines():
            if line.strip():
                return line.strip()
        return f"exit status {self.returncode}"

    def describe(self) -> str:
        cmd = " ".join(self.argv)
        if self.timed_out:
            return f"`{cmd}` timed out after {self.duration_s:.1f}s"
        return f"`{cmd}` exited {self.returncode}: {self.first_error_line()}"


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        try:
            proc.wait(GRACE_S)
            return
        except subprocess.TimeoutExpired:
            continue


def _text(b: bytes) -> str:
    if len(b) > MAX_OUTPUT:
        b = b[:MAX_OUTPUT] + b"\n[output cut by gomedic]"
    return b.decode("utf-8", "replace")


def run(
    argv: Sequence[str],
    *,
    timeout: float,
    env: Mapping[str, str] | None = None,
    cwd: str | os.PathLike[str] | None = None,
    input: bytes | None = None,
) -> CmdResult:
    """Run argv to completion or timeout. Raises CommandError only when it cannot be started."""
    start = time.monotonic()
    try:
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
        )
    except OSError as e:
        raise CommandError(f"cannot run {argv[0]}: {e.strerror or e}") from e
    try:
        out, err = proc.communicate(input, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        out, err = proc.communicate()
        timed_out = True
    finally:
        if proc.poll() is None:
            _kill_group(proc)
    return CmdResult(
        argv=tuple(argv),
        returncode=proc.returncode if proc.returncode is not None else -1,
        stdout=_text(out or b""),
        stderr=_text(err or b""),
        duration_s=time.monotonic() - start,
        timed_out=timed_out,
    )
