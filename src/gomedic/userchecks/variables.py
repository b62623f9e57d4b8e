"""Variables in check files: `${name}` from `vars:` and `--vars FILE`, `${env:NAME}` from the environment.

`${name:-default}` gives a default when the variable is unset; `$$` is a literal `$`. Substitution happens in
string values only (quote a value to substitute into it: `port: "${port}"`); the schema then converts
"8443" to the number a field needs. An unknown variable is an error at its line and column.

Hostile input stays bounded: one substituted string may not exceed MAX_EXPANDED characters (checked while
substituting, before the string is built), and all substitutions of one check file together may not add
more than MAX_EXPANDED_FILE (MAX_EXPANDED_TOTAL for a whole load with its includes): a 3 MB variable used
by 200 checks is an error at the line where the limit is crossed, not gigabytes of memory.

Secret values are tracked: a value read from a secret-named environment variable (`${env:API_TOKEN}`)
or held by a secret-named variable (`vars: {db_password: ...}`, `--var db_password=...`) is recorded in
`Expansion.secrets`, and the loader has gomedic.redact hide it wherever it ends up (argv, URLs, output).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gomedic.secretnames import is_secret_name
from gomedic.userchecks.yamldoc import PathKey, Tree

_REF = re.compile(r"\$\$|\$\{(env:)?([A-Za-z_][A-Za-z0-9_.]*)(:-([^}]*))?\}|\$\{[^}]*\}?")
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
MAX_EXPANDED = 256 << 10
MAX_EXPANDED_FILE = 8 << 20
MAX_EXPANDED_TOTAL = 32 << 20


class VarError(Exception):
    pass


@dataclass
class Expansion:
    """What substitution may still add (per file and per load) and the secret values it has seen."""

    left_total: int = MAX_EXPANDED_TOTAL
    left_file: int = MAX_EXPANDED_FILE
    secrets: set[str] = field(default_factory=set)
    exhausted: bool = False  # reported once; later substitutions fail quietly

    def new_file(self) -> None:
        self.left_file = MAX_EXPANDED_FILE

    def charge(self, n: int) -> None:
        if n > self.left_file or n > self.left_total:
            self.exhausted = True
            limit = MAX_EXPANDED_FILE if n > self.left_file else MAX_EXPANDED_TOTAL
            raise VarError(f"variables expand to more than {limit >> 20} MiB in total "
                           f"({'this file' if limit == MAX_EXPANDED_FILE else 'all check files'}); "
                           "use smaller values or fewer references")
        self.left_file -= n
        self.left_total -= n

    def taint(self, variables: Mapping[str, str]) -> None:
        """Values of secret-named variables are secrets wherever they are used."""
        self.secrets.update(v for k, v in variables.items() if v and is_secret_name(k))


def scalar_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def substitute(text: str, variables: Mapping[str, str], env: Mapping[str, str],
               exp: Expansion | None = None) -> str:
    """Expand every reference in `text`; raises VarError naming the first unknown or malformed one, or
    when the result would exceed MAX_EXPANDED characters or the budget of `exp`."""
    if "$" not in text:
        return text
    size = len(text)

    def one(m: re.Match[str]) -> str:
        nonlocal size
        whole = m.group(0)
        if whole == "$$":
            return "$"
        name = m.group(2)
        if name is None:
            raise VarError(f"malformed variable reference {whole!r} (use ${{name}} or ${{env:NAME}})")
        source = env if m.group(1) else variables
        if name in source:
            value = source[name]
            if m.group(1) and exp is not None and value and is_secret_name(name):
                exp.secrets.add(value)
        elif m.group(3) is not None:
            value = m.group(4) or ""
        else:
            where = "environment variable" if m.group(1) else "variable"
            known = "" if m.group(1) else f" (known: {', '.join(sorted(variables)) or 'none'})"
            raise VarError(f"{where} {name!r} is not set{known}")
        size += len(value) - len(whole)
        if size > MAX_EXPANDED:
            raise VarError(f"the value expands to more than {MAX_EXPANDED >> 10} KiB (at ${{{name}}})")
        return value

    out = _REF.sub(one, text)
    if exp is not None and len(out) > len(text):
        exp.charge(len(out) - len(text))
    return out


def expand(tree: Tree, value: Any, path: PathKey, variables: Mapping[str, str], env: Mapping[str, str],
           check: str = "", exp: Expansion | None = None) -> Any:
    """`value` (found at `path` of `tree`) with every string expanded; problems become issues of `tree`."""
    if isinstance(value, str):
        reported = exp is not None and exp.exhausted
        try:
            return substitute(value, variables, env, exp)
        except VarError as e:
            if not reported:  # the budget is exceeded once, not at every later string
                tree.issue(path, str(e), check=check)
            return value
    if isinstance(value, list):
        return [expand(tree, v, (*path, i), variables, env, check, exp) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: expand(tree, v, (*path, k), variables, env, check, exp) for k, v in value.items()}
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
