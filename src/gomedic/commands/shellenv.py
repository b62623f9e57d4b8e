"""`gomedic shellenv [--shell bash|zsh|fish|sh]`: the environment block this machine needs.

Derived from the Go installs that are really there (gomedic.fix.envblock): the go's bin directory on
PATH when no go is, GOBIN/GOPATH/bin on PATH, wrong GOROOT/GOPATH/... unset (GOROOT is exported only
when a wrong one in the GOENV file must be overridden). Sourcing the output twice changes nothing the
second time. Use it as `eval "$(gomedic shellenv)"`, or paste it into the rc file it names.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "shellenv", help=SUMMARIES["shellenv"],
        description="Print the environment block this machine needs, for eval or for your rc file.")
    p.add_argument("--shell", choices=["bash", "zsh", "fish", "sh"], help="shell syntax (default: from $SHELL)")
    p.set_defaults(run=run)


def render(shell_name: str, env: dict[str, str]) -> str:
    from gomedic.facts import Facts, Options
    from gomedic.fix.envblock import derive
    from gomedic.fix.shell import lines, parse_shell, rc_file

    shell = parse_shell(shell_name)
    facts = Facts(Options(env=env))
    d = derive(facts)
    rc, advice = rc_file(shell, env, env.get("HOME", "~"))
    go = f"{d.go.version} at {d.go.path}" if d.go else "no go found"
    eval_hint = "gomedic shellenv --shell fish | source" if shell.value == "fish" else \
        f'eval "$(gomedic shellenv --shell {shell.value})"'
    out = [f"# gomedic shellenv ({shell.value}): {go}",
           f"# add to {rc} ({advice}), or run: {eval_hint}"]
    out += [f"# note: {n}" for n in d.notes]
    body = lines(d.block, shell)
    if not body:
        out.append("# nothing to change: go is on PATH and its install directory too")
    out += body
    return "\n".join(out) + "\n"


def run(args: argparse.Namespace) -> int:
    from gomedic.redact import known_secrets, redact_text

    env = dict(os.environ)
    shell = args.shell or os.path.basename(env.get("SHELL", "") or "sh")
    if not args.shell and shell not in ("bash", "zsh", "fish", "sh", "dash", "ash", "ksh", "mksh"):
        shell = "sh"  # an unsupported login shell: POSIX lines for ~/.profile
    text = render(shell, env)
    sys.stdout.write(redact_text(text, known_secrets()))
    return 0
