"""Structural: execx.py is the only module of src/gomedic that can start a process (docs/process-audit.md).

Every other module reaches processes through execx.run, which takes a bare program name from a trusted
PATH, applies a timeout and an output cap, and kills everything the process started. A new import of
subprocess, an os.exec*/spawn*/fork/system/popen call or asyncio's subprocess API anywhere else fails
here, so the audit cannot silently go stale.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "gomedic"
# execx starts programs. binfmt/scan.py forks workers that run gomedic's own reading code on a share of a
# large tree (no exec, no program chosen by anything), killed with the parent (PR_SET_PDEATHSIG); see
# docs/process-audit.md.
ALLOWED = {SRC / "execx.py", SRC / "binfmt" / "scan.py"}
MODULES = {"subprocess", "multiprocessing", "pty", "concurrent.futures.process"}
OS_CALLS = {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp", "execv", "execve", "execl",
            "execle", "execlp", "execlpe", "execvp", "execvpe", "spawnl", "spawnle", "spawnlp", "spawnlpe",
            "spawnv", "spawnve", "spawnvp", "spawnvpe"}
ASYNCIO_CALLS = {"create_subprocess_exec", "create_subprocess_shell", "subprocess_exec", "subprocess_shell"}
# Library calls that start a program found on PATH behind the caller's back: `file`, `uname -p`, gcc/ldconfig.
INDIRECT = {("platform", "architecture"), ("platform", "processor"), ("platform", "uname"), ("platform", "platform"),
            ("util", "find_library"), ("uuid", "getnode"), ("uuid", "uuid1")}


def process_starts(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, f"import {a.name}") for a in node.names if a.name in MODULES]
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if mod in MODULES:
                found.append((node.lineno, f"from {mod} import ..."))
            elif mod == "os":
                found += [(node.lineno, f"from os import {a.name}") for a in node.names if a.name in OS_CALLS]
            elif mod.startswith("asyncio"):
                found += [(node.lineno, f"from {mod} import {a.name}") for a in node.names if a.name in ASYNCIO_CALLS]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "os" and node.attr in OS_CALLS:
                found.append((node.lineno, f"os.{node.attr}"))
            elif node.attr in ASYNCIO_CALLS:
                found.append((node.lineno, f"{node.value.id}.{node.attr}"))
            elif (node.value.id, node.attr) in INDIRECT:
                found.append((node.lineno, f"{node.value.id}.{node.attr} (starts a program)"))
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)
              and (node.value.attr, node.attr) in INDIRECT):
            found.append((node.lineno, f"...{node.value.attr}.{node.attr} (starts a program)"))
    return found


def test_only_execx_starts_processes() -> None:
    offenders = []
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 100  # the scan really covers the package
    for path in files:
        if path in ALLOWED:
            continue
        for line, what in process_starts(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            offenders.append(f"{path.relative_to(SRC.parent)}:{line}: {what}")
    assert not offenders, "processes start only in gomedic/execx.py:\n" + "\n".join(offenders)


def test_the_scan_finds_each_way_of_starting_a_process() -> None:
    """The detector itself: each form is caught (a scan that finds nothing proves nothing)."""
    samples = ["import subprocess", "from subprocess import run", "import multiprocessing", "os.system('x')",
               "os.execvp('x', [])", "from os import posix_spawn", "os.fork()", "import pty",
               "asyncio.create_subprocess_exec('x')", "loop.subprocess_exec(f, 'x')",
               "platform.architecture()", "ctypes.util.find_library('c')", "platform.processor()"]
    for s in samples:
        assert process_starts(ast.parse(s)), s
    assert not process_starts(ast.parse("import os\nos.path.join('a')\nfrom gomedic import execx"))
    assert process_starts(ast.parse((SRC / "execx.py").read_text()))  # execx really is where they start
