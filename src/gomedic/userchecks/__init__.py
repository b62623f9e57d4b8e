"""Declared checks: a team's own rules in YAML, run like the built-in checks.

    from gomedic.userchecks import load_specs
    specs = load_specs(["checks.yaml"], vars_files=["prod.yaml"])   # raises CheckFileError (exit 2)

`validate` returns every problem of every file with file:line:column instead of raising. The format is
documented in docs/checks.md; each kind's module in kinds/ documents its fields.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from gomedic.registry import CheckSpec


def load_specs(paths: Iterable[str | os.PathLike[str]], *, vars_files: Iterable[str | os.PathLike[str]] = (),
               variables: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None,
               retry: bool = False) -> list[CheckSpec]:
    """CheckSpecs (ids custom.<name>) of the check files; raises CheckFileError listing every problem."""
    from gomedic.userchecks.compile import to_specs
    from gomedic.userchecks.loader import load

    return to_specs(load(paths, vars_files=vars_files, variables=variables, env=env), retry=retry)


def retry_policy(spec: CheckSpec) -> tuple[int, float]:
    """(retries, interval_s) a declared check asked for; (0, 0.0) for a built-in check."""
    from gomedic.userchecks.compile import DeclaredFn

    fn = spec.fn
    return (fn.retries, fn.interval_s) if isinstance(fn, DeclaredFn) else (0, 0.0)
