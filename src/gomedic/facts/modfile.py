"""go.mod and go.work parsing (pure): the directives gomedic judges, with line numbers and errors.

Not a full golang.org/x/mod: it reads module, go, toolchain, godebug, require, replace, exclude, retract
and use, in single-line and block form, with // comments and quoted paths.
"""

from __future__ import annotations

from gomedic.lazyre import LazyRegex
from gomedic.values import field, frozen

_GO_LINE = LazyRegex(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))?((rc|beta|alpha)(0|[1-9][0-9]*)?)?$")
_TOOLCHAIN = LazyRegex(r"^(default|go[0-9][0-9A-Za-z.+-]*)$")
VERBS = {"module", "go", "toolchain", "godebug", "require", "replace", "exclude", "retract", "use", "tool", "ignore"}


@frozen
class Require:
    path: str
    version: str
    indirect: bool
    line: int


@frozen
class Replace:
    old: str
    old_version: str
    new: str
    new_version: str
    line: int


@frozen
class ModFile:
    module: str | None = None
    go: str | None = None
    go_line_no: int = 0
    toolchain: str | None = None
    requires: tuple[Require, ...] = ()
    replaces: tuple[Replace, ...] = ()
    uses: tuple[str, ...] = ()  # go.work
    # (directive, line) of the first use of each directive: an older go rejects the newer ones
    directives: tuple[tuple[str, int], ...] = ()
    errors: tuple[tuple[int, str], ...] = field(default_factory=tuple)


def _tokens(line: str) -> list[str]:
    out: list[str] = []
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if c.isspace():
            i += 1
        elif line.startswith("//", i):
            break
        elif c == '"':
            j = i + 1
            while j < n and line[j] != '"':
                j += 2 if line[j] == "\\" else 1
            out.append(line[i + 1 : j])
            i = j + 1
        elif c == "`":
            j = line.find("`", i + 1)
            j = n if j < 0 else j
            out.append(line[i + 1 : j])
            i = j + 1
        elif c in "()":
            out.append(c)
            i += 1
        else:
            j = i
            while j < n and not line[j].isspace() and line[j] not in "()" and not line.startswith("//", j):
                j += 1
            out.append(line[i:j])
            i = j
    return out


def parse(text: str) -> ModFile:
    module = go = toolchain = None
    go_no = 0
    requires: list[Require] = []
    replaces: list[Replace] = []
    uses: list[str] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    block: str | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        toks = _tokens(raw)
        indirect = "// indirect" in raw
        if not toks:
            continue
        if block is not None:
            if toks == [")"]:
                block = None
                continue
            verb, args = block, toks
        else:
            verb, args = toks[0], toks[1:]
            if verb not in VERBS:
                errors.append((n, f"unknown directive: {verb}"))
                continue
            seen.setdefault(verb, n)
            if args == ["("]:
                block = verb
                continue
        if verb == "module":
            module = args[0] if args else None
        elif verb == "go":
            if len(args) != 1 or not _GO_LINE.match(args[0]):
                errors.append((n, f"invalid go version '{' '.join(args)}': must match format 1.23.0"))
            else:
                go, go_no = args[0], n
        elif verb == "toolchain":
            if len(args) != 1 or not _TOOLCHAIN.match(args[0]):
                errors.append(
                    (n, f"invalid toolchain version '{' '.join(args)}': must match format go1.23.0 or default")
                )
            else:
                toolchain = args[0]
        elif verb == "require":
            if len(args) != 2:
                errors.append((n, "usage: require module/path v1.2.3"))
            else:
                requires.append(Require(args[0], args[1], indirect, n))
        elif verb == "replace":
            rep = _replace(args, n)
            if rep is None:
                errors.append(
                    (
                        n,
                        "usage: replace module/path [v1.2.3] => other/module v1.4\n"
                        "\t or replace module/path [v1.2.3] => ../local/directory",
                    )
                )
            else:
                replaces.append(rep)
        elif verb == "use":
            if len(args) != 1:
                errors.append((n, "usage: use local/dir"))
            else:
                uses.append(args[0])
    if block is not None:
        errors.append((len(text.splitlines()), f"unclosed {block} block"))
    return ModFile(module, go, go_no, toolchain, tuple(requires), tuple(replaces), tuple(uses), tuple(seen.items()),
                   tuple(errors))


def _replace(args: list[str], n: int) -> Replace | None:
    if "=>" not in args:
        return None
    i = args.index("=>")
    left, right = args[:i], args[i + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2):
        return None
    return Replace(left[0], left[1] if len(left) == 2 else "", right[0], right[1] if len(right) == 2 else "", n)
