"""curl, wget and openssl on the evaluated process's PATH: found and described by reading the files.

The PATH comes from what is inspected (another process's environment, a captured root), so what it names
is never executed: a user who starts a process with PATH=~/bin and plants ~/bin/curl would otherwise get
it run by gomedic, as root under `host --pid`. Each tool found is described from its bytes (ELF header,
interpreter, Go build info; a script's #! line). A version is asked for only when the file found is the
very same file (device and inode) as the tool on gomedic's own trusted PATH (execx.TRUSTED_PATH) on this
host, and then the trusted path is what runs: the inspected data only decides whether to ask, never what.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from gomedic import safeio
from gomedic.facts import Facts, fact
from gomedic.facts.door import HOST_READER, Reader, Runner, host_runner
from gomedic.facts.proc import target_env, target_root
from gomedic.values import frozen

TOOLS = ("curl", "wget", "openssl")
VERSION_TIMEOUT = 3.0
DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


@frozen
class Tool:
    name: str
    path: str | None  # as the evaluated process would find it (inside its root); None: not on its PATH
    kind: str = ""  # what the file is, from its bytes
    version: str | None = None  # first line of `--version`, only from the trusted same file
    note: str = ""  # why no version

    def describe(self) -> str:
        if self.path is None:
            return "missing"
        if self.version:
            return f"{self.path}: {self.version}"
        return f"{self.path}: {self.kind} ({self.note})" if self.note else f"{self.path}: {self.kind}"


def find_on(path_var: str, name: str, root: Path, reader: Reader = HOST_READER) -> tuple[str, str] | None:
    """(path as the process sees it, path on this host) of the first executable regular `name` on
    path_var, resolved inside `root`. Relative PATH entries depend on the process's cwd: skipped."""
    for d in path_var.split(os.pathsep):
        if not d.startswith("/"):
            continue
        shown = os.path.join(d, name)
        host = str(root / shown.lstrip("/"))
        try:
            st = reader.stat(root, shown)
        except (OSError, ValueError):
            continue
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111:
            return shown, host
    return None


def describe_file(path: str, reader: Reader = HOST_READER) -> str:
    """What an executable file is, from its first bytes and headers: never by running it."""
    try:
        head = reader.read(Path("/"), path, 256)
    except OSError as e:
        return f"unreadable ({safeio.describe(e)})"
    if head.startswith(b"#!"):
        line = head[2:].split(b"\n", 1)[0].strip().decode("utf-8", "replace")
        return f"a script (#!{line[:80]})"
    if not head.startswith(b"\x7fELF"):
        return "not an ELF executable or script"
    from gomedic.binfmt.inspect import inspect

    ins = inspect(path)
    if ins.error:
        return f"a malformed ELF file ({ins.error[:120]})"
    parts = [f"ELF {ins.goarch or '?'}"]
    interp = ins.elf.dynamic.interpreter if ins.elf else None
    parts.append(f"interpreter {interp}" if interp else "static")
    if ins.go_version:
        parts.append(f"Go {ins.go_version}")
    return ", ".join(parts)


def same_file(a: str, b: str, reader: Reader = HOST_READER) -> bool:
    try:
        sa, sb = reader.stat(Path("/"), a), reader.stat(Path("/"), b)
    except OSError:
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def trusted_version(name: str, host_path: str, reader: Reader = HOST_READER,
                    runner: Runner = host_runner) -> tuple[str | None, str]:
    """(first line of the version, why none): run only the trusted copy, only if it is the same file."""
    from gomedic import execx
    from gomedic.errors import CommandError

    try:
        trusted = execx.resolve(name)
    except CommandError:
        trusted = None
    if trusted is None or not same_file(trusted, host_path, reader):
        return None, f"not run: not the {name} of gomedic's trusted PATH"
    try:
        r = runner([trusted, "version" if name == "openssl" else "--version"], timeout=VERSION_TIMEOUT)
    except CommandError as e:
        return None, str(e)
    if r.ok and r.stdout.strip():
        return r.stdout.splitlines()[0].strip()[:160], ""
    return None, r.describe()[:160]


def find_tool(name: str, path_var: str, root: Path, reader: Reader = HOST_READER,
              runner: Runner = host_runner) -> Tool:
    found = find_on(path_var, name, root, reader)
    if found is None:
        return Tool(name, None)
    shown, host = found
    version, note = (
        trusted_version(name, host, reader, runner) if str(root) == "/" else (None, "not run: inside --root")
    )
    return Tool(name, shown, describe_file(host, reader), version, note)


@fact("host.net-tools")
def NET_TOOLS(f: Facts) -> tuple[Tool, ...]:
    path_var = target_env(f).get("PATH") or DEFAULT_PATH
    root = target_root(f)
    return tuple(find_tool(t, path_var, root, f.reader, f.runner) for t in TOOLS)
