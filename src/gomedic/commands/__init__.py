"""Subcommands: one module each, defining `add_parser(subparsers)` and `run(args) -> int`.

COMMANDS is the explicit list cli.py wires; command modules import their heavy dependencies inside
`run`, so building the parser stays cheap.
"""

from __future__ import annotations

COMMANDS: dict[str, str] = {
    "check": "gomedic.commands.check",
    "list": "gomedic.commands.list_",
    "explain": "gomedic.commands.explain",
    "binary": "gomedic.commands.binary",
    "targets": "gomedic.commands.targets",
    "fix": "gomedic.commands.fix",
    "shellenv": "gomedic.commands.shellenv",
    "report": "gomedic.commands.report",
    "serve": "gomedic.commands.serve",
    "fleet": "gomedic.commands.fleet",
    "run": "gomedic.commands.run",
    "validate": "gomedic.commands.validate",
    "init": "gomedic.commands.init",
    "host": "gomedic.commands.host",
    "service": "gomedic.commands.service",
    "gate": "gomedic.commands.gate",
    "probe": "gomedic.commands.probe",
}
