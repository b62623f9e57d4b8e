"""fish config files and universal variables: which variables they export.

`set -gx K V...` (also `--global --export`, `-Ux`, `-x`, `-a`/`-p`, `-e`, `-u`), `fish_add_path DIR`,
`source FILE`. fish exports a list joined with spaces, or with colons for a variable named *PATH. Inside
if/switch/for/while/function/begin blocks, or after `and`/`or`/`&&`/`||`, a change is conditional;
`(command)` substitution makes a value dynamic.
"""

from __future__ import annotations

import re

from gomedic.layers.model import Kind, Reader, Setting, tracked
from gomedic.lazyre import LazyRegex

OPEN = {"if", "switch", "for", "while", "function", "begin"}
_VAR = LazyRegex(r"\$([A-Za-z_][A-Za-z0-9_]*)")
MAX_DEPTH = 4


def words(line: str) -> tuple[list[str], bool]:
    """fish words of one line (quotes removed, $VAR kept for expansion by the caller) and whether a
    command substitution appears."""
    out: list[str] = []
    cur: list[str] = []
    dyn = False
    in_word = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c in " \t":
            if in_word:
                out.append("".join(cur))
                cur, in_word = [], False
            i += 1
            continue
        if c == "#" and not in_word:
            break
        in_word = True
        if c == "'":
            j = i + 1
            while j < n and line[j] != "'":
                if line[j] == "\\" and line[j + 1:j + 2] in ("'", "\\"):
                    j += 1
                cur.append(line[j])
                j += 1
            i = j + 1
        elif c == '"':
            j = i + 1
            while j < n and line[j] != '"':
                if line[j] == "\\" and line[j + 1:j + 2] in ('"', "\\", "$"):
                    j += 1
                cur.append(line[j])
                j += 1
            i = j + 1
        elif c == "\\" and i + 1 < n:
            cur.append(line[i + 1])
            i += 2
        elif c == "(":
            j = line.find(")", i)
            i, dyn = (n if j < 0 else j + 1), True
        elif c == ";":
            break  # one command per line is what config files use; the rest is ignored
        else:
            cur.append(c)
            i += 1
    if in_word:
        out.append("".join(cur))
    return out, dyn


class FishSim:
    def __init__(self, env: dict[str, str], home: str, read: Reader) -> None:
        self.lists: dict[str, list[str]] = {k: _split(k, v) for k, v in env.items()}
        self.exported = set(env)
        self.home = home
        self.read = read
        self.settings: list[Setting] = []
        self.sourced: list[str] = []

    @property
    def env(self) -> dict[str, str]:
        return {k: _join(k, v) for k, v in self.lists.items() if k in self.exported}

    def _expand(self, w: str) -> list[str]:
        if w == "~" or w.startswith("~/"):
            w = self.home + w[1:]
        m = _VAR.fullmatch(w)
        if m:  # a bare $LIST expands to its elements
            return list(self.lists.get(m.group(1), []))
        return [_VAR.sub(lambda m: " ".join(self.lists.get(m.group(1), [])), w)]

    def run_file(self, path: str, text: str, depth: int = 0, conditional: bool = False) -> None:
        self.sourced.append(path)
        block = 0
        for n, raw in enumerate(text.split("\n"), 1):
            ws, dyn = words(raw)
            if not ws:
                continue
            cond = conditional or block > 0
            if ws[0] == "end":
                block = max(0, block - 1)
                continue
            if ws[0] in OPEN:
                block += 1
                continue
            while ws and ws[0] in ("and", "or", "not", "command", "builtin"):
                cond = cond or ws[0] in ("and", "or")
                ws = ws[1:]
            if "&&" in ws or "||" in ws:
                cut = min(ws.index(x) for x in ("&&", "||") if x in ws)
                tail = ws[cut + 1:]
                ws, cond = tail, True
            if ws:
                self._command(path, n, ws, dyn, cond, depth)

    def _command(self, path: str, line: int, ws: list[str], dyn: bool, cond: bool, depth: int) -> None:
        head, args = ws[0], ws[1:]
        if head == "set":
            self._set(path, line, args, dyn, cond)
        elif head == "fish_add_path":
            dirs = [a for a in args if not a.startswith("-")]
            append = any(a in ("-a", "--append") for a in args)
            new = [d for w in dirs for d in self._expand(w)]
            cur = [d for d in self.lists.get("PATH", []) if d not in new]
            self._change("PATH", cur + new if append else new + cur, path, line, cond, dyn, export=True)
        elif head in ("source", ".") and args and depth < MAX_DEPTH and not dyn:
            target = self._expand(args[0])
            text = self.read(target[0]) if len(target) == 1 else None
            if text is not None:
                self.run_file(target[0], text, depth + 1, cond)

    def _set(self, path: str, line: int, args: list[str], dyn: bool, cond: bool) -> None:
        flags = ""
        i = 0
        long = {"--global": "g", "--export": "x", "--universal": "U", "--local": "l", "--erase": "e",
                "--append": "a", "--prepend": "p", "--unexport": "u", "--query": "q", "--function": "f"}
        while i < len(args) and args[i].startswith("-"):
            flags += long.get(args[i], args[i][1:] if not args[i].startswith("--") else "")
            i += 1
        if i >= len(args) or "q" in flags or "l" in flags or "f" in flags:
            return
        name, values = args[i], [v for w in args[i + 1:] for v in self._expand(w)]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            return
        if "e" in flags:
            if not cond:
                self.lists.pop(name, None)
                self.exported.discard(name)
            if tracked(name):
                self.settings.append(Setting(name, None, Kind.RC, path, line, cond, False))
            return
        if "a" in flags:
            values = self.lists.get(name, []) + values
        elif "p" in flags:
            values = values + self.lists.get(name, [])
        export = "x" in flags or (name in self.exported and "u" not in flags)
        self._change(name, values, path, line, cond, dyn, export)

    def _change(self, name: str, values: list[str], path: str, line: int, cond: bool, dyn: bool,
                export: bool) -> None:
        if not cond:
            self.lists[name] = values
            if export:
                self.exported.add(name)
            else:
                self.exported.discard(name)
        if export and tracked(name):
            self.settings.append(Setting(name, _join(name, values), Kind.RC, path, line, cond, dyn))


def _split(name: str, value: str) -> list[str]:
    return value.split(":") if name.endswith("PATH") else [value]


def _join(name: str, values: list[str]) -> str:
    return (":" if name.endswith("PATH") else " ").join(values)


def universal(text: str, path: str) -> list[tuple[str, str, int, bool]]:
    """fish_variables (`SETUVAR [--export] NAME:VALUE`, \\xNN escapes, \\x1e between list items):
    (name, value, line, exported)."""
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        m = re.fullmatch(r"SETUVAR (--export )?([A-Za-z_][A-Za-z0-9_]*):(.*)", line)
        if not m:
            continue
        value = re.sub(r"\\x([0-9a-fA-F]{2})", lambda x: chr(int(x.group(1), 16)), m.group(3))
        out.append((m.group(2), _join(m.group(2), value.split("\x1e")), n, bool(m.group(1))))
    return out


def apply_universal(sim: FishSim, text: str, path: str) -> None:
    """Universal variables come first: config files set globals that shadow them."""
    for name, value, line, exported in universal(text, path):
        if exported:
            sim.lists[name] = _split(name, value)
            sim.exported.add(name)
            if tracked(name):
                sim.settings.append(Setting(name, value, Kind.RC, path, line))
