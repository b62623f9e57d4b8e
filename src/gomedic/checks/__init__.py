"""Built-in checks: the modules of each area, listed here explicitly (area -> modules).

A module registers its checks with `@check(...)` when imported. Adding a check is one function in one of
the area's modules; adding an area is one module plus one line here. An area may span several modules
(binary: ELF facts and Go facts); they are listed here rather than imported by each other, so no check
module imports another for its side effect and the import graph has no cycles (tests/test_structure.py).
"""

from __future__ import annotations

import sys

BUILTIN: dict[str, tuple[str, ...]] = {
    "toolchain": ("gomedic.checks.toolchain",),
    "paths": ("gomedic.checks.paths",),
    "goenv": ("gomedic.checks.goenv",),
    "modules": ("gomedic.checks.modules",),
    "cgo": ("gomedic.checks.cgo",),
    "build": ("gomedic.checks.build",),
    "editor": ("gomedic.checks.editor", "gomedic.checks.editor_workspace", "gomedic.checks.editor_extension"),
    "layers": ("gomedic.checks.layers",),
    "macos": ("gomedic.checks.macos",),
    "binary": ("gomedic.checks.binary", "gomedic.checks.binary_go", "gomedic.checks.binary_macos"),
    # binary.vulns (area binary) lives apart: opt-in (--vulns), loaded only when asked for, or by list/explain
    "vulns": ("gomedic.checks.binary_vulns",),
    "host": ("gomedic.checks.host", "gomedic.checks.host_security"),
    "tls": ("gomedic.checks.tls",),
    "net": ("gomedic.checks.net",),
    "service": ("gomedic.checks.service", "gomedic.checks.service_net"),
    "why": ("gomedic.checks.why", "gomedic.checks.why_unit"),
    "runtime": ("gomedic.checks.runtime", "gomedic.checks.runtime_process"),
}

# The areas `gomedic check` (the toolchain doctor) runs.
DOCTOR_AREAS: tuple[str, ...] = ("toolchain", "paths", "goenv", "modules", "cgo", "build", "editor", "layers",
                                 *(("macos",) if sys.platform == "darwin" else ()))
