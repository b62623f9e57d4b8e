"""Values inside systemd unit settings, pure: command lines, specifiers, environment, limits.

Each parser follows systemd.service(5)/systemd.exec(5)/systemd.unit(5) and reports problems as strings
(the caller attaches file:line), never by raising.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gomedic.values import frozen

EXEC_PREFIXES = "@-:+!"
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\",
            '"': '"', "'": "'", "s": " ", " ": " "}


def split_words(s: str) -> tuple[list[str], str | None]:
    """systemd's extract_first_word(UNQUOTE|CUNESCAPE) loop: quotes group, backslash escapes.

    Returns (words, error); on an unterminated quote the words so far and an error.
    """
    words: list[str] = []
    i, n = 0, len(s)
    while True:
        while i < n and s[i] in " \t\n":
            i += 1
        if i >= n:
            return words, None
        cur: list[str] = []
        quote: str | None = None
        while i < n:
            c = s[i]
            if quote is None and c in " \t\n":
                break
            if c == "\\" and i + 1 < n:
                nxt = s[i + 1]
                if nxt == "x" and i + 3 < n and re.fullmatch(r"[0-9a-fA-F]{2}", s[i + 2 : i + 4]):
                    cur.append(chr(int(s[i + 2 : i + 4], 16)))
                    i += 4
                    continue
                cur.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            if quote is None and c in "\"'":
                quote = c
            elif c == quote:
                quote = None
            else:
                cur.append(c)
            i += 1
        if quote is not None:
            return words, f"unterminated {quote} quote"
        words.append("".join(cur))


@frozen
class ExecCommand:
    prefixes: str  # the special-executable prefixes, e.g. "-" or "+!"
    path: str  # the program (after prefixes), before PATH lookup
    argv: tuple[str, ...]  # argv[0] included (after "@", argv[0] is the next word)

    @property
    def ignore_failure(self) -> bool:
        return "-" in self.prefixes

    @property
    def full_privileges(self) -> bool:
        """`+`: runs with full privileges (no User=, no sandboxing): access must be judged for root."""
        return "+" in self.prefixes

    @property
    def no_env_expansion(self) -> bool:
        return ":" in self.prefixes


def parse_exec(value: str) -> tuple[ExecCommand | None, str | None]:
    """One ExecStart= value -> (command, error)."""
    v = value.strip()
    words, err = split_words(v)
    if err:
        return None, err
    if not words:
        return None, "empty command line"
    first = words[0]
    j = 0
    while j < len(first) and first[j] in EXEC_PREFIXES:
        j += 1
    prefixes, program = first[:j], first[j:]
    rest = words[1:]
    if not program:
        if not rest:
            return None, f"no program after the prefixes {prefixes!r}"
        program, rest = rest[0], rest[1:]
    if "@" in prefixes:
        if not rest:
            return None, "the '@' prefix needs an argv[0] after the program"
        argv = tuple(rest)
    else:
        argv = (program, *rest)
    if prefixes.count("!") > 2 or any(prefixes.count(c) > 1 for c in "@-:+"):
        return None, f"repeated prefix characters in {prefixes!r}"
    return ExecCommand(prefixes, program, argv), None


_SPEC = re.compile(r"%(.)", re.DOTALL)


def expand_specifiers(s: str, table: Mapping[str, str]) -> tuple[str, list[str]]:
    """Replace %x specifiers from `table` ("%" -> "%"); return the text and the unknown specifiers."""
    unknown: list[str] = []

    def sub(m: re.Match[str]) -> str:
        c = m.group(1)
        if c == "%":
            return "%"
        if c in table:
            return table[c]
        unknown.append("%" + c)
        return m.group(0)

    out = _SPEC.sub(sub, s)
    if out.endswith("%") and not s.endswith("%%"):
        unknown.append("% at end of value")
    return out, unknown


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BARE = re.compile(r"^\$([A-Za-z_][A-Za-z0-9_]*)$")


def expand_env(argv: tuple[str, ...], env: Mapping[str, str]) -> tuple[tuple[str, ...], list[str]]:
    """systemd's variable expansion in Exec lines: `${X}` in place; a word that is `$X` splits into words.

    Returns the expanded argv and the names referenced but not set (systemd expands them to nothing).
    """
    out: list[str] = []
    missing: list[str] = []
    for w in argv:
        m = _BARE.match(w)
        if m:
            name = m.group(1)
            if name not in env:
                missing.append(name)
            out.extend(env.get(name, "").split())
            continue

        def sub(mm: re.Match[str]) -> str:
            if mm.group(1) not in env:
                missing.append(mm.group(1))
            return env.get(mm.group(1), "")

        out.append(_VAR.sub(sub, w))
    return tuple(out), missing


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def parse_environment(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """Environment= value: space-separated, quotable KEY=VALUE words."""
    words, err = split_words(value)
    pairs: list[tuple[str, str]] = []
    errors = [err] if err else []
    for w in words:
        k, sep, v = w.partition("=")
        if not sep or not _ENV_NAME.match(k):
            errors.append(f"invalid environment assignment {w[:80]!r}")
            continue
        pairs.append((k, v))
    return pairs, errors


def parse_env_file(text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """An EnvironmentFile=: KEY=VALUE lines, `#`/`;` comments, optional `export `, quoted values,
    backslash line continuations. Returns values and (line, problem) pairs."""
    out: dict[str, str] = {}
    problems: list[tuple[int, str]] = []
    lines = text[: 1 << 22].split("\n")
    i = 0
    while i < len(lines):
        n = i + 1
        line = lines[i].strip()
        i += 1
        while line.endswith("\\") and i < len(lines):
            line = line[:-1] + lines[i].strip()
            i += 1
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        k, sep, v = line.partition("=")
        k = k.strip()
        if not sep or not _ENV_NAME.match(k):
            problems.append((n, f"not a KEY=VALUE line: {line[:80]!r}"))
            continue
        v = v.strip()
        if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
            v = v[1:-1]
        out[k] = v
    return out, problems


_SUFFIX = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def _one_limit(s: str) -> int | None:
    s = s.strip()
    if s == "infinity":
        return None
    m = re.fullmatch(r"(\d+)([KMGT]?)", s)
    if not m:
        raise ValueError(s)
    return int(m.group(1)) * _SUFFIX[m.group(2)]


def parse_rlimit(value: str) -> tuple[tuple[int | None, int | None] | None, str | None]:
    """LimitNOFILE= and friends: `N`, `soft:hard`, `infinity` -> ((soft, hard), error); None = unlimited."""
    soft_s, sep, hard_s = value.partition(":")
    try:
        soft = _one_limit(soft_s)
        hard = _one_limit(hard_s) if sep else soft
    except ValueError as e:
        return None, f"invalid resource limit {e.args[0]!r}"
    if soft is not None and hard is not None and soft > hard:
        return None, f"soft limit {soft} is above hard limit {hard}"
    return (soft, hard), None


def parse_tasks_max(value: str, threads_max: int | None) -> tuple[int | None, str | None]:
    """TasksMax=: N, N% (of the kernel's threads-max), or infinity -> (limit or None for none, error)."""
    v = value.strip()
    if v == "infinity":
        return None, None
    if v.endswith("%"):
        try:
            pct = float(v[:-1])
        except ValueError:
            return None, f"invalid TasksMax {v!r}"
        if threads_max is None:
            return None, f"TasksMax={v} is relative to kernel.threads-max, which is unknown"
        return int(threads_max * pct / 100), None
    if v.isdecimal():
        return int(v), None
    return None, f"invalid TasksMax {v!r}"


def parse_caps(value: str) -> tuple[bool, set[str]]:
    """A capability list: (inverted, names). `~CAP_A CAP_B` means all but these."""
    v = value.strip()
    inverted = v.startswith("~")
    names = {w.upper() for w in v.lstrip("~").split()}
    return inverted, names
