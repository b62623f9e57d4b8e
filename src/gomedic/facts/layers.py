"""Gathering the configuration layers: reads rc files, `.envrc`, `.env`, the GOENV file, GOROOT/go.env and
VS Code's settings and launch.json. It never executes any of them (nor anything they name); the parsing and
the prediction are pure (gomedic.layers).

Contexts modelled (Linux and macOS shells):
- terminal: a new interactive shell of $SHELL (bash -i: /etc/bash.bashrc, ~/.bashrc; zsh: .zshenv, .zshrc;
  fish: universal variables, conf.d, config.fish; sh: $ENV), then direnv's `.envrc` when direnv is hooked
  into those files and the `.envrc` is allowed.
- VS Code (when VS Code settings or a .vscode folder exist): VS Code started from the desktop resolves its
  environment by running `$SHELL -i -l`, so login files count (~/.bash_profile or ~/.profile, .zprofile,
  .zlogin), not direnv; then `go.toolsEnvVars`, and `go.goroot`/`go.gopath` when the environment lacks them.
- debug: <configuration>: VS Code's, then the Go launch configuration's `envFile`, then its `env`.
Every context starts from gomedic's own environment; the go command then reads GOENV file and go.env.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping

from gomedic.facts import Facts, fact
from gomedic.facts.envfile import goenv_location
from gomedic.facts.envfile import parse as parse_goenv
from gomedic.facts.layers_editor import launch_settings, vscode_settings
from gomedic.facts.pathscan import gos_on_path
from gomedic.facts.saferead import SafeReader
from gomedic.facts.vscode import VSCODE
from gomedic.layers import direnv
from gomedic.layers.fishparse import FishSim, apply_universal
from gomedic.layers.model import Kind, Setting, tracked
from gomedic.layers.resolve import Context
from gomedic.layers.shparse import ShellSim
from gomedic.macos.pathhelper import path_helper
from gomedic.values import frozen

SHELLS = ("bash", "zsh", "fish", "sh")


@frozen
class Layers:
    shell: str
    contexts: tuple[Context, ...]
    notes: tuple[str, ...]  # what the reader should know: direnv not hooked, `use go`, unreadable files
    files: tuple[str, ...]  # every file read


def shell_of(env: Mapping[str, str]) -> str:
    name = os.path.basename(env.get("SHELL", "") or "sh")
    return name if name in SHELLS else "sh"


def startup_files(shell: str, home: str, env: Mapping[str, str], login: bool) -> list[str]:
    """The files an interactive shell reads, in order (login: as `$SHELL -i -l`)."""
    if shell == "bash":
        if not login:
            return ["/etc/bash.bashrc", f"{home}/.bashrc"]
        first = next((p for p in (f"{home}/.bash_profile", f"{home}/.bash_login") if os.path.lexists(p)),
                     f"{home}/.profile")
        return ["/etc/profile", first]
    if shell == "zsh":
        z = env.get("ZDOTDIR") or home
        out = ["/etc/zsh/zshenv", f"{z}/.zshenv"]
        if login:
            out += ["/etc/zsh/zprofile", f"{z}/.zprofile"]
        out += ["/etc/zsh/zshrc", f"{z}/.zshrc"]
        if login:
            out += ["/etc/zsh/zlogin", f"{z}/.zlogin"]
        return out
    if shell == "fish":
        cfg = _xdg_config(env, home)
        confd = f"{cfg}/fish/conf.d"
        try:
            snippets = sorted(f"{confd}/{n}" for n in os.listdir(confd) if n.endswith(".fish"))
        except OSError:
            snippets = []
        return [*snippets, "/etc/fish/config.fish", f"{cfg}/fish/config.fish"]
    out = ["/etc/profile", f"{home}/.profile"] if login else []
    if env.get("ENV"):
        out.append(env["ENV"].replace("$HOME", home))
    return out


def _xdg_config(env: Mapping[str, str], home: str) -> str:
    """fish's config dir: $XDG_CONFIG_HOME or ~/.config, on macOS too."""
    xdg = env.get("XDG_CONFIG_HOME", "")
    return xdg if os.path.isabs(xdg) else f"{home}/.config"


def _process(env: Mapping[str, str]) -> list[Setting]:
    return [Setting(k, v, Kind.PROCESS, "(environment)", 0) for k, v in sorted(env.items()) if tracked(k)]


def _run_shell(shell: str, files: list[str], base: dict[str, str], home: str,
               read: SafeReader, env: Mapping[str, str]) -> tuple[list[Setting], dict[str, str], dict[str, str]]:
    """(settings, resulting environment, file -> text) after the shell reads its files."""
    texts: dict[str, str] = {}

    def reader(p: str) -> str | None:
        t = read(p)
        if t is not None:
            texts[p] = t
        return t

    if shell == "fish":
        fsim = FishSim(base, home, reader)
        cfg = _xdg_config(env, home)
        uv = reader(f"{cfg}/fish/fish_variables")
        if uv is not None:
            apply_universal(fsim, uv, f"{cfg}/fish/fish_variables")
        for p in files:
            t = reader(p)
            if t is not None:
                fsim.run_file(p, t)
        return fsim.settings, fsim.env, texts
    sim = ShellSim(base, home, reader)
    if sys.platform == "darwin":
        sim.path_helper = _path_helper(read)
    for p in files:
        t = reader(p)
        if t is not None:
            sim.run_file(p, t)
    return sim.settings, {k: v for k, v in sim.env.items() if k in sim.exported}, texts


def _path_helper(read: SafeReader) -> Callable[[str], str]:
    try:
        names = sorted(os.listdir("/etc/paths.d"))
    except OSError:
        names = []
    texts = [t for t in (read(p) for p in ["/etc/paths", *(f"/etc/paths.d/{n}" for n in names)]) if t is not None]
    return lambda current: path_helper(texts, current)


def find_envrc(cwd: str) -> str | None:
    d = cwd
    while True:
        p = os.path.join(d, ".envrc")
        if os.path.isfile(p):
            return p
        if os.path.dirname(d) == d:
            return None
        d = os.path.dirname(d)


def _direnv(f: Facts, env: dict[str, str], home: str, texts: dict[str, str], read: SafeReader,
            notes: list[str]) -> list[Setting]:
    envrc = find_envrc(str(f.cwd))
    if envrc is None:
        return []
    hooks = {p: h for p, t in texts.items() if (h := direnv.hooked(t))}
    text = read(envrc)
    if text is None:
        notes.append(f"{envrc}: cannot read ({read.problems.get(envrc, 'unreadable')})")
        return []
    data_home = f.env.get("XDG_DATA_HOME") or f"{home}/.local/share"
    allowed = os.path.exists(os.path.join(data_home, "direnv", "allow", direnv.allow_hash(envrc, text.encode())))
    sim = direnv.EnvrcSim(env, home, read, os.path.dirname(envrc))
    sim.run_file(envrc, text)
    notes.extend(f"{envrc}:{line}: {msg}" for line, msg in sim.notes)
    if not hooks:
        notes.append(f"{envrc} exists but direnv is not hooked into the shell's rc files "
                     f"(add eval \"$(direnv hook bash)\" to ~/.bashrc): the terminal does not load it")
        return []
    if not allowed:
        notes.append(f"{envrc} is not allowed (direnv prints `{envrc} is blocked`): run `direnv allow`")
        return []
    return sim.settings


def _go_files(env: Mapping[str, str], read: SafeReader) -> tuple[list[Setting], str | None]:
    """(GOENV file and GOROOT/go.env settings for this environment, the go its PATH runs)."""
    out: list[Setting] = []
    path, _ = goenv_location(env)
    if path:
        text = read(path)
        if text is not None:
            out += [Setting(e.key, e.value, Kind.GOENV, path, e.line) for e in parse_goenv(text).entries
                    if tracked(e.key)]
    gos = gos_on_path(env)
    go = gos[0] if gos else None
    goroot = env.get("GOROOT") or (go.root if go else None)
    if goroot:
        p = os.path.join(goroot, "go.env")
        text = read(p)
        if text is not None:
            out += [Setting(e.key, e.value, Kind.GOROOT_ENV, p, e.line) for e in parse_goenv(text).entries
                    if tracked(e.key)]
    return out, (go.path if go else None)


def _env_after(settings: list[Setting], base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    for s in settings:
        if s.conditional:
            continue
        if s.value is None:
            env.pop(s.key, None)
        else:
            env[s.key] = s.value
    return env


def _unloaded_dotenv(cwd: str, workspace: str | None, contexts: list[Context]) -> list[str]:
    """A project .env that no context loads: neither the shell, nor go, nor VS Code reads it by itself."""
    loaded = {s.file for c in contexts for s in c.settings}
    out = []
    for d in dict.fromkeys(x for x in (cwd, workspace) if x):
        p = os.path.join(d, ".env")
        if os.path.isfile(p) and p not in loaded:
            out.append(f"{p} is loaded by no context (go, the shell and VS Code ignore it unless direnv's "
                       "`dotenv` or a launch.json `envFile` names it)")
    return out


@fact("layers")
def LAYERS(f: Facts) -> Layers:
    env = dict(f.env)
    home = env.get("HOME", "")
    shell = shell_of(env)
    vs = f.get(VSCODE)
    read = SafeReader([home, str(f.cwd), *([vs.workspace] if vs.workspace else [])])
    notes: list[str] = []
    process = _process(env)
    contexts: list[Context] = []

    files = startup_files(shell, home, env, login=sys.platform == "darwin")  # Terminal.app: login shells
    rc, term_env, texts = _run_shell(shell, files, dict(env), home, read, env)
    rc += _direnv(f, term_env, home, texts, read, notes)
    term = process + rc
    go_side, go = _go_files(_env_after(term, env), read)
    flag = "-i -l" if sys.platform == "darwin" else "-i"
    contexts.append(Context("terminal", f"{shell} {flag}: {', '.join(files) or 'no startup file ($ENV unset)'}",
                            tuple(term + go_side), go))

    uses_vscode = vs.found or bool(vs.workspace) or (bool(home) and os.path.isdir(f"{home}/.vscode"))
    if uses_vscode:
        lfiles = startup_files(shell, home, env, login=True)
        lrc, _, _ = _run_shell(shell, lfiles, dict(env), home, read, env)
        code_env = _env_after(process + lrc, env)
        code = process + lrc + vscode_settings(f, vs, code_env, read)
        go_side, go = _go_files(_env_after(code, env), read)
        contexts.append(Context("VS Code", f"{shell} -i -l (VS Code's shell environment): {', '.join(lfiles)}; "
                                           "go.toolsEnvVars, go.goroot, go.gopath", tuple(code + go_side), go))
        for name, launch in launch_settings(vs, _env_after(code, env), read):
            dbg = code + launch
            go_side, go = _go_files(_env_after(dbg, env), read)
            contexts.append(Context(f"debug: {name}", "VS Code, then the configuration's envFile and env",
                                    tuple(dbg + go_side), go))
    notes += _unloaded_dotenv(str(f.cwd), vs.workspace, contexts)
    notes += [f"{p}: not read: {why}" for p, why in read.problems.items()]
    return Layers(shell, tuple(contexts), tuple(dict.fromkeys(notes)), tuple(dict.fromkeys(read.read_ok)))
