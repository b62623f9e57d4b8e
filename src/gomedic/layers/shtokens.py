"""Shell words for the rc-file reader: quoting, `$VAR`/`${VAR}` expansions and simple commands with whether
they may not run (inside a block, or after && / || / in a pipeline). Linear in the text; never raises."""

from __future__ import annotations

from collections.abc import Iterator

from gomedic.lazyre import LazyRegex

NAME = LazyRegex(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_IDENT = LazyRegex(r"[A-Za-z_][A-Za-z0-9_]*")
OPEN = {"if", "case", "for", "while", "until", "select"}
CLOSE = {"fi", "esac", "done", "}"}
SEPS = (";;", "&&", "||", ";", "&", "|", "\n", "(", ")")


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
    m = _IDENT.match(text, i)
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


def plain(w: Word) -> str:
    """The word's literal text with expansions as written (for matching names and keywords)."""
    return "".join(t if k == "lit" else "$" + t for k, t in w.parts)


def quoted_name(w: Word) -> bool:
    return w.raw[:1] in ("'", '"')


def commands(tokens: Iterator[Word | str]) -> Iterator[tuple[list[Word], bool]]:
    """Simple commands with whether they may not run (inside a block, or after && / || / in a pipeline)."""
    stack: list[str] = []  # open blocks: if, case, for, while, until, select, {, (
    cmd: list[Word] = []
    cond_next = False
    cond_cmd = False
    for t in tokens:
        if isinstance(t, Word):
            text = "" if t.quoted else plain(t)
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
