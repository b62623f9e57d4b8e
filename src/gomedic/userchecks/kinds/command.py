"""kind: command — run a command (through execx, with the check's timeout) and match its exit code and output.

    - name: go-version
      kind: command
      run: [go, version]          # argv (a string is split like a shell would, without a shell)
      exit: 0                     # matcher on the exit status (default 0)
      stdout: {matches: 'go1\\.2[4-9]'}
      stderr: {exists: true}      # optional
      env: {GOTOOLCHAIN: local}   # added to gomedic's environment
"""

from __future__ import annotations

import shlex
from typing import Any, ClassVar

import msgspec

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.matchers import Expect, check, describe, show


class CommandCheck(Common, tag="command", frozen=True):
    run: str | list[str]
    exit: Expect = 0
    stdout: Expect | None = None
    stderr: Expect | None = None
    env: dict[str, str] = msgspec.field(default_factory=dict)
    cwd: str = ""

    DEFAULT_CATEGORY: ClassVar[Category] = Category.CUSTOM

    def argv(self) -> list[str]:
        return shlex.split(self.run) if isinstance(self.run, str) else list(self.run)

    def default_title(self) -> str:
        return f"`{' '.join(self.argv())}` behaves as declared"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        try:
            if not self.argv():
                out.append((("run",), "run: an empty command"))
        except ValueError as e:
            out.append((("run",), f"run: cannot split {self.run!r}: {e}"))
        for f in ("exit", "stdout", "stderr"):
            out += matcher_problems(f, getattr(self, f))
        return out


SCHEMA = CommandCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: CommandCheck, facts: Facts) -> Finding:
    from gomedic import execx
    from gomedic.errors import CommandError

    argv = c.argv()
    cmd = " ".join(shlex.quote(a) for a in argv)
    env = {**facts.env, **c.env}
    try:
        # The check file is the operator's: a bare program name is looked up on the PATH it runs with
        # (gomedic's own environment plus the check's env:), as the operator's shell would.
        res = execx.run(argv, timeout=c.timeout_s, env=env, cwd=c.cwd or facts.cwd,
                        search_path=env.get("PATH") or execx.TRUSTED_PATH)
    except CommandError as e:
        return fail(f"`{cmd}` could not start: {e}", fix=c.fix or f"install {argv[0]} or fix `run:`", command=cmd)
    ev: dict[str, Any] = {
        "command": cmd,
        "exit": res.returncode,
        "stdout": show(res.stdout.strip()),
        "stderr": show(res.stderr.strip()),
    }
    if res.timed_out:
        return fail(f"`{cmd}` timed out after {c.timeout_s:g}s", fix=c.fix or "raise timeout: or fix the command",
                    **ev)
    if res.truncated:
        return fail(f"`{cmd}` printed more than {execx.MAX_OUTPUT >> 20} MiB on one stream and was stopped",
                    fix=c.fix or "make the command print less (filter it: `| head`, `grep -c`)", **ev)
    bad = []
    if not check(c.exit, res.returncode):
        bad.append(f"exit status {res.returncode}, expected {describe(c.exit)}")
    for name, want, got in (("stdout", c.stdout, res.stdout), ("stderr", c.stderr, res.stderr)):
        if want is not None and not check(want, got if got else None):
            bad.append(f"{name} {show(got.strip())!r} is not {describe(want)}")
    if bad:
        return fail(f"`{cmd}`: " + "; ".join(bad), fix=c.fix or None, **ev)
    return ok(f"`{cmd}` exited {res.returncode}" + (" with the expected output" if c.stdout or c.stderr else ""), **ev)
