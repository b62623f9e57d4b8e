"""`gomedic serve`: the exporter. Runs jobs on a schedule; serves /metrics, /report.json and the probes."""

from __future__ import annotations

import argparse
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "serve",
        help=SUMMARIES["serve"],
        description="The exporter: runs jobs (gomedic commands) at once and then on schedule, keeps their "
        "latest results, and serves them from cache. With no --config: host checks every 5 minutes, and "
        "with a go on PATH toolchain checks every 5 minutes and deep ones daily. Requests never run anything.",
    )
    p.add_argument("--listen", metavar="HOST:PORT",
                   help="address to bind (default: the config's listen, else 127.0.0.1:9433)")
    p.add_argument("--config", metavar="FILE", help="YAML config: jobs, listen, token_file (validated at start)")
    p.add_argument("--check-config", action="store_true",
                   help="validate the config, print the jobs it defines, and exit")
    p.set_defaults(run=run)


def _describe(cfg: Any) -> str:
    lines = [f"config: {cfg.source}", f"listen: {cfg.listen}", f"token: {'yes' if cfg.token else 'no'}"]
    for j in cfg.jobs:
        args = " ".join(j.args)
        lines.append(f"job {j.name}: gomedic {j.command}{' ' + args if args else ''} "
                     f"every {j.every_s:g}s timeout {j.timeout_s:g}s")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    import sys

    from gomedic.commands import COMMANDS
    from gomedic.serve import config as cfgmod
    from gomedic.values import replace

    available = list(COMMANDS)
    cfg = cfgmod.load(args.config, available) if args.config else cfgmod.default_config(available)
    if args.listen:
        cfgmod.parse_listen(args.listen)
        cfg = replace(cfg, listen=args.listen)
    host, port = cfgmod.parse_listen(cfg.listen)
    if args.check_config:
        sys.stdout.write(_describe(cfg))
        return 0
    from gomedic.serve.app import App
    from gomedic.serve.run import run_forever
    from gomedic.serve.state import Cache

    sys.stderr.write(_describe(cfg))
    return run_forever(App(Cache(cfg)), host, port)
