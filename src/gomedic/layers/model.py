"""Values shared by the layer parsers and the resolver."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

from gomedic.values import frozen


class Kind(str, Enum):
    GOROOT_ENV = "go.env in GOROOT"
    GOENV = "GOENV file"
    RC = "shell rc file"
    DIRENV = "direnv .envrc"
    DOTENV = ".env file"
    VSCODE = "VS Code settings"
    LAUNCH = "launch.json"
    PROCESS = "process environment"


@frozen
class Setting:
    """One place that sets (value) or removes (value None) a variable."""

    key: str
    value: str | None
    kind: Kind
    file: str
    line: int
    conditional: bool = False  # inside if/case/function, or after && / ||: may not run
    dynamic: bool = False  # depends on a command substitution or an unknown expansion: shown as written


def tracked(key: str) -> bool:
    """The variables gomedic reports: Go's own, cgo's, and PATH (which go runs)."""
    return key.startswith(("GO", "CGO_")) or key in ("PATH", "CC", "CXX", "PKG_CONFIG")


# Reads a file an rc file sources: its text, or None when it cannot be read. Injected by the facts layer,
# so that the parsers stay pure.
Reader = Callable[[str], "str | None"]
