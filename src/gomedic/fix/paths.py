"""Fixers for the paths area: the build and module caches (create, hand back to the user), the install
directory (created when missing; on PATH through rc-file lines), and a corrupt build cache (`go clean -cache`).

Evidence used (from gomedic.checks.paths): paths.gocache `GOCACHE`, paths.gomodcache `GOMODCACHE`,
paths.gobin-on-path `install dir` (a result with a subject is a shadowed tool: manual). Each falls back
to the resolved go setting when the key is missing; build.cache uses the resolved GOCACHE only.
Ownership is changed only inside the user's home.
"""

from __future__ import annotations

import os
import stat

from gomedic.errors import FactUnavailable
from gomedic.facts.go import GO_CMD, GO_CONFIG
from gomedic.fix.actions import AddModeBits, ChownTree, MakeDirs, RunCommand
from gomedic.fix.envblock import derive
from gomedic.fix.plan import Action, FixContext, Plan, manual_plan
from gomedic.fix.rcblock import WriteBlock
from gomedic.fix.shell import EnvBlock, lines, rc_file
from gomedic.fix.target import child_env
from gomedic.model import Result
from gomedic.safefs import inside


def _owner_of(path: str) -> str:
    try:
        st = os.lstat(path)
    except OSError:
        return "root:root"
    import grp
    import pwd

    try:
        u = pwd.getpwuid(st.st_uid).pw_name
    except KeyError:
        u = str(st.st_uid)
    try:
        g = grp.getgrgid(st.st_gid).gr_name
    except KeyError:
        g = str(st.st_gid)
    return f"{u}:{g}"


def _chain(home: str, path: str) -> list[str]:
    """Existing directories from `home` down to `path` (inclusive), in order."""
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(home))
    out = [home]
    cur = home
    for part in [] if rel == "." else rel.split(os.sep):
        cur = os.path.join(cur, part)
        if not os.path.lexists(cur):
            break
        out.append(cur)
    return out


def cache_actions(path: str, ctx: FixContext) -> list[Action]:
    """What makes `path` (a cache directory inside the target's home) exist and belong to the target."""
    t = ctx.target
    actions: list[Action] = []
    chain = _chain(t.home, path)
    foreign = next((p for p in chain[1:] if os.lstat(p).st_uid != t.uid), None)
    if foreign is None and os.path.isdir(path):
        foreign = path  # the directory is the user's; something inside may not be
    if foreign is not None:
        tree = ChownTree(foreign, t.uid, t.gid, t.owner, _owner_of(foreign), t.home)
        if tree.needed():
            actions.append(tree)
    for p in chain[1:]:
        try:
            st = os.stat(p)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and (st.st_mode & stat.S_IRWXU) != stat.S_IRWXU:
            actions.append(AddModeBits(p, home=t.confine))
    if not os.path.isdir(path):
        actions.append(MakeDirs(path, t.uid, t.gid, t.owner, home=t.confine))
    return actions


def _cache_plan(r: Result, ctx: FixContext, key: str) -> Plan:
    path = r.evidence.get(key) or ctx.facts.get(GO_CONFIG).value(key)
    t = ctx.target
    if not path or path == "off" or not os.path.isabs(path):
        return manual_plan(r, f"{key}={path or '(empty)'} must be set to an absolute directory first")
    alternatives = _cache_alternatives(key, path, ctx)
    if not t.owns_path(path):
        return manual_plan(r, f"{path} is outside {t.name}'s home ({t.home}): gomedic changes ownership only "
                              "inside the user's home", alternatives)
    actions = cache_actions(path, ctx)
    if not actions:
        return manual_plan(r, f"{path} exists and belongs to {t.name}: the problem is elsewhere "
                              "(a read-only mount, an ACL, a parent directory)", alternatives)
    note = ""
    if any(a.needs_root() for a in actions):
        note = (f"needs root: run `sudo gomedic fix --user {t.name} --yes {r.id}`"
                if t.is_self else "")
    return Plan(r, tuple(actions), alternatives=alternatives, note=note)


def _go(ctx: FixContext) -> str:
    try:
        return ctx.facts.get(GO_CMD).path
    except FactUnavailable:
        return "go"


def _cache_alternatives(key: str, path: str, ctx: FixContext) -> tuple[str, ...]:
    go = _go(ctx)
    if key == "GOMODCACHE":
        return (f"sudo env GOMODCACHE={path} {go} clean -modcache  (deletes the module cache; modules are "
                "downloaded again)",
                f"export GOMODCACHE=<a directory you own>  (leave {path} as it is)")
    return (f"sudo rm -rf {path}  (the build cache is rebuilt by the next build)",
            f"export GOCACHE=<a directory you own>  (leave {path} as it is)")


def gocache(r: Result, ctx: FixContext) -> Plan:
    return _cache_plan(r, ctx, "GOCACHE")


def gomodcache(r: Result, ctx: FixContext) -> Plan:
    return _cache_plan(r, ctx, "GOMODCACHE")


def gobin_on_path(r: Result, ctx: FixContext) -> Plan:
    """The install dir is not on PATH: the shellenv lines, written to the rc file only with --edit-rc."""
    if r.subject:  # a tool shadowed by an earlier PATH entry: which copy to remove is the user's call
        return manual_plan(r, "a shadowed tool: remove the stale copy yourself")
    env = ctx.facts.env
    derived = derive(ctx.facts)
    block = derived.block
    install = r.evidence.get("install dir", "")
    if install and os.path.isabs(install) and install not in {d for d, _ in block.append}:
        block = EnvBlock(block.unset, block.export, block.prepend,
                         (*block.append, (install, f"go install puts programs in {install}")))
    rc, advice = rc_file(ctx.shell, env, ctx.target.home)
    body = tuple(lines(block, ctx.shell))
    t = ctx.target
    # a missing install dir is created with the user as owner (inside their home only)
    mkdir: tuple[Action, ...] = ()
    if install and os.path.isabs(install) and not os.path.isdir(install) and t.owns_path(install):
        mkdir = (MakeDirs(install, t.uid, t.gid, t.owner, home=t.confine),)
    if ctx.edit_rc and t.confine and not inside(rc, t.confine):
        return Plan(r, mkdir, manual=(f"add these lines to {rc} ({advice}):", *body),
                    note=f"{rc} is outside {t.name}'s home ({t.home}): as root, gomedic writes only inside it")
    if ctx.edit_rc:
        return Plan(r, (*mkdir, WriteBlock(rc, body, t.uid, t.gid, t.confine)), env_after=block.apply_to(env),
                    note=f"{rc}: {advice}; open a new shell (or source it) afterwards")
    return Plan(r, mkdir, manual=(f"add these lines to {rc} ({advice}):", *body),
                alternatives=(f"gomedic fix --edit-rc --shell {ctx.shell.value} --yes {r.id}  (gomedic writes them)",
                              f'eval "$(gomedic shellenv --shell {ctx.shell.value})"  (this shell only)'),
                note=f"rc files are edited only with --edit-rc: until those lines are in {rc} and a new shell is "
                     f"opened, {install or 'the install dir'} stays off PATH (the re-check still reports it)")


def build_cache(r: Result, ctx: FixContext) -> Plan:
    """A corrupt build cache: `go clean -cache` (as the user the cache belongs to)."""
    go = _go(ctx)
    env = dict(ctx.facts.env)
    env["GOTOOLCHAIN"] = "local"
    argv: tuple[str, ...] = (go, "clean", "-cache")
    t = ctx.target
    cwd = None
    if not t.is_self:  # as the user, isolated: cwd /, an environment built for them (none of root's secrets)
        argv = ("setpriv", f"--reuid={t.uid}", f"--regid={t.gid}", "--init-groups", "--", *argv)
        env, cwd = child_env(t, env), "/"
    cache = ctx.facts.get(GO_CONFIG).value("GOCACHE")
    return Plan(r, (RunCommand(argv, env, undo_text="nothing to undo: the next build fills the cache again",
                               shown_env=(f"GOCACHE={cache}",) if cache else (), cwd=cwd),),
                alternatives=(f"rm -rf {cache}" if cache else "go clean -cache",))
