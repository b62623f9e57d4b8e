"""Shell syntax for environment blocks: bash, zsh, sh (POSIX) and fish, and the rc file each shell reads.

`EnvBlock` is what a shell must do (unset, export, add to PATH); `lines(block, shell)` writes it so that
sourcing it twice changes nothing the second time (PATH entries are added only when missing).
"""

from __future__ import annotations

import enum
import os
import shlex
from collections.abc import Mapping

from gomedic.errors import UsageError
from gomedic.values import frozen


class Shell(str, enum.Enum):
    BASH = "bash"
    ZSH = "zsh"
    FISH = "fish"
    SH = "sh"


@frozen
class EnvBlock:
    """Environment changes, each with the reason shown as a comment."""

    unset: tuple[tuple[str, str], ...] = ()  # (NAME, why)
    export: tuple[tuple[str, str, str], ...] = ()  # (NAME, value, why)
    prepend: tuple[tuple[str, str], ...] = ()  # (dir, why): put first on PATH
    append: tuple[tuple[str, str], ...] = ()  # (dir, why): put last on PATH

    @property
    def empty(self) -> bool:
        return not (self.unset or self.export or self.prepend or self.append)

    def apply_to(self, env: Mapping[str, str]) -> dict[str, str]:
        """The environment a shell has after sourcing the block (what the re-check and tests compare)."""
        out = {k: v for k, v in env.items() if k not in {n for n, _ in self.unset}}
        for name, value, _ in self.export:
            out[name] = value
        parts = [p for p in out.get("PATH", "").split(os.pathsep) if p] if out.get("PATH") else []
        for d, _ in self.prepend:
            if d not in parts:
                parts.insert(0, d)
        for d, _ in self.append:
            if d not in parts:
                parts.append(d)
        out["PATH"] = os.pathsep.join(parts)
        return out


def parse_shell(name: str) -> Shell:
    base = os.path.basename(name.strip()) or "sh"
    if base.startswith("-"):
        base = base[1:]
    aliases = {"bash": Shell.BASH, "zsh": Shell.ZSH, "fish": Shell.FISH, "sh": Shell.SH, "dash": Shell.SH,
               "ash": Shell.SH, "ksh": Shell.SH, "mksh": Shell.SH, "busybox": Shell.SH}
    try:
        return aliases[base]
    except KeyError:
        raise UsageError(f"unsupported shell {name!r} (supported: bash, zsh, fish, sh)") from None


def rc_file(shell: Shell, env: Mapping[str, str], home: str) -> tuple[str, str]:
    """(path, advice): the file the shell reads for new interactive shells."""
    if shell is Shell.ZSH:
        d = env.get("ZDOTDIR") or home
        return os.path.join(d, ".zshrc"), "zsh reads it in every interactive shell"
    if shell is Shell.FISH:
        xdg = env.get("XDG_CONFIG_HOME", "")
        base = xdg if xdg and os.path.isabs(xdg) else os.path.join(home, ".config")
        return os.path.join(base, "fish", "conf.d", "go.fish"), "fish sources every file in conf.d at startup"
    if shell is Shell.BASH:
        return os.path.join(home, ".bashrc"), ("interactive bash reads it; login shells read ~/.bash_profile "
                                                "or ~/.profile, which must source ~/.bashrc")
    return os.path.join(home, ".profile"), "login shells read it (log out and in again)"


def _fish_quote(s: str) -> str:
    if s and all(c.isalnum() or c in "/._-+:@%," for c in s):
        return s
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'"


def lines(block: EnvBlock, shell: Shell) -> list[str]:
    """The block in `shell`'s syntax; idempotent when sourced repeatedly."""
    out: list[str] = []
    for name, why in block.unset:
        out.append(f"# {why}")
        out.append(f"set -e {name}" if shell is Shell.FISH else f"unset {name}")
    for name, value, why in block.export:
        out.append(f"# {why}")
        out.append(f"set -gx {name} {_fish_quote(value)}" if shell is Shell.FISH
                   else f"export {name}={shlex.quote(value)}")
    for d, why in block.prepend:
        out.append(f"# {why}")
        out.append(_path_line(d, shell, first=True))
    for d, why in block.append:
        out.append(f"# {why}")
        out.append(_path_line(d, shell, first=False))
    return out


def _path_line(d: str, shell: Shell, *, first: bool) -> str:
    if shell is Shell.FISH:
        q = _fish_quote(d)
        new = f"{q} $PATH" if first else f"$PATH {q}"
        return f"contains -- {q} $PATH; or set -gx PATH {new}"
    q = shlex.quote(d)
    new = f'{q}"${{PATH:+:$PATH}}"' if first else f'"${{PATH:+$PATH:}}"{q}'
    return f'case ":${{PATH}}:" in *:{q}:*) ;; *) export PATH={new} ;; esac'
