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
    "why": "gomedic.commands.why",
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
    "serve": "run checks on a schedule and serve /metrics, /report.json and health probes (faster: gomedic[serve])",
    "service": "check a systemd unit: parsing, its program, user and file access, ports, limits, environment",
    "shellenv": "print the shell lines this machine needs for Go (PATH, GOROOT, GOPATH)",
    "targets": "list the target profiles for `gomedic binary --target`",
    "validate": "validate declared check files: every error in every check, with file:line:column (exit 2)",
    "why": "why did this Go service die? journal, kernel log, systemd exit codes -> cause, evidence, fix",
}

# What `gomedic CMD --help` shows under "examples:". Every line runs in tests/test_examples.py (in a built
# environment: ./app is a Go binary, api.service a unit, checks.yaml a check file, 127.0.0.1:6060 and pid
# 4242 a live Go service), so an example here is one that works.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "check": (
        "gomedic check --area toolchain --area paths -v",
        "gomedic check --deep --format json -o report.json",
        "gomedic check --fail-on warn --skip editor.gopls",
    ),
    "list": ("gomedic list --area host", "gomedic list --format json"),
    "explain": ("gomedic explain toolchain.goroot-matches",),
    "binary": (
        "gomedic binary ./app",
        "gomedic binary ./app --target alpine-3.20",
        "gomedic binary -r ./bin --target rhel-8,cpu=x86-64-v3",
        "gomedic binary --buildinfo ./app",
    ),
    "targets": ("gomedic targets", "gomedic targets --format json"),
    "fix": ("gomedic fix", "gomedic fix paths.gobin-on-path --yes --edit-rc --shell bash"),
    "shellenv": ("gomedic shellenv --shell fish",),
    "report": ("gomedic report -o report.md",),
    "serve": ("gomedic serve --check-config", "gomedic serve --listen 127.0.0.1:9433 --config serve.yaml"),
    "fleet": ("gomedic fleet summarize audit/*.json", "gomedic fleet summarize --format markdown audit/"),
    "run": ("gomedic run checks.yaml --vars prod.yaml", "gomedic run checks.yaml --format junit -o junit.xml"),
    "validate": ("gomedic validate checks.yaml --vars prod.yaml",),
    "init": ("gomedic init --binary ./app -o app-checks.yaml", "gomedic init --unit ./api.service"),
    "host": (
        "gomedic host",
        "gomedic host --pid 4242 --set host.nofile.min=65536",
        "gomedic host --area host --format prom -o host.prom",
    ),
    "service": ("gomedic service ./api.service", "gomedic service api.service --root ./image"),
    "gate": (
        "gomedic gate --unit ./api.service --checks checks.yaml --vars prod.yaml",
        "gomedic gate --binary ./app -q",
    ),
    "probe": (
        "gomedic probe http://127.0.0.1:6060 --window 0",
        "gomedic probe http://127.0.0.1:6060 --pid 4242 --window 5s",
        "gomedic probe --pid 4242 --window 0 --set runtime.goroutines.max=100000",
    ),
    "layers": ("gomedic layers", "gomedic layers --format json -C ."),
    "why": ("gomedic why --exit-status 203", 'gomedic why api.service --journal ./journal --since "2026-12-01 10:00"'),
}


def epilog(command: str) -> str | None:
    lines = EXAMPLES.get(command)
    return "examples:\n" + "\n".join(f"  {line}" for line in lines) if lines else None
