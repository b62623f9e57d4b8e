"""service.*: a systemd unit as its user will see it (subject = the unit name).

The unit comes from `gomedic service UNIT` / `gate --unit UNIT` (facts.systemd.UNIT); file access is
evaluated for the unit's User/Group/SupplementaryGroups (a DynamicUser gets an unprivileged uid that owns
nothing), never for the user running gomedic. service.port and service.limits are in service_net.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gomedic.facts import Facts
from gomedic.facts.access import Principal
from gomedic.facts.host import HOST
from gomedic.facts.servicefiles import (
    ACCESS,
    EXEC,
    EXEC_BINARY,
    EXEC_USES_OSUSER,
    PRINCIPAL,
    UNIT_PATHS,
    arg_paths,
)
from gomedic.facts.systemd import UNIT, ServiceUnit
from gomedic.finding import Finding, fail, ok, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

MAX_DIAGS = 20


def principal(f: Facts, u: ServiceUnit) -> tuple[Principal | None, str]:
    """Who the main process of unit `u` (the run's unit) runs as, or (None, why) when that user/group
    cannot exist."""
    who = f.get(PRINCIPAL)
    return who.principal, who.why


@check("service.unit", category=Category.SERVICE, severity=Severity.HIGH,
       title="The unit file parses and its ExecStart program can run here")
def unit(f: Facts) -> Iterator[Finding]:
    """Parses the unit like systemd (the fragment, then drop-ins; specifiers, ExecStart prefixes,
    Environment/EnvironmentFile) and reports each problem with file:line. Then checks the ExecStart
    program: it exists (else `Failed at step EXEC spawning /usr/local/bin/app: No such file or
    directory`, status=203/EXEC), is a regular file the unit's user may execute, and is built for this
    host's architecture (else `Exec format error`).
    Fix: correct the named line; install the program or fix its path; rebuild for this host's GOARCH."""
    u = f.get(UNIT)
    files = f"{u.fragment}" + (f" + {len(u.dropins)} drop-ins" if u.dropins else "")
    ev: dict[str, Any] = {"fragment": u.fragment, "drop-ins": " ".join(u.dropins), "ExecStart": " ".join(u.exec_argv),
                          "file": u.fragment}
    if u.masked:
        yield fail(f"{u.name} is masked ({u.fragment} -> /dev/null)", fix=f"systemctl unmask {u.name}",
                   subject=u.name, **ev)
        return
    errors = sorted((d for d in u.diagnostics if d.severity == "error"), key=lambda d: d.line != 0)  # whole files first
    warnings = [d for d in u.diagnostics if d.severity != "error"]
    for d in errors[:MAX_DIAGS]:
        yield fail(f"{d}", fix=f"edit {d.path} line {d.line}" if d.line else f"edit {d.path}", subject=u.name,
                   file=d.path, line=d.line or None)
    if len(errors) > MAX_DIAGS:
        yield fail(f"{len(errors) - MAX_DIAGS} more problems in {files} (first {MAX_DIAGS} shown)",
                   fix=f"run `systemd-analyze verify {u.fragment}` for the full list", subject=u.name)
    for d in warnings[:MAX_DIAGS]:
        yield warn(f"{d}", fix=f"edit {d.path} line {d.line}" if d.line else f"edit {d.path}", subject=u.name,
                   file=d.path, line=d.line or None)
    exe = f.get(EXEC)
    path = exe.path
    if path is None:
        if not errors:
            yield fail(f"{u.name} has no ExecStart=", fix=f"add ExecStart= to {u.fragment}", subject=u.name, **ev)
        return
    who, why = principal(f, u)
    if exe.error is not None:
        yield fail(f"ExecStart program {path} ({u.exec_where}): {exe.error}; systemd fails with status=203/EXEC",
                   fix=f"install the program at {path} or correct ExecStart= in {u.exec_where}", subject=u.name, **ev)
        return
    if not exe.regular:
        yield fail(f"ExecStart program {path} is not a regular file", fix=f"correct ExecStart= in {u.exec_where}",
                   subject=u.name, **ev)
        return
    acc = f.get(ACCESS).exec_start
    if who is not None and acc is not None and not acc.ok:
        yield fail(f"ExecStart program {path} cannot be executed by {why}: {acc.reason}",
                   fix=f"chmod a+rx {path} (and search permission on its directories)", subject=u.name, **ev)
        return
    yield _arch(f, u, path, files, ev)


def _arch(f: Facts, u: ServiceUnit, path: str, files: str, ev: dict[str, str]) -> Finding:
    from gomedic.binfmt.exe import Format

    host = f.get(HOST)
    ins = f.get(EXEC_BINARY)
    if ins.error is not None:
        if f.get(EXEC).head == b"#!":
            return ok(f"{files} parses; ExecStart {path} is a script", subject=u.name, **ev)
        return fail(f"ExecStart program {path} is not an executable this host can run: {ins.error}",
                    fix="install a build for this host", subject=u.name, **ev)
    kind = f"{ins.goos}/{ins.goarch}"
    ev = {**ev, "binary": kind, "go": ins.go_version or "not Go"}
    if ins.format is not Format.ELF or (ins.goarch and ins.goarch != host.goarch):
        return fail(f"ExecStart program {path} is a {kind} binary; this host is {host.goos}/{host.goarch}: "
                    "exec fails with `Exec format error` (status=203/EXEC)",
                    fix=f"rebuild with GOOS={host.goos} GOARCH={host.goarch}", subject=u.name, **ev)
    what = f"a {kind} Go binary ({ins.go_version or 'Go release unknown'})" if ins.is_go else f"a {kind} executable"
    return ok(f"{files} parses; ExecStart {path} is {what}", subject=u.name, **ev)


@check("service.user", category=Category.SERVICE, severity=Severity.HIGH,
       title="The unit's user exists and can reach its working directory and files")
def user(f: Facts) -> Iterator[Finding]:
    """Checks User=, Group= and SupplementaryGroups= exist (else status=217/USER or 216/GROUP), and that
    the unit's user (with its groups, not root) can enter WorkingDirectory= (else status=200/CHDIR) and
    read the configuration files and directories named in ExecStart. EnvironmentFile= is read by systemd
    as root, so only its existence matters (a missing one without '-' fails the start).
    Fix: create the user (useradd --system NAME), or grant access: chown/chmod the path, or add the user
    to the owning group (usermod -aG GROUP NAME), or give the parent directories search (x) permission."""
    u = f.get(UNIT)
    who, why = principal(f, u)
    if who is None:
        code = "217/USER" if why.startswith("User=") else "216/GROUP"
        yield fail(
            f"{why}: systemd fails the start with status={code}",
            fix=f"create it (useradd --system {u.user})" if code == "217/USER" else "create the group (groupadd)",
            subject=u.name,
            User=u.user or "",
            Group=u.group or "",
        )
        return
    checked = 0
    paths = f.get(UNIT_PATHS)
    ev: dict[str, Any] = {"runs as": why, "gids": " ".join(str(g) for g in sorted(who.gids))}
    access = f.get(ACCESS)
    if u.working_directory and access.working_directory is not None:
        wd, acc = u.working_directory, access.working_directory
        checked += 1
        if not acc.ok and not (wd.optional and "does not exist" in acc.reason):
            yield fail(f"WorkingDirectory={wd.path} ({wd.where}): {acc.reason}; systemd fails with status=200/CHDIR",
                       fix=f"chmod/chown {acc.path_examined} so {who.label()} can enter it, or fix WorkingDirectory=",
                       subject=u.name, **ev)
    for ef in u.environment_files:
        checked += 1
        if not ef.optional and not paths[ef.path].is_file:
            yield fail(f"EnvironmentFile={ef.path} ({ef.where}) does not exist: the unit fails to start",
                       fix=f"create {ef.path} or write EnvironmentFile=-{ef.path}", subject=u.name, **ev)
    for p, named in arg_paths(u.exec_argv):
        if not paths[p].exists and not named:
            continue
        checked += 1
        acc = access.paths[p]
        if not acc.ok:
            yield fail(f"{p} (named in ExecStart, {u.exec_where}): {acc.reason}",
                       fix=f"grant {who.label()} access: chown/chmod {acc.path_examined}, or add the user to its group",
                       subject=u.name, **ev)
    for d in ("StateDirectory", "LogsDirectory", "CacheDirectory", "RuntimeDirectory"):
        if (e := u.setting(d)) is not None:
            ev[d] = e.value  # systemd creates and chowns these for the user: nothing to check
    if checked == 0:
        yield ok(f"runs as {why}; no WorkingDirectory, EnvironmentFile or file paths in ExecStart to check",
                 subject=u.name, **ev)
    else:
        yield ok(f"runs as {why}; {checked} paths checked for that user", subject=u.name, **ev)


@check("service.env", category=Category.SERVICE, severity=Severity.MEDIUM,
       title="The unit's environment suits a Go program: HOME/USER, GOMAXPROCS, GOMEMLIMIT, GODEBUG")
def env(f: Facts) -> Iterator[Finding]:
    """Checks the environment the unit gives its program. A Go binary built without cgo that uses os/user
    needs HOME and USER: `user: Current requires cgo or $USER set in environment` (systemd sets them only
    when User= is set). A malformed GOMEMLIMIT stops the runtime at start (`fatal error: malformed
    GOMEMLIMIT; see `go doc runtime/debug.SetMemoryLimit``): fail. A GOMAXPROCS that is not a positive
    integer and GODEBUG entries that are not key=value are silently ignored by the runtime: warn.
    Fix: add `Environment=HOME=/var/lib/app USER=app` or set User=; correct the named variable."""
    from gomedic.facts.goruntime import parse_gomemlimit

    u = f.get(UNIT)
    e = dict(u.environment)
    ev: dict[str, Any] = {k: e[k] for k in ("GOMAXPROCS", "GOMEMLIMIT", "GODEBUG", "GOGC", "HOME", "USER") if k in e}
    fix = "correct it in the unit's Environment= / EnvironmentFile="
    bad = 0
    if "GOMEMLIMIT" in e:
        try:
            parse_gomemlimit(e["GOMEMLIMIT"])
        except ValueError as err:
            bad += 1
            yield fail(f"{err} (set at {u.env_origin.get('GOMEMLIMIT')}): the runtime aborts with "
                       "`fatal error: malformed GOMEMLIMIT`", fix=fix, subject=u.name, **ev)
    mp = e.get("GOMAXPROCS")
    if mp is not None and not (mp.isascii() and mp.isdecimal() and int(mp) > 0):
        bad += 1
        yield warn(f"GOMAXPROCS={mp} (set at {u.env_origin.get('GOMAXPROCS')}) is not a positive integer: "
                   "the runtime ignores it", fix=fix, subject=u.name, **ev)
    for item in e.get("GODEBUG", "").split(","):
        if item.strip() and "=" not in item:
            bad += 1
            yield warn(
                f"GODEBUG entry {item!r} is not key=value: the runtime ignores it", fix=fix, subject=u.name, **ev
            )
    path = f.get(EXEC).path
    osuser = bool(path) and not u.user and not u.dynamic_user and not ("HOME" in e and "USER" in e)
    if osuser and f.get(EXEC_USES_OSUSER):
        yield fail(f"{path} is a cgo-less Go binary that uses os/user, and the unit sets neither User= nor "
                   "HOME/USER: `user: Current requires cgo or $USER set in environment`",
                   fix="add Environment=HOME=/root USER=root (or set User=)", subject=u.name, **ev)
        return
    if bad == 0:
        shown = ", ".join(f"{k}={v}" for k, v in ev.items()) or "no Go runtime variables"
        yield ok(f"environment of {u.name}: {shown}", subject=u.name, **ev)

