"""Really run a binary the way a verdict predicts, as `nobody`, without network, in an empty directory.

    r = run_as_nobody(exe, "--version")
    r.started          # the program itself ran (it may still exit non-zero for an unknown flag)

The binary is exec'd with execv (a Python child that replaces itself), never through a shell or execvp, so a
foreign file gives the kernel's own error (ENOEXEC, ENOENT) instead of being run as a shell script.
Exit 126/127 from the wrapper carry the errno; ld.so exits 127 for a missing library; death by a signal
(SIGSEGV, SIGSYS, SIGILL) at start is the other way a binary "cannot run".
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

EXEC = ("import os, sys\n"
        "try:\n"
        "    os.execv(sys.argv[1], sys.argv[1:])\n"
        "except OSError as e:\n"
        "    sys.stderr.write(f'exec: {e.strerror} (errno {e.errno})\\n')\n"
        "    sys.exit(126 if e.errno == 8 else 127)\n")


class Ran(NamedTuple):
    returncode: int  # negative: killed by that signal
    stderr: str
    stdout: str

    @property
    def signal(self) -> str | None:
        return signal.Signals(-self.returncode).name if self.returncode < 0 else None

    @property
    def started(self) -> bool:
        return self.returncode >= 0 and self.returncode not in (126, 127)


def available() -> str | None:
    """Why running as nobody is not possible here (None when it is)."""
    if os.geteuid() != 0:
        return "running a binary as nobody needs root (setpriv)"
    for tool in ("setpriv", "unshare"):
        if shutil.which(tool) is None:
            return f"{tool} (util-linux) is not installed"
    return None


def run_as_nobody(exe: Path | str, *args: str, timeout: float = 10) -> Ran:
    cwd = tempfile.mkdtemp(prefix="gomedic-run.")
    os.chmod(cwd, 0o755)  # root-owned, readable: nobody can enter it but not write
    env = {"PATH": "/usr/bin:/bin", "HOME": cwd, "LANG": "C"}
    argv = ["unshare", "--net", "--", "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
            "--no-new-privs", "--", sys.executable, "-I", "-c", EXEC, str(exe), *args]
    p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return Ran(p.returncode, err.decode(errors="replace")[-2000:], out.decode(errors="replace")[-2000:])
    except subprocess.TimeoutExpired:
        return Ran(0, "timed out: it started and kept running", "")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)  # the binary and anything it started
        p.communicate()
        shutil.rmtree(cwd, ignore_errors=True)
