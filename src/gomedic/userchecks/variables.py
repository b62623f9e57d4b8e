"""Variables in check files: `${name}` from `vars:` and `--vars FILE`, `${env:NAME}` from the environment.

`${name:-default}` gives a default when the variable is unset; `$$` is a literal `$`. Substitution happens in
string values only (quote a value to substitute into it: `port: "${port}"`); the schema then converts
"8443" to the number a field needs. An unknown variable is an error at its line and column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gomedic.userchecks.yamldoc import PathKey, Tree

_REF = re.compile(r"\$\$|\$\{(env:)?([A-Za-z_][A-Za-z0-9_.]*)(:-([^}]*))?\}|\$\{[^}]*\}?")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class VarError(Exception):
    pass


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: str, variables: Mapping[str, str], env: Mapping[str, str]) -> str:
    """Expand every reference in `text`; raises VarError naming the first unknown or malformed one."""
    if "$" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        whole = m.group(0)
        if whole == "$$":
            return "$"
        name = m.group(2)
        if name is None:
            raise VarError(f"malformed variable reference {whole!r} (use ${{name}} or ${{env:NAME}})")
        source = env if m.group(1) else variables
        if name in source:
            return source[name]
        if m.group(3) is not None:
            return m.group(4) or ""
        where = "environment variable" if m.group(1) else "variable"
        known = "" if m.group(1) else f" (known: {', '.join(sorted(variables)) or 'none'})"
        raise VarError(f"{where} {name!r} is not set{known}")

    return _REF.sub(one, text)


def expand(tree: Tree, value: Any, path: PathKey, variables: Mapping[str, str], env: Mapping[str, str],
           check: str = "") -> Any:
    """`value` (found at `path` of `tree`) with every string expanded; problems become issues of `tree`."""
    if isinstance(value, str):
        try:
            return substitute(value, variables, env)
        except VarError as e:
            tree.issue(path, str(e), check=check)
            return value
    if isinstance(value, list):
        return [expand(tree, v, (*path, i), variables, env, check) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: expand(tree, v, (*path, k), variables, env, check) for k, v in value.items()}
    return value


def read_vars(tree: Tree, value: Any, path: PathKey) -> dict[str, str]:
    """A `vars:` mapping (or a whole vars file): names to scalar values; anything else is an issue."""
    out: dict[str, str] = {}
    if value is None:
        return out
    if not isinstance(value, dict):
        tree.issue(path, "vars must be a mapping of name: value")
        return out
    for k, v in value.items():
        if not NAME_RE.match(k):
            tree.issue((*path, k), f"variable name {k!r} must match {NAME_RE.pattern}", key=True)
        elif v is None or isinstance(v, (dict, list)):
            tree.issue((*path, k), f"variable {k!r} must be a string, number or boolean")
        else:
            out[k] = scalar_text(v)
    return out
