"""Structural rules of the code base (issue 18): the import graph has no cycles, and checks and renderers
start no process (facts are the door to the world; execx is the only place a process starts).

The import graph is read from the source with ast: module-level imports only (a function-level import
runs when called, after every module is loaded, and `if TYPE_CHECKING:` imports never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "gomedic"
PROCESS_MODULES = {"subprocess", "gomedic.execx", "multiprocessing", "pty"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PKG.rglob("*.py")}


def _is_type_checking(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def top_level_imports(name: str) -> set[str]:
    """Modules of gomedic that `name` imports when it is imported (package-relative imports resolved)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if _is_type_checking(node):
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m in MODULES and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_the_graph_is_read() -> None:
    """A broken reader would pass vacuously: a few edges every gomedic has."""
    assert "gomedic.registry" in top_level_imports("gomedic.checks.toolchain")
    assert "gomedic.model" in top_level_imports("gomedic.finding")
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_import_cycles() -> None:
    graph = {m: top_level_imports(m) for m in MODULES}
    assert cycles(graph) == [], "import cycles: move what both sides need into a module of its own"


@pytest.mark.parametrize("area", ["checks", "render"])
def test_checks_and_renderers_start_no_process(area: str) -> None:
    """A check reads facts; a renderer reads a finished report. Neither imports subprocess or execx
    (at any level): a process a check needs is a fact's (gomedic.facts.*)."""
    bad = []
    for path in sorted((PKG / area).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or "", *(f"{node.module}.{a.name}" for a in node.names)]
                     if isinstance(node, ast.ImportFrom) else [])
            bad += [f"{path.relative_to(SRC)}:{node.lineno} imports {n}" for n in names if n in PROCESS_MODULES]
    assert bad == []


def test_renderers_are_pure() -> None:
    """Renderers turn a finished (already redacted) report into text: no facts, no redaction, no files."""
    impure = ("gomedic.facts", "gomedic.redact", "gomedic.fsutil", "gomedic.safeio", "gomedic.safefs")
    bad = []
    for path in sorted((PKG / "render").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(impure):
                bad.append(f"{path.relative_to(SRC)}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "open":
                bad.append(f"{path.relative_to(SRC)}:{node.lineno} opens a file")
    assert bad == []


# The doors to the world (issue 18 item 2): what a check or renderer must not call or import. A check asks
# facts.get(KEY); the gatherer of that fact reads through facts.reader / facts.runner.
OS_DOORS = {"stat", "lstat", "listdir", "scandir", "access", "readlink", "open", "getxattr", "walk"}
OS_PATH_DOORS = {"exists", "lexists", "isfile", "isdir", "islink", "ismount", "realpath", "samefile", "getsize",
                 "getmtime"}
PATH_DOORS = {"read_text", "read_bytes", "iterdir", "exists", "is_file", "is_dir", "stat", "lstat", "glob", "rglob"}
DOOR_MODULES = {"subprocess", "gomedic.execx", "gomedic.safeio", "gomedic.safefs", "gomedic.facts.saferead",
                "ctypes"}  # a libc call (a syscall probe) is a door too
DOOR_NAMES = {"gomedic.facts.limits": {"read_text", "sysctl"},
              # helpers of facts and readers of binfmt that open files themselves: a fact's to call
              "gomedic.facts.pathscan": {"is_executable_file", "which", "which_all", "read_version_file"},
              "gomedic.facts.access": {"can", "current_principal", "dangling_link"},
              "gomedic.facts.accounts": {"lookup_user", "lookup_group", "group_name"},
              "gomedic.facts.ports": {"listeners", "holders"}, "gomedic.facts.gocache": {"scan"},
              "gomedic.facts.modvendor": {"vendor_state"}, "gomedic.binfmt.inspect": {"inspect"},
              "gomedic.facts.cctool": {"resolve", "missing_headers"},
              "gomedic.binfmt": {"gosyms", "gofuncs", "buildinfo"}, "gomedic.binfmt.buildinfo": {"go_version_of"}}


def door_uses(path: Path) -> list[str]:
    """Where the module at `path` reads the world itself: file:line and what it calls or imports.

    A target's `t.fs` (targets.rootfs.RootFS) is a door of its own: a directory, a tar or a recorded
    profile (VirtualRoot), chosen by the target fact."""
    bad = []
    for node in ast.walk(ast.parse(path.read_text())):
        where = f"{path.relative_to(SRC)}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            bad += [f"{where} imports {a.name}" for a in node.names if a.name in DOOR_MODULES]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            names = {a.name for a in node.names}
            if mod in DOOR_MODULES or {f"{mod}.{n}" for n in names} & DOOR_MODULES:
                bad.append(f"{where} imports {mod} {sorted(names)}")
            bad += [f"{where} imports {mod}.{n}" for n in sorted(names & DOOR_NAMES.get(mod, set()))]
        elif isinstance(node, ast.Call):
            fn = node.func
            if isinstance(fn, ast.Name) and fn.id == "open":
                bad.append(f"{where} calls open()")
            elif isinstance(fn, ast.Attribute):
                owner = ast.unparse(fn.value)
                if owner == "os" and fn.attr in OS_DOORS:
                    bad.append(f"{where} calls os.{fn.attr}()")
                elif owner == "os.path" and fn.attr in OS_PATH_DOORS:
                    bad.append(f"{where} calls os.path.{fn.attr}()")
                elif owner == "shutil" and fn.attr == "which":
                    bad.append(f"{where} calls shutil.which()")
                elif owner not in ("os", "os.path", "shutil") and not owner.endswith(".fs") and fn.attr in PATH_DOORS:
                    bad.append(f"{where} calls {owner}.{fn.attr}() (a Path's)")
    return bad


def test_the_door_finder_sees_doors(tmp_path: Path) -> None:
    """A finder that sees nothing would pass vacuously: one of each kind it must report."""
    mod = SRC / "gomedic" / "checks" / "_probe_doors.py"
    text = ("import os, shutil\nfrom gomedic import safeio\nfrom gomedic.facts.limits import sysctl, NOFILE\n"
            "def f(p):\n    open(p); os.listdir(p); p.read_text(); p.exists(); shutil.which('go')\n")
    try:
        mod.write_text(text)
        found = door_uses(mod)
    finally:
        mod.unlink()
    assert [b.split(" ", 1)[1] for b in found] == [
        "imports gomedic ['safeio']", "imports gomedic.facts.limits.sysctl", "calls open()", "calls os.listdir()",
        "calls p.read_text() (a Path's)", "calls p.exists() (a Path's)", "calls shutil.which()"]


@pytest.mark.parametrize("area", ["checks", "render"])
def test_checks_and_renderers_do_no_io(area: str) -> None:
    """Facts are the only door to the world: a check or renderer opens, lists, stats nothing itself."""
    bad = [b for path in sorted((PKG / area).rglob("*.py")) for b in door_uses(path)]
    assert bad == [], f"{len(bad)} reads outside the facts:\n" + "\n".join(bad)
