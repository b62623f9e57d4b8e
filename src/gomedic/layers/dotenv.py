"""dotenv files (`.env`, launch.json `envFile`, direnv `dotenv`): `[export ]KEY=VALUE` lines.

Single quotes are literal; double quotes take `\\n`, `\\"`, `\\\\` escapes and `${VAR}`/`$VAR`; unquoted values
end at ` #` and are trimmed, and expand `${VAR}`/`$VAR` (as direnv's and vscode-go's readers do).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gomedic.layers.model import Kind, Setting, tracked
from gomedic.lazyre import LazyRegex

LINE = LazyRegex(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(.*?)\s*\Z")
_VAR = LazyRegex(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _expand(s: str, env: Mapping[str, str]) -> str:
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), s)


def value_of(raw: str, env: Mapping[str, str]) -> str:
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        inner = re.sub(r'\\([n"\\$])', lambda m: "\n" if m.group(1) == "n" else m.group(1), raw[1:-1])
        return _expand(inner, env)
    cut = re.search(r"\s#", raw)
    return _expand((raw[:cut.start()] if cut else raw).strip(), env)


def parse(text: str, path: str, env: Mapping[str, str] | None = None, kind: Kind = Kind.DOTENV) -> list[Setting]:
    """The tracked variables a dotenv file sets, in order (later lines see earlier values)."""
    scope = dict(env or {})
    out: list[Setting] = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            continue
        value = value_of(m.group(2), scope)
        scope[m.group(1)] = value
        if tracked(m.group(1)):
            out.append(Setting(m.group(1), value, kind, path, n))
    return out
