"""Read a YAML check file into plain Python values plus the line and column of every node.

PyYAML's C composer (`yaml.compose(..., Loader=CSafeLoader)`) gives the node tree with marks; this module
turns it into dicts, lists and scalars itself, so it can record where each value and each key came from,
reject duplicate keys (YAML would silently keep the last one and drop a check), expand `<<` merge keys, and
bound what hostile input can cost: file size, nesting depth and alias expansion are all capped, and every
problem becomes an Issue instead of an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

from gomedic import safeio
from gomedic.userchecks.errors import Issue
from gomedic.values import frozen

MAX_BYTES = 4 << 20
MAX_NODES = 200_000
MAX_DEPTH = 64

PathKey = tuple[str | int, ...]
_MERGE = "tag:yaml.org,2002:merge"
_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_PLAIN_TAGS = frozenset({"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:omap"})


@frozen
class Pos:
    line: int
    column: int


@dataclass
class Tree:
    """A parsed file: its value (None when unreadable), where each path starts, and what went wrong."""

    file: str
    value: Any = None
    at: dict[PathKey, Any] = dc_field(default_factory=dict)  # path -> a yaml Mark (or a Pos)
    keys: dict[PathKey, Any] = dc_field(default_factory=dict)
    issues: list[Issue] = dc_field(default_factory=list)

    def pos(self, path: PathKey, *, key: bool = False) -> Pos:
        """Position of `path` (of its key with key=True), else of its nearest recorded ancestor."""
        if key and path in self.keys:
            return _as_pos(self.keys[path])
        p = path
        while p:
            if p in self.at:
                return _as_pos(self.at[p])
            p = p[:-1]
        return _as_pos(self.at.get((), Pos(1, 1)))

    def issue(self, path: PathKey, message: str, *, key: bool = False, check: str = "") -> Issue:
        pos = self.pos(path, key=key)
        i = Issue(self.file, pos.line, pos.column, message, check)
        self.issues.append(i)
        return i


class _TooBig(Exception):
    pass


def _as_pos(mark: Any) -> Pos:
    return mark if isinstance(mark, Pos) else Pos(mark.line + 1, mark.column + 1)


def _mark(node: Any) -> Any:
    return node.start_mark


class _Builder:
    def __init__(self, tree: Tree) -> None:
        import yaml

        self.yaml = yaml
        self.tree = tree
        self.nodes = 0
        self.ctor = yaml.constructor.SafeConstructor()

    def build(self, node: Any, path: PathKey, depth: int) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(f"more than {MAX_NODES} values (aliases expand too much?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"nested deeper than {MAX_DEPTH} levels")
        self.tree.at.setdefault(path, _mark(node))
        if isinstance(node, self.yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            self.tree.issue(path, f"unsupported YAML tag {node.tag!r}")
            return None
        if isinstance(node, self.yaml.SequenceNode):
            return [self.build(child, (*path, i), depth + 1) for i, child in enumerate(node.value)]
        return self.mapping(node, path, depth)

    def scalar(self, node: Any, path: PathKey) -> Any:
        if node.tag == _STR or (node.tag == _BOOL and node.value.lower() not in ("true", "false")):
            return str(node.value)  # YAML 1.2 booleans: `yes`, `no`, `on`, `off` stay strings
        try:
            value = self.ctor.construct_object(node)
        except self.yaml.YAMLError as e:
            self.tree.issue(path, f"cannot read value {node.value!r}: {getattr(e, 'problem', None) or e}")
            return None
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        return str(node.value)  # timestamps, binary: keep the text

    def mapping(self, node: Any, path: PathKey, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for k, v in node.value:
            if k.tag == _MERGE:
                sources = v.value if isinstance(v, self.yaml.SequenceNode) else [v]
                for src in sources:
                    value = self.build(src, path, depth + 1)
                    if isinstance(value, dict):
                        for mk, mv in value.items():
                            merged.setdefault(mk, mv)
                    else:
                        self.tree.issue(path, "`<<` merges only mappings")
                continue
            if not isinstance(k, self.yaml.ScalarNode):
                self.tree.at.setdefault(path, _mark(k))
                self.tree.issues.append(Issue(self.tree.file, *_pos(k), "a key must be a plain string"))
                continue
            name = str(k.value)
            child = (*path, name)
            if name in out:
                first = _as_pos(self.tree.keys[child])
                line, col = _pos(k)
                self.tree.issues.append(
                    Issue(self.tree.file, line, col, f"duplicate key {name!r} (first at line {first.line})")
                )
                continue
            self.tree.keys[child] = _mark(k)
            out[name] = self.build(v, child, depth + 1)
        for mk, mv in merged.items():
            out.setdefault(mk, mv)
        return out


def _pos(node: Any) -> tuple[int, int]:
    p = _as_pos(node.start_mark)
    return p.line, p.column


def parse_text(text: str, file: str) -> Tree:
    """Parse one YAML document. Never raises for bad input: problems are in `tree.issues`."""
    import yaml

    tree = Tree(file)
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        context = getattr(e, "context", None)
        msg = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
        tree.issues.append(Issue(file, line, col, msg))
        return tree
    except (RecursionError, MemoryError):
        tree.issues.append(Issue(file, 1, 1, "not valid YAML: nested too deeply"))
        return tree
    if node is None:
        tree.value = {}
        return tree
    try:
        tree.value = _Builder(tree).build(node, (), 0)
    except _TooBig as e:
        tree.issues.append(Issue(file, 1, 1, f"document too large: {e}"))
        tree.value = None
    except RecursionError:
        tree.issues.append(Issue(file, 1, 1, "document too large: nested too deeply"))
        tree.value = None
    return tree


def parse_file(path: Path, shown: str | None = None) -> Tree:
    """Read and parse a check file; a missing, huge, binary or non-UTF-8 file is an Issue, not an exception."""
    name = shown or str(path)
    try:
        with safeio.open_binary(path) as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as e:
        return Tree(name, issues=[Issue(name, 1, 1, f"cannot read: {e.strerror or e}")])
    if len(data) > MAX_BYTES:
        return Tree(name, issues=[Issue(name, 1, 1, f"file larger than {MAX_BYTES >> 20} MiB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        return Tree(name, issues=[Issue(name, line, col, "not UTF-8 text")])
    return parse_text(text, name)
