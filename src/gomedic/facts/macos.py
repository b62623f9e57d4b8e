"""macOS facts: the version, the machine, Rosetta and the Command Line Tools, from the read-only system tools
(sw_vers, uname -m, sysctl, xcode-select -p, xcrun --find clang), each with a timeout. Not macOS: unavailable.
Parsing is in gomedic.macos.recorded (pure), so the checks are tested here from recordings."""

from __future__ import annotations

import sys

from gomedic import execx
from gomedic.errors import CommandError, FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.macos.recorded import MacOS, macos

TIMEOUT = 10.0
SYSTEM_PATH = "/usr/bin:/bin:/usr/sbin:/sbin"  # Apple's tools only, never a PATH entry the user controls


def _run(argv: list[str]) -> tuple[int, str, str]:
    try:
        r = execx.run(argv, timeout=TIMEOUT, env={"PATH": SYSTEM_PATH, "LANG": "C"}, cwd="/")
    except CommandError as e:
        return 127, "", str(e)
    return r.returncode, r.stdout, r.stderr


@fact("macos")
def MACOS(f: Facts) -> MacOS:
    if sys.platform != "darwin":
        raise FactUnavailable("not macOS")
    return macos(_run(["/usr/bin/sw_vers"])[1], _run(["/usr/bin/uname", "-m"])[1],
                 _run(["/usr/sbin/sysctl", "-n", "hw.optional.arm64"])[1],
                 _run(["/usr/sbin/sysctl", "-n", "sysctl.proc_translated"])[1],
                 _run(["/usr/bin/xcode-select", "-p"]), _run(["/usr/bin/xcrun", "--find", "clang"]))
