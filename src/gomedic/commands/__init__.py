"""Subcommands: one module each, defining `add_parser(subparsers)` and `run(args) -> int`.

COMMANDS is the explicit list cli.py wires; SUMMARIES holds each command's one-line help, so that
`gomedic CMD` imports only CMD's module (the others appear in `gomedic --help` from this table alone).
Command modules import their heavy dependencies inside `run`.
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
    "layers": "gomedic.commands.layers",
}

SUMMARIES: dict[str, str] = {
    "binary": "judge compiled Go binaries against a target: arch, loader, libraries, glibc, CPU level, kernel",
    "check": "diagnose the Go toolchain, paths, configuration, modules, cgo and editor (default)",
    "explain": "explain a check: what, why, how to fix",
    "fix": "fix what is safe to fix (dry run unless --yes)",
    "fleet": "work with reports from many hosts (summarize)",
    "gate": "pre-start gate: exit non-zero with a category code when the service would fail here",
    "host": "check this host for a Go service: limits, cgroups, seccomp, CA bundle, zone data, resolver",
    "init": "write a starter check file (YAML) for a systemd unit or a Go binary",
    "layers": "which config layer sets each Go variable and which value wins in terminal, VS Code, debugger",
    "list": "list every check (id, area, severity, title)",
    "probe": "judge a running Go service: goroutines, heap, GC, fds, threads, GOMAXPROCS",
    "report": "a Markdown report for bug trackers (go env redacted, OS, CPU, problems)",
    "run": "run declared checks from YAML files (see docs/checks.md)",
    "serve": "run checks on a schedule and serve /metrics, /healthz, /report.json (extra: gomedic[serve])",
    "service": "check a systemd unit: parsing, its program, user and file access, ports, limits, environment",
    "shellenv": "print the shell lines this machine needs for Go (PATH, GOROOT, GOPATH)",
    "targets": "list the target profiles for `gomedic binary --target`",
    "validate": "validate declared check files: every error in every check, with file:line:column (exit 2)",
}
