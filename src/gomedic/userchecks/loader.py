"""Load check files: includes (with cycle detection), variables, and every entry validated on its own.

Each entry of `checks:` is converted with msgspec separately, so one bad entry does not hide the next: the
result is every problem of every check, each with file:line:column taken from the YAML nodes.

    version: 1
    vars: {port: 8443}
    include: [common.yaml, teams/*.yaml]     # relative to this file; globs allowed
    checks:
      - name: api-listens
        kind: tcp
        address: "127.0.0.1:${port}"
"""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

import msgspec

from gomedic.userchecks.errors import CheckFileError, Issue
from gomedic.userchecks.kinds import KINDS, AnyCheck
from gomedic.userchecks.variables import Expansion, VarError, expand, read_vars, substitute
from gomedic.userchecks.yamldoc import PathKey, Tree, parse_file
from gomedic.values import frozen, replace

TOP_KEYS = ("version", "vars", "include", "checks")
MAX_INCLUDE_FILES = 1000
_AT = re.compile(r"\s+- at `\$([^`]*)`$")
_TOKEN = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_FIELD = re.compile(r"field `([^`]+)`")


@frozen
class Declared:
    """A validated check and where it was declared."""

    check: Any  # one of kinds.AnyCheck
    file: str
    line: int
    column: int


@dataclass
class _State:
    env: Mapping[str, str]
    issues: list[Issue] = dc_field(default_factory=list)
    checks: list[Declared] = dc_field(default_factory=list)
    names: dict[str, Declared] = dc_field(default_factory=dict)
    seen: set[str] = dc_field(default_factory=set)
    files: list[str] = dc_field(default_factory=list)
    exp: Expansion = dc_field(default_factory=Expansion)


def _path_of(msg_path: str) -> tuple[str | int, ...]:
    out: list[str | int] = []
    for m in _TOKEN.finditer(msg_path):
        if m.group(1) is not None:
            out.append(m.group(1))
        elif m.group(2) == "...":
            break  # a dict value: msgspec does not say which key
        else:
            out.append(int(m.group(2)))
    return tuple(out)


def _msgspec_issue(tree: Tree, base: PathKey, err: msgspec.ValidationError, check: str,
                   removed: set[str]) -> str | None:
    """Report one msgspec error; return the top-level field to drop before trying again (None: stop)."""
    text = str(err)
    m = _AT.search(text)
    sub = _path_of(m.group(1)) if m else ()
    text = text[: m.start()] if m else text
    where = ".".join(str(p) for p in sub)
    name = _FIELD.search(text)
    fld = name.group(1) if name else "?"
    if text.startswith("Object contains unknown field"):
        tree.issue((*base, *sub, fld), f"unknown field {fld!r}" + (f" in {where}" if where else ""), key=True,
                   check=check)
        return str(sub[0]) if sub else fld
    if text.startswith("Object missing required field"):
        if not sub and fld in removed:
            return None  # it was there, and wrong: already reported
        tree.issue((*base, *sub), f"missing required field {fld!r}" + (f" in {where}" if where else ""), check=check)
        return str(sub[0]) if sub else None
    if sub == ("kind",) and text.startswith("Invalid value"):
        tree.issue((*base, *sub), f"kind: {text[len('Invalid value '):]} is not a kind ({', '.join(KINDS)})",
                   check=check)
        return None
    tree.issue((*base, *sub), f"{where}: {text[0].lower()}{text[1:]}" if where else text, check=check)
    return str(sub[0]) if sub and sub[0] != "kind" else None


MAX_ERRORS_PER_CHECK = 50
# Valid stand-ins for required fields found in error, so the rest of the entry is still checked.
_STAND_IN: dict[str, Any] = {
    "name": "invalid", "run": ["true"], "path": "/", "url": "http://127.0.0.1/", "address": "127.0.0.1:1",
    "host": "localhost", "key": "kernel.ostype", "var": "PATH", "value": 0, "process": "init", "metric": "up",
    "unit": "invalid.service",
}


def _convert(tree: Tree, value: dict[str, Any], base: PathKey, check: str) -> Any:
    """The entry as its kind's Struct, or None; every field error is reported (msgspec stops at the first,
    so a field in error is dropped and the entry converted again)."""
    removed: set[str] = set()
    value = dict(value)
    for _ in range(MAX_ERRORS_PER_CHECK):
        try:
            converted = msgspec.convert(value, AnyCheck, strict=False)
        except msgspec.ValidationError as e:
            drop = _msgspec_issue(tree, base, e, check, removed)
            if drop is None or drop not in value:
                return None
            removed.add(drop)
            if drop in _STAND_IN:
                value[drop] = _STAND_IN[drop]
            else:
                del value[drop]
            continue
        for sub, msg in converted.problems():
            tree.issue((*base, *sub), msg, check=check)
        return None if removed else converted
    return None


def _program_is_literal(tree: Tree, raw: dict[str, Any], base: PathKey, check: str) -> None:
    """A command check's program (and the PATH it is looked up on) is written in the check file itself:
    never filled from a variable, so a --vars file or an environment variable cannot choose what gomedic
    executes (docs/process-audit.md)."""
    if raw.get("kind") != "command":
        return
    run = raw.get("run")
    program = (
        run[0] if isinstance(run, list) and run else (run.split(maxsplit=1) or [""])[0] if isinstance(run, str) else ""
    )
    if isinstance(program, str) and "$" in program.replace("$$", ""):
        at: PathKey = (*base, "run", 0) if isinstance(run, list) else (*base, "run")
        tree.issue(at, f"run: the program {program!r} comes from a variable; write the program itself in the "
                   "check file (variables may fill its arguments)", check=check)
    env = raw.get("env")
    path = env.get("PATH") if isinstance(env, dict) else None
    if isinstance(path, str) and "$" in path.replace("$$", ""):
        tree.issue((*base, "env", "PATH"), "env: PATH comes from a variable; write it in the check file",
                   check=check)


def _entry(tree: Tree, raw: Any, base: PathKey, scope: Mapping[str, str], st: _State) -> None:
    if not isinstance(raw, dict):
        tree.issue(base, "a check must be a mapping with at least name: and kind:")
        return
    name = str(raw["name"]) if isinstance(raw.get("name"), str) else ""
    before = len(tree.issues)
    if st.exp.exhausted:
        return  # the expansion budget is spent (reported once, where it happened)
    _program_is_literal(tree, raw, base, name)
    value = expand(tree, raw, base, scope, st.env, check=name, exp=st.exp)
    if len(tree.issues) > before:
        return
    check = _convert(tree, value, base, name)
    if check is None:
        return
    first = st.names.get(check.name)
    if first is not None:
        tree.issue((*base, "name"), f"duplicate check name {check.name!r} (first at {first.file}:{first.line})",
                   check=name)
        return
    d = Declared(check, tree.file, tree.pos(base).line, tree.pos(base).column)
    st.names[check.name] = d
    if len(tree.issues) == before:
        st.checks.append(d)


def _includes(tree: Tree, raw: Any, here: Path, scope: Mapping[str, str], st: _State, stack: list[str]) -> None:
    items = raw if isinstance(raw, list) else [raw]
    for i, item in enumerate(items):
        at: PathKey = ("include", i) if isinstance(raw, list) else ("include",)
        if not isinstance(item, str) or not item:
            tree.issue(at, "include: a file name or glob")
            continue
        try:
            pattern = substitute(item, scope, st.env, st.exp)
        except VarError as e:
            tree.issue(at, str(e))
            continue
        full = pattern if os.path.isabs(pattern) else str(here.parent / pattern)
        matches = sorted(glob.glob(full)) if glob.has_magic(full) else [full]
        if not matches and glob.has_magic(full):
            continue  # an empty glob includes nothing
        for m in matches[:MAX_INCLUDE_FILES]:
            real = os.path.realpath(m)
            if real in stack:
                chain = " -> ".join([*(os.path.basename(s) for s in stack[stack.index(real):]), os.path.basename(real)])
                tree.issue(at, f"include cycle: {chain}")
                continue
            if not os.path.isfile(m):
                tree.issue(at, f"included file {m} does not exist")
                continue
            _file(Path(m), scope, st, stack)


def _looks_like_vars(doc: object) -> bool:
    """A mapping of scalars with none of a check file's keys: a vars file given where a check file goes."""
    return (isinstance(doc, dict) and bool(doc) and not any(k in TOP_KEYS for k in doc)
            and all(isinstance(v, (str, int, float, bool)) for v in doc.values()))


def _file(path: Path, inherited: Mapping[str, str], st: _State, stack: list[str]) -> None:
    real = os.path.realpath(path)
    if real in st.seen:
        return  # included twice (a diamond): its checks are already there
    st.seen.add(real)
    st.files.append(str(path))
    st.exp.new_file()
    tree = parse_file(path)
    doc = tree.value
    if doc is not None and not isinstance(doc, dict):
        tree.issue((), "a check file is a mapping with checks: (and optionally version:, vars:, include:)")
        doc = None
    if _looks_like_vars(doc):
        tree.issue((), f"this is a vars file (only NAME: value pairs, no checks:), not a check file: "
                   f"pass it with --vars {path}")
        doc = None
    if isinstance(doc, dict):
        for k in doc:
            if k not in TOP_KEYS:
                tree.issue((k,), f"unknown top-level key {k!r} (expected {', '.join(TOP_KEYS)})", key=True)
        if doc.get("version", 1) != 1:
            tree.issue(("version",), f"version {doc.get('version')!r} is not supported (this gomedic reads version 1)")
        own = read_vars(tree, doc.get("vars"), ("vars",))
        scope: dict[str, str] = {}
        for k, v in own.items():
            try:
                scope[k] = substitute(v, inherited, st.env, st.exp)
            except VarError as e:
                tree.issue(("vars", k), str(e))
        st.exp.taint(scope)
        scope.update(inherited)  # the including file and --vars win over a file's own defaults
        if "include" in doc:
            _includes(tree, doc["include"], path, scope, st, [*stack, real])
        checks = doc.get("checks", [])
        if checks is None:
            checks = []
        if not isinstance(checks, list):
            tree.issue(("checks",), "checks: a list of checks (each starting with `- name:`)")
        else:
            for i, raw in enumerate(checks):
                _entry(tree, raw, ("checks", i), scope, st)
    st.issues.extend(sorted(tree.issues, key=lambda i: (i.line, i.column)))


def read_vars_files(paths: Iterable[str | os.PathLike[str]], env: Mapping[str, str],
                    exp: Expansion | None = None) -> tuple[dict[str, str], list[Issue]]:
    """`--vars FILE` (YAML mappings of name: value; later files win)."""
    exp = Expansion() if exp is None else exp
    out: dict[str, str] = {}
    issues: list[Issue] = []
    for p in paths:
        exp.new_file()
        tree = parse_file(Path(p))
        if tree.value is not None:
            for k, v in read_vars(tree, tree.value, ()).items():
                try:
                    out[k] = substitute(v, {}, env, exp)
                except VarError as e:
                    tree.issue((k,), str(e))
        issues.extend(tree.issues)
    exp.taint(out)
    return out, issues


@frozen
class Loaded:
    checks: tuple[Declared, ...]
    issues: tuple[Issue, ...]
    files: tuple[str, ...]
    secrets: tuple[str, ...] = ()  # values of secret-named variables and environment variables used


def validate(paths: Iterable[str | os.PathLike[str]], *, vars_files: Iterable[str | os.PathLike[str]] = (),
             variables: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None) -> Loaded:
    """Every check of `paths` (and their includes) and every problem found; never raises for file content."""
    from gomedic.redact import redact_text, remember

    env = dict(os.environ) if env is None else env
    st = _State(env)
    scope, issues = read_vars_files(vars_files, env, st.exp)
    scope.update(variables or {})
    st.exp.taint(variables or {})
    st.issues.extend(issues)
    for p in paths:
        _file(Path(p), scope, st, [])
    secrets = tuple(sorted(st.exp.secrets))
    remember(secrets)  # hidden in every output of this process: reports, errors, explain
    shown = tuple(replace(i, message=redact_text(i.message, secrets)) for i in st.issues)
    return Loaded(tuple(st.checks), shown, tuple(st.files), secrets)


def load(paths: Iterable[str | os.PathLike[str]], **kw: Any) -> tuple[Declared, ...]:
    """The checks of `paths`; raises CheckFileError listing every problem when any file is invalid."""
    loaded = validate(paths, **kw)
    if loaded.issues:
        raise CheckFileError(loaded.issues)
    return loaded.checks


__all__ = ["AnyCheck", "Declared", "Loaded", "load", "validate"]
