"""Facts that ask the user's go a question by running it: the I/O behind goenv.goflags and modules.verify.

Checks stay pure: they read these results and judge them. Each runs the go found by GO_CMD with
GOTOOLCHAIN=local, through execx (timeout, output cap, process-tree kill).
"""

from __future__ import annotations

from gomedic import execx
from gomedic.errors import CommandError, FactUnavailable
from gomedic.execx import CmdResult
from gomedic.facts import Facts, fact
from gomedic.facts.go import GO_CMD, GO_ENV, GO_ENV_PROBE, readonly_go_env
from gomedic.facts.gomod import GO_MODULE
from gomedic.values import frozen

GO_VERSION_TIMEOUT = 10.0
MOD_VERIFY_TIMEOUT = 50.0


@fact("go.goflags-verdict")
def GOFLAGS_VERDICT(f: Facts) -> str | None:
    """go's own verdict on GOFLAGS: `go version` applies GOFLAGS and fails on an unknown flag, in about
    5 ms (go knows every flag of every subcommand). None when go accepts them or cannot be asked."""
    try:
        go = f.get(GO_CMD)
        if f.get(GO_ENV_PROBE).values is None:
            return None  # go is broken for another reason; goenv.file / toolchain.* say why
    except FactUnavailable:
        return None
    try:
        r = execx.run([go.path, "version"], timeout=GO_VERSION_TIMEOUT, env=readonly_go_env(f), cwd=f.cwd)
    except CommandError:
        return None
    err = r.first_error_line()
    return err if not r.ok and "GOFLAGS" in err else None


@frozen
class ModVerify:
    """`go mod verify` in the module (or the working directory): what ran, and what it said or why not."""

    go: str
    cwd: str
    result: CmdResult | None
    error: str | None = None  # the go command could not be started


@fact("go.mod-verify")
def MOD_VERIFY(f: Facts) -> ModVerify:
    mod = f.get(GO_MODULE)
    go = f.get(GO_CMD)
    f.get(GO_ENV)  # unavailable, with go's own error, when go cannot run at all
    cwd = mod.module_dir or str(f.cwd)
    env = {**f.env, "GOTOOLCHAIN": "local"}
    try:
        return ModVerify(go.path, cwd, execx.run([go.path, "mod", "verify"], timeout=MOD_VERIFY_TIMEOUT, env=env,
                                                 cwd=cwd))
    except CommandError as e:
        return ModVerify(go.path, cwd, None, str(e))
