"""Build (and optionally run) a throwaway module in a temporary directory with the user's settings.

Used by the deep checks only. The module is written to a fresh directory under $TMPDIR, built with the
user's go, environment and GOFLAGS (GOTOOLCHAIN=local, so the probe never downloads a toolchain), and
removed afterwards. The program run is the one gomedic just built, never a binary under inspection.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from gomedic import execx
from gomedic.binfmt import goversion
from gomedic.errors import CommandError
from gomedic.facts import Facts, fact
from gomedic.facts.go import GO_CMD, GO_ENV, go_version
from gomedic.values import frozen

BUILD_TIMEOUT = 90.0  # a cold cache compiles the runtime and fmt first
RUN_TIMEOUT = 10.0


@frozen
class TempBuild:
    command: str
    ok: bool
    output: str  # build output (and the program's, when run)
    first_error: str
    build_s: float
    ran: bool = False
    run_output: str = ""


def _go_line(version: str | None) -> str:
    lang = goversion.lang(version or "")
    return goversion.strip_go(lang) if lang else "1.21"


def build_temp_module(f: Facts, files: Mapping[str, str], *, run: bool,
                      extra_env: Mapping[str, str] | None = None) -> TempBuild:
    """Build (and run) the files as a module; raises FactUnavailable when `go env` itself fails."""
    import shutil
    import tempfile

    go = f.get(GO_CMD)
    f.get(GO_ENV)  # FactUnavailable (the check skips with go's own error) when go cannot run at all
    tmp_root = f.env.get("TMPDIR") or None
    env = {**f.env, "GOTOOLCHAIN": "local", **(extra_env or {})}
    try:
        d = tempfile.mkdtemp(prefix="gomedic-build-", dir=tmp_root if tmp_root and os.path.isdir(tmp_root) else None)
    except OSError as e:
        return TempBuild("go build in a temporary module", False, str(e), f"cannot create a temporary directory: {e}",
                         0.0)
    try:
        with open(os.path.join(d, "go.mod"), "w", encoding="utf-8") as fh:
            fh.write(f"module gomedic.invalid/probe\n\ngo {_go_line(go_version(f))}\n")
        for name, text in files.items():
            with open(os.path.join(d, name), "w", encoding="utf-8") as fh:
                fh.write(text)
        exe = os.path.join(d, "probe.exe")
        argv = [go.path, "build", "-o", exe, "."]
        cmd = f"go build -o probe.exe . (in a temporary module, {go.path})"
        try:
            r = execx.run(argv, timeout=BUILD_TIMEOUT, env=env, cwd=d)
        except CommandError as e:
            return TempBuild(cmd, False, str(e), str(e), 0.0)
        out = (r.stdout + r.stderr).strip()
        if not r.ok:
            return TempBuild(cmd, False, out, _first_error(out) or r.describe(), r.duration_s)
        if not run:
            return TempBuild(cmd, True, out, "", r.duration_s)
        try:
            p = execx.run([exe], timeout=RUN_TIMEOUT, env=env, cwd=d)
        except CommandError as e:
            return TempBuild(cmd, False, out, f"the program built but cannot start: {e}", r.duration_s, True)
        run_out = (p.stdout + p.stderr).strip()
        if not p.ok:
            return TempBuild(cmd, False, out, f"the program built but {p.describe()}", r.duration_s, True, run_out)
        return TempBuild(cmd, True, out, "", r.duration_s, True, run_out)
    except OSError as e:
        return TempBuild("go build in a temporary module", False, str(e), f"cannot write a temporary module: {e}", 0.0)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _first_error(out: str) -> str:
    lines = [ln.strip() for ln in out.splitlines() if ln.strip() and not ln.startswith("#")]
    return "; ".join(lines[:3])


HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("gomedic-hello") }\n'


@fact("build.hello")
def HELLO_BUILD(f: Facts) -> TempBuild:
    """The hello-world module built and run with the user's go and settings (build.works; tests seed it)."""
    return build_temp_module(f, {"main.go": HELLO}, run=True)


CGO_MAIN = """package main

/*
#include <errno.h>
#include <stdlib.h>
static int gomedic_answer(void) { errno = 0; return 42; }
*/
import "C"

import "fmt"

func main() { fmt.Println("gomedic-cgo", int(C.gomedic_answer())) }
"""


@fact("cgo.build")
def CGO_BUILD(f: Facts) -> TempBuild:
    """The tiny cgo program built with the user's settings and CGO_ENABLED=1 (cgo.works; tests seed it)."""
    return build_temp_module(f, {"main.go": CGO_MAIN}, run=False, extra_env={"CGO_ENABLED": "1"})
