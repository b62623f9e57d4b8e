"""POSIX shell rc files (sh, dash, bash, zsh): which variables they export, read as the shell would run them.

Not a shell: it follows assignments (`export K=V`, `K=V; export K`, `declare -x`, `typeset -x`, `unset`,
`set -a`), quoting, `$VAR`/`${VAR}`/`~` expansion and `.`/`source` of files it can name statically. What it
cannot know (command substitution, `${VAR:-x}`, `$1`) makes a value *dynamic*; an assignment inside
if/case/loops/functions or after `&&`/`||` is *conditional*. Input size is bounded by the caller; every
loop here is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from gomedic.layers.model import Kind, Reader, Setting, tracked
from gomedic.layers.shtokens import NAME, Word, commands, plain, quoted_name, tokenize
from gomedic.lazyre import LazyRegex

_ASSIGN = LazyRegex(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
MAX_DEPTH = 4  # nested `source`s followed


class ShellSim:
    """The exported environment as a sequence of sh files changes it, with every tracked change recorded."""

    def __init__(self, env: dict[str, str], home: str, read: Reader, kind: Kind = Kind.RC) -> None:
        self.env = dict(env)
        self.exported = set(env)
        self.home = home
        self.read = read
        self.kind = kind
        self.settings: list[Setting] = []
        self.allexport = False
        self.sourced: list[str] = []
        self._assigned: dict[str, tuple[str, int, bool]] = {}  # name -> (file, line, dynamic)
        # macOS: what `eval `/usr/libexec/path_helper -s`` makes of PATH (None elsewhere: eval is not followed)
        self.path_helper: Callable[[str], str] | None = None

    def run_file(self, path: str, text: str, depth: int = 0, conditional: bool = False) -> None:
        self.sourced.append(path)
        for cmd, cond in commands(tokenize(text)):
            self._command(path, cmd, cond or conditional, depth)

    def _record(self, key: str, value: str | None, file: str, line: int, cond: bool, dyn: bool) -> None:
        if tracked(key):
            self.settings.append(Setting(key, value, self.kind, file, line, cond, dyn))

    def _assign(self, path: str, w: Word, m: re.Match[str], cond: bool, export: bool) -> None:
        name, append = m.group(1), m.group(2)
        rest = Word(w.line)
        rest.quoted, rest.dynamic = w.quoted, w.dynamic
        # drop the NAME= prefix from the first literal part
        cut = len(m.group(0))
        for kind, text in w.parts:
            if cut and kind == "lit":
                take = min(cut, len(text))
                text, cut = text[take:], cut - take
                if not text:
                    continue
            rest.parts.append((kind, text))
        value = rest.expand(self.env, self.home)
        if not rest.quoted and value.startswith("~/"):
            value = self.home + value[1:]
        if append:
            value = self.env.get(name, "") + value
        if not cond:
            self.env[name] = value
        self._assigned[name] = (path, w.line, rest.dynamic)
        if export or self.allexport:
            self.exported.add(name)
        if name in self.exported:
            self._record(name, value if not rest.dynamic else w.raw.split("=", 1)[-1], path, w.line, cond, rest.dynamic)

    def _command(self, path: str, cmd: list[Word], cond: bool, depth: int) -> None:
        i = 0
        while i < len(cmd) and (m := _ASSIGN.match(plain(cmd[i]))) and not quoted_name(cmd[i]):
            i += 1
        if i == len(cmd):  # assignments only: they persist in the shell
            for w in cmd:
                m = _ASSIGN.match(plain(w))
                if m:
                    self._assign(path, w, m, cond, export=False)
            return
        if i:  # `K=V cmd`: K is set for that command only
            return
        head = plain(cmd[0])
        args = cmd[1:]
        if head in ("export", "declare", "typeset", "local", "readonly"):
            self._export(path, head, args, cond)
        elif head == "unset":
            for w in args:
                name = plain(w)
                if NAME.match(name):
                    if not cond:
                        self.env.pop(name, None)
                        self.exported.discard(name)
                    self._record(name, None, path, w.line, cond, False)
        elif head == "set" and args and plain(args[0]) in ("-a", "+a", "-o", "+o"):
            flag = plain(args[0])
            if (flag in ("-a", "+a") or (len(args) > 1 and plain(args[1]) == "allexport")) and not cond:
                self.allexport = flag.startswith("-")
        elif head == "eval" and self.path_helper is not None and any("path_helper" in w.raw for w in args):
            value = self.path_helper(self.env.get("PATH", ""))
            if not cond:
                self.env["PATH"] = value
                self.exported.add("PATH")
            self._record("PATH", value, path, cmd[0].line, cond, False)
        elif head in (".", "source") and args and depth < MAX_DEPTH:
            target = args[0].expand(self.env, self.home)
            if args[0].dynamic or not target:
                return
            text = self.read(target)
            if text is not None:
                self.run_file(target, text, depth + 1, cond)

    def _export(self, path: str, head: str, args: list[Word], cond: bool) -> None:
        flags = "".join(plain(w)[1:] for w in args if plain(w).startswith("-"))
        unexport = head == "export" and "n" in flags
        if head != "export" and "x" not in flags:
            if head == "local":
                return
            # declare/typeset/readonly without -x: a shell variable, maybe already exported
            export = False
        else:
            export = not unexport
        for w in args:
            text = plain(w)
            if text.startswith(("-", "+")):
                continue
            m = _ASSIGN.match(text)
            if m:
                self._assign(path, w, m, cond, export)
            elif NAME.match(text):
                if unexport:
                    if not cond:
                        self.exported.discard(text)
                    self._record(text, None, path, w.line, cond, False)
                elif export:
                    was = text in self.exported
                    if not cond:
                        self.exported.add(text)
                    if text in self.env and not was:  # an exported variable's assignments are recorded as made
                        file, line, dyn = self._assigned.get(text, (path, w.line, False))
                        self._record(text, self.env[text], file, line, cond, dyn)
