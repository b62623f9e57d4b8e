"""POSIX shell rc files (sh, dash, bash, zsh): which variables they export, read as the shell would run them.

Not a shell: it follows assignments (`export K=V`, `K=V; export K`, `declare -x`, `typeset -x`, `unset`,
`set -a`), quoting, `$VAR`/`${VAR}`/`~` expansion and `.`/`source` of files it can name statically. What it
cannot know (command substitution, `${VAR:-x}`, `$1`) makes a value *dynamic*; an assignment inside
if/case/loops/functions or after `&&`/`||` is *conditional*. Input size is bounded by the caller; every
loop here is linear in the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gomedic.layers.model import Kind, Reader, Setting, tracked

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
OPEN = {"if", "case", "for", "while", "until", "select"}
CLOSE = {"fi", "esac", "done", "}"}
SEPS = (";;", "&&", "||", ";", "&", "|", "\n", "(", ")")
MAX_DEPTH = 4  # nested `source`s followed


class Word:
    """A shell word: literal text plus expansions; `raw` is the text as written."""

    __slots__ = ("dynamic", "line", "parts", "quoted", "raw")

    def __init__(self, line: int) -> None:
        self.parts: list[tuple[str, str]] = []  # ("lit", text) | ("var", name)
        self.raw = ""
        self.line = line
        self.dynamic = False
        self.quoted = False

    def lit(self, s: str) -> None:
        self.parts.append(("lit", s))

    def expand(self, env: dict[str, str], home: str) -> str:
        out = []
        for i, (kind, text) in enumerate(self.parts):
            if kind == "var":
                out.append(env.get(text, ""))
            elif i == 0 and not self.quoted and (text == "~" or text.startswith("~/")):
                out.append(home + text[1:])
            else:
                out.append(text)
        return "".join(out)


def _var(text: str, i: int, w: Word) -> int:
    """Read an expansion after `$` at text[i]; return the index after it."""
    n = len(text)
    if i < n and text[i] == "{":
        j = text.find("}", i)
        j = n - 1 if j < 0 else j
        inner = text[i + 1:j]
        if NAME.match(inner):
            w.parts.append(("var", inner))
        else:
            w.dynamic = True
        return j + 1
    if i < n and text[i] == "(":
        depth, j = 0, i
        while j < n:
            depth += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
            if depth == 0:
                break
        w.dynamic = True
        return j
    m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, i)
    if m:
        w.parts.append(("var", m.group(0)))
        return m.end()
    if i < n and (text[i].isdigit() or text[i] in "@*#?$!-"):
        w.dynamic = True
        return i + 1
    w.lit("$")
    return i


def tokenize(text: str) -> Iterator[Word | str]:
    """Words and separators (one of SEPS); comments dropped, `\\\n` joined."""
    i, n, line = 0, len(text), 1
    w: Word | None = None
    start = 0
    while i < n:
        c = text[i]
        if c in " \t\r" or c == "\n" or (c in ";&|()" and w is not None) or (w is None and c in ";&|()"):
            if w is not None:
                w.raw = text[start:i]
                yield w
                w = None
            if c == "\n":
                yield "\n"
                line += 1
            elif c in ";&|()":
                two = text[i:i + 2]
                if two in SEPS:
                    yield two
                    i += 2
                    continue
                yield c
            i += 1
            continue
        if c == "#" and w is None:
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if w is None:
            w, start = Word(line), i
        if c == "\\":
            if text[i + 1:i + 2] == "\n":
                line += 1
            else:
                w.lit(text[i + 1:i + 2])
            i += 2
        elif c == "'":
            j = text.find("'", i + 1)
            j = n if j < 0 else j
            w.lit(text[i + 1:j])
            w.quoted = True
            line += text.count("\n", i, j)
            i = j + 1
        elif c == '"':
            w.quoted = True
            i += 1
            while i < n and text[i] != '"':
                ch = text[i]
                if ch == "\\" and text[i + 1:i + 2] in ('"', "\\", "$", "`", "\n"):
                    if text[i + 1] != "\n":
                        w.lit(text[i + 1])
                    i += 2
                    continue
                if ch == "$":
                    i = _var(text, i + 1, w)
                    continue
                if ch == "`":
                    j = text.find("`", i + 1)
                    i, w.dynamic = (n if j < 0 else j + 1), True
                    continue
                line += ch == "\n"
                w.lit(ch)
                i += 1
            i += 1
        elif c == "$":
            i = _var(text, i + 1, w)
        elif c == "`":
            j = text.find("`", i + 1)
            i, w.dynamic = (n if j < 0 else j + 1), True
        else:
            w.lit(c)
            i += 1
    if w is not None:
        w.raw = text[start:]
        yield w


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

    def run_file(self, path: str, text: str, depth: int = 0, conditional: bool = False) -> None:
        self.sourced.append(path)
        for cmd, cond in _commands(tokenize(text)):
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
        while i < len(cmd) and (m := _ASSIGN.match(_plain(cmd[i]))) and not _quoted_name(cmd[i]):
            i += 1
        if i == len(cmd):  # assignments only: they persist in the shell
            for w in cmd:
                m = _ASSIGN.match(_plain(w))
                if m:
                    self._assign(path, w, m, cond, export=False)
            return
        if i:  # `K=V cmd`: K is set for that command only
            return
        head = _plain(cmd[0])
        args = cmd[1:]
        if head in ("export", "declare", "typeset", "local", "readonly"):
            self._export(path, head, args, cond)
        elif head == "unset":
            for w in args:
                name = _plain(w)
                if NAME.match(name):
                    if not cond:
                        self.env.pop(name, None)
                        self.exported.discard(name)
                    self._record(name, None, path, w.line, cond, False)
        elif head == "set" and args and _plain(args[0]) in ("-a", "+a", "-o", "+o"):
            flag = _plain(args[0])
            if (flag in ("-a", "+a") or (len(args) > 1 and _plain(args[1]) == "allexport")) and not cond:
                self.allexport = flag.startswith("-")
        elif head in (".", "source") and args and depth < MAX_DEPTH:
            target = args[0].expand(self.env, self.home)
            if args[0].dynamic or not target:
                return
            text = self.read(target)
            if text is not None:
                self.run_file(target, text, depth + 1, cond)

    def _export(self, path: str, head: str, args: list[Word], cond: bool) -> None:
        flags = "".join(_plain(w)[1:] for w in args if _plain(w).startswith("-"))
        unexport = head == "export" and "n" in flags
        if head != "export" and "x" not in flags:
            if head == "local":
                return
            # declare/typeset/readonly without -x: a shell variable, maybe already exported
            export = False
        else:
            export = not unexport
        for w in args:
            text = _plain(w)
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


def _plain(w: Word) -> str:
    """The word's literal text with expansions as written (for matching names and keywords)."""
    return "".join(t if k == "lit" else "$" + t for k, t in w.parts)


def _quoted_name(w: Word) -> bool:
    return w.raw[:1] in ("'", '"')


def _commands(tokens: Iterator[Word | str]) -> Iterator[tuple[list[Word], bool]]:
    """Simple commands with whether they may not run (inside a block, or after && / || / in a pipeline)."""
    stack: list[str] = []  # open blocks: if, case, for, while, until, select, {, (
    cmd: list[Word] = []
    cond_next = False
    cond_cmd = False
    for t in tokens:
        if isinstance(t, Word):
            text = "" if t.quoted else _plain(t)
            if text == "{":
                stack.append("{")
                continue
            if not cmd and text in CLOSE:
                if stack:
                    stack.pop()
                continue
            if not cmd and text in ("then", "do", "else", "elif", "!"):
                continue
            if not cmd and text in OPEN:
                stack.append(text)
                if text not in ("case", "for", "select"):
                    continue
            cmd.append(t)
            if len(cmd) == 1:
                cond_cmd = cond_next or bool(stack)
            continue
        if t == "(":
            if len(cmd) == 1:  # `name() { ... }`: a function definition; its `{` opens the block
                cmd = []
            elif not cmd:
                stack.append("(")  # a subshell: nothing in it persists
            continue
        if cmd:
            if cmd[0].raw not in ("case", "for", "select", "function"):
                yield cmd, cond_cmd
            cmd = []
        cond_next = t in ("&&", "||", "|")
        if t == ")" and stack and stack[-1] == "(":
            stack.pop()
