"""direnv: `.envrc` read as direnv's bash would run it (never executed), whether it is allowed, and whether
direnv is hooked into a shell.

Besides plain shell, `.envrc` files call direnv's stdlib; these are followed: `layout go` (prepends
`$PWD/.direnv/go` to GOPATH and its bin to PATH, direnv 2.32 `layout_go`), `PATH_add DIR`,
`path_add VAR DIR`, `dotenv [FILE]` / `dotenv_if_exists [FILE]` (a dotenv file, default `.env`). `use go`
is reported: direnv has no `use_go` and prints `use_go: command not found`, then carries on.
"""

from __future__ import annotations

import os

from gomedic.layers import dotenv
from gomedic.layers.model import Kind, Reader, Setting
from gomedic.layers.shparse import ShellSim
from gomedic.layers.shtokens import Word, plain
from gomedic.lazyre import LazyRegex

HOOK = LazyRegex(r"direnv\s+hook\s+(bash|zsh|fish|\$SHELL|\S+)")


def hooked(rc_text: str) -> str | None:
    """The shell direnv is hooked for in an rc file (`eval "$(direnv hook bash)"`, `direnv hook fish |
    source`), or None. A commented-out hook does not count."""
    for line in rc_text.split("\n"):
        code = line.split("#", 1)[0] if not line.lstrip().startswith("eval") else line
        if line.lstrip().startswith("#"):
            continue
        m = HOOK.search(code)
        if m:
            return m.group(1)
    return None


def allow_hash(envrc_path: str, content: bytes) -> str:
    """The name of the file `direnv allow` writes under $XDG_DATA_HOME/direnv/allow/ (checked against
    direnv 2.32 in the tests)."""
    import hashlib  # here: hashlib (OpenSSL) is ~3 ms of `gomedic check`'s start-up, and few runs hash

    return hashlib.sha256(envrc_path.encode() + b"\n" + content).hexdigest()


class EnvrcSim(ShellSim):
    def __init__(self, env: dict[str, str], home: str, read: Reader, directory: str) -> None:
        super().__init__(env, home, read, Kind.DIRENV)
        self.directory = directory
        self.env["PWD"] = directory
        self.notes: list[tuple[int, str]] = []

    def _command(self, path: str, cmd: list[Word], cond: bool, depth: int) -> None:
        head = plain(cmd[0])
        args = [w.expand(self.env, self.home) for w in cmd[1:]]
        line = cmd[0].line
        if head == "use" and args[:1] == ["go"]:
            self.notes.append((line, "`use go`: direnv has no `use_go` (it prints `use_go: command not found` "
                                     "and goes on); this line sets nothing"))
        elif head == "layout" and args[:1] == ["go"]:
            base = os.path.join(self.directory, ".direnv", "go")
            self._set("GOPATH", _prepend(base, self.env.get("GOPATH", "")), path, line, cond)
            self._set("PATH", _prepend(os.path.join(base, "bin"), self.env.get("PATH", "")), path, line, cond)
        elif head == "PATH_add" and args:
            new = ":".join(os.path.join(self.directory, a) for a in args)
            self._set("PATH", _prepend(new, self.env.get("PATH", "")), path, line, cond)
        elif head == "path_add" and len(args) >= 2:
            new = ":".join(os.path.join(self.directory, a) for a in args[1:])
            self._set(args[0], _prepend(new, self.env.get(args[0], "")), path, line, cond)
        elif head in ("dotenv", "dotenv_if_exists"):
            target = os.path.join(self.directory, args[0]) if args else os.path.join(self.directory, ".env")
            text = self.read(target)
            if text is None:
                if head == "dotenv":
                    self.notes.append((line, f"`dotenv`: {target} not found (direnv: `.env at {target} not found`)"))
                return
            for s in dotenv.parse(text, target, self.env, Kind.DOTENV):
                self.settings.append(Setting(s.key, s.value, Kind.DOTENV, s.file, s.line, cond or s.conditional))
                if not cond and s.value is not None:
                    self.env[s.key] = s.value
                    self.exported.add(s.key)
        else:
            super()._command(path, cmd, cond, depth)

    def _set(self, name: str, value: str, path: str, line: int, cond: bool) -> None:
        if not cond:
            self.env[name] = value
            self.exported.add(name)
        self._record(name, value, path, line, cond, False)


def _prepend(new: str, cur: str) -> str:
    return f"{new}:{cur}" if cur else new
