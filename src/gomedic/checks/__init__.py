"""Built-in checks: one module per area, listed here explicitly (area -> module).

A module registers its checks with `@check(...)` when imported. Adding a check is one function in the
area's module; adding an area is one module plus one line here.
"""

from __future__ import annotations

BUILTIN: dict[str, str] = {
    "toolchain": "gomedic.checks.toolchain",
    "paths": "gomedic.checks.paths",
    "goenv": "gomedic.checks.goenv",
    "modules": "gomedic.checks.modules",
    "cgo": "gomedic.checks.cgo",
    "build": "gomedic.checks.build",
    "editor": "gomedic.checks.editor",
    "binary": "gomedic.checks.binary",
    # binary.vulns (area binary) lives apart: opt-in (--vulns), loaded only when asked for, or by list/explain
    "vulns": "gomedic.checks.binary_vulns",
    "host": "gomedic.checks.host",
    "tls": "gomedic.checks.tls",
    "net": "gomedic.checks.tls",
    "service": "gomedic.checks.service",
    "runtime": "gomedic.checks.runtime",
}

# The areas `gomedic check` (the toolchain doctor) runs.
DOCTOR_AREAS: tuple[str, ...] = ("toolchain", "paths", "goenv", "modules", "cgo", "build", "editor")
