"""A systemd service as systemd would load it, from unit files alone (no running systemd needed).

`load_service` finds the unit and its drop-ins (facts.unitpath), merges them (facts.unitfile) and resolves
specifiers, Environment/EnvironmentFile, ExecStart prefixes and variables, User/Group, WorkingDirectory,
capabilities and limits. Every problem is a Diagnostic naming file and line.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts, fact
from gomedic.facts.accounts import Account, lookup_user
from gomedic.facts.door import HOST_READER, Reader
from gomedic.facts.unitexec import (
    ExecCommand,
    expand_env,
    expand_specifiers,
    parse_caps,
    parse_env_file,
    parse_environment,
    parse_exec,
    parse_rlimit,
)
from gomedic.facts.unitfile import (
    MAX_FILE,
    Diagnostic,
    Entry,
    MergedUnit,
    UnitText,
    merge,
    parse_bool,
    parse_unit,
)
from gomedic.facts.unitpath import Located, find_unit, shown_path
from gomedic.values import field, frozen

LIMIT_KEYS = ("LimitNOFILE", "LimitNPROC", "LimitAS", "LimitMEMLOCK", "LimitSTACK", "LimitCORE")


@frozen
class PathSetting:
    path: str
    optional: bool  # "-" prefix: missing is fine
    where: str


@frozen
class ServiceUnit:
    name: str
    fragment: str
    dropins: tuple[str, ...]
    merged: MergedUnit
    diagnostics: tuple[Diagnostic, ...]
    masked: bool = False
    type: str = "simple"
    exec_start: ExecCommand | None = None
    exec_argv: tuple[str, ...] = ()  # after specifier and variable expansion
    exec_where: str = ""
    user: str | None = None
    group: str | None = None
    dynamic_user: bool = False
    supplementary_groups: tuple[str, ...] = ()
    account: Account | None = None
    working_directory: PathSetting | None = None
    environment: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    env_origin: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    environment_files: tuple[PathSetting, ...] = ()
    ambient_caps: frozenset[str] = frozenset()
    bounding_caps: tuple[bool, frozenset[str]] | None = None  # (inverted, names)
    limits: Mapping[str, tuple[int | None, int | None, str]] = field(default_factory=lambda: MappingProxyType({}))
    tasks_max: Entry | None = None

    def setting(self, key: str, section: str = "Service") -> Entry | None:
        return self.merged.last(section, key)


def _os_release(root: Path, reader: Reader) -> dict[str, str]:
    text = reader.text(root, "/etc/os-release") or reader.text(root, "/usr/lib/os-release") or ""
    out: dict[str, str] = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            out[k.strip()] = v.strip().strip("\"'")
    return out


def _specifiers(loc: Located, shown: str, user: str | None, acct: Account | None, root: Path,
                reader: Reader) -> dict[str, str]:
    osr = _os_release(root, reader)
    stem, _, _suffix = loc.name.rpartition(".")
    prefix, at, instance = stem.partition("@")
    u = user or "root"
    return {
        "n": loc.name, "N": stem, "p": prefix, "P": prefix.replace("-", "/"), "i": instance if at else "",
        "I": instance.replace("-", "/") if at else "", "f": "/" + (instance or prefix).replace("-", "/"),
        "j": prefix.rsplit("-", 1)[-1], "J": prefix.rsplit("-", 1)[-1].replace("-", "/"),
        "u": u, "U": str(acct.uid) if acct else ("0" if u == "root" else u),
        "g": acct.group if acct else "root", "G": str(acct.gid) if acct else "0",
        "h": acct.home if acct else "/root", "s": acct.shell if acct else "/bin/sh",
        "t": "/run", "S": "/var/lib", "C": "/var/cache", "L": "/var/log", "E": "/etc", "T": "/tmp",
        "V": "/var/tmp", "d": f"/run/credentials/{loc.name}", "y": shown, "Y": os.path.dirname(shown),
        "H": socket.gethostname(), "l": socket.gethostname().split(".")[0], "q": socket.gethostname(),
        "v": os.uname().release, "a": os.uname().machine,
        "m": (reader.text(root, "/etc/machine-id") or "").strip(),
        "b": (reader.text(root, "/proc/sys/kernel/random/boot_id") or "").strip().replace("-", ""),
        **{k: osr.get(v, "") for k, v in (("o", "ID"), ("w", "VERSION_ID"), ("W", "VARIANT_ID"),
                                           ("B", "BUILD_ID"), ("A", "IMAGE_VERSION"), ("M", "IMAGE_ID"))},
    }


def load_service(spec: str, root: Path, reader: Reader = HOST_READER) -> ServiceUnit:
    """The unit `spec` as systemd would load it under `root` (its files read through `reader`)."""
    loc = find_unit(spec, root)
    shown = shown_path(root, loc.fragment)
    if loc.masked:
        empty = merge([])
        return ServiceUnit(loc.name, shown, (), empty, (Diagnostic(shown, 0, "unit is masked (-> /dev/null)"),),
                           masked=True)
    texts = []
    for p in (loc.fragment, *loc.dropins):
        try:
            data = reader.read(
                Path("/"), os.path.abspath(p), MAX_FILE + 1
            )  # parse_unit reports and cuts what is longer
        except OSError as e:
            texts.append(
                UnitText(shown_path(root, p), (), (Diagnostic(shown_path(root, p), 0, f"unreadable: {e.strerror}"),))
            )
            continue
        texts.append(parse_unit(data, shown_path(root, p)))
    m = merge(texts)
    return _build(loc, shown, m, root, reader)


def _build(loc: Located, shown: str, m: MergedUnit, root: Path, reader: Reader) -> ServiceUnit:
    diags = list(m.diagnostics)
    raw_user = m.last("Service", "User")
    dyn = m.last("Service", "DynamicUser")
    dynamic = bool(dyn and parse_bool(dyn.value))
    base_table = _specifiers(loc, shown, None, None, root, reader)

    def spec(e: Entry) -> str:
        out, unknown = expand_specifiers(e.value, table)
        for u in unknown:
            diags.append(Diagnostic(e.path, e.line, f"{e.key}=: unknown specifier {u}"))
        return out

    table = base_table
    user = spec(raw_user) if raw_user else None
    acct = lookup_user(root, user) if user else None
    table = _specifiers(loc, shown, user, acct, root, reader)
    group_e = m.last("Service", "Group")
    group = spec(group_e) if group_e else None  # before diags is frozen: its unknown specifiers are reported
    supp = tuple(w for e in m.all("Service", "SupplementaryGroups") for w in spec(e).split())
    env, origin, env_files = _environment(m, spec, diags, root, reader)
    svc_type, cmd, argv, where = _exec_start(loc, shown, m, spec, env, diags)
    wdp = _working_directory(m, spec, acct)
    amb, bounding = _caps(m)
    limits = _limits(m, diags)
    return ServiceUnit(
        name=loc.name, fragment=shown, dropins=tuple(shown_path(root, p) for p in loc.dropins), merged=m,
        diagnostics=tuple(diags), type=svc_type, exec_start=cmd, exec_argv=argv, exec_where=where,
        user=user, group=group, dynamic_user=dynamic,
        supplementary_groups=supp, account=acct, working_directory=wdp,
        environment=MappingProxyType(env), env_origin=MappingProxyType(origin),
        environment_files=tuple(env_files), ambient_caps=amb,
        bounding_caps=bounding, limits=MappingProxyType(limits),
        tasks_max=m.last("Service", "TasksMax"),
    )


Spec = Callable[[Entry], str]  # an entry's value with its %-specifiers expanded


def _environment(m: MergedUnit, spec: Spec, diags: list[Diagnostic],
                 root: Path, reader: Reader) -> tuple[dict[str, str], dict[str, str], list[PathSetting]]:
    """Environment= and EnvironmentFile= in order (a later one wins), with where each variable was set."""
    env: dict[str, str] = {}
    origin: dict[str, str] = {}
    for e in m.all("Service", "Environment"):
        pairs, errs = parse_environment(spec(e))
        diags += [Diagnostic(e.path, e.line, f"Environment=: {x}") for x in errs]
        for k, v in pairs:
            env[k], origin[k] = v, e.where
    env_files: list[PathSetting] = []
    for e in m.all("Service", "EnvironmentFile"):
        v = spec(e)
        ps = PathSetting(v.lstrip("-"), v.startswith("-"), e.where)
        env_files.append(ps)
        text = reader.text(root, ps.path, limit=1 << 22) if ps.path.startswith("/") else None
        if text is None:
            if not ps.path.startswith("/"):
                diags.append(Diagnostic(e.path, e.line, f"EnvironmentFile={v}: path is not absolute"))
            elif not ps.optional:
                diags.append(Diagnostic(e.path, e.line, f"EnvironmentFile={ps.path} does not exist or is unreadable "
                                        "(the service will fail to start: prefix it with '-' if it is optional)"))
            continue
        vals, problems = parse_env_file(text)
        diags += [Diagnostic(ps.path, n, f"EnvironmentFile: {p}", "warning") for n, p in problems]
        for k, val in vals.items():
            env[k], origin[k] = val, f"{ps.path}"
    return env, origin, env_files


def _exec_start(loc: Located, shown: str, m: MergedUnit, spec: Spec, env: Mapping[str, str],
                diags: list[Diagnostic]) -> tuple[str, ExecCommand | None, tuple[str, ...], str]:
    """Type= and the first ExecStart=: its command, argv with $VAR expanded, and where it was set."""
    cmd: ExecCommand | None = None
    argv: tuple[str, ...] = ()
    where = ""
    starts = m.all("Service", "ExecStart")
    type_e = m.last("Service", "Type")
    svc_type = type_e.value if type_e else "simple"
    if len(starts) > 1 and svc_type != "oneshot":
        diags.append(Diagnostic(starts[1].path, starts[1].line,
                                f"more than one ExecStart= with Type={svc_type}: only Type=oneshot allows that"))
    if starts:
        e = starts[0]
        where = e.where
        cmd, err = parse_exec(spec(e))
        if err:
            diags.append(Diagnostic(e.path, e.line, f"ExecStart=: {err}"))
        elif cmd is not None:
            argv = cmd.argv
            if not cmd.no_env_expansion:
                argv, _missing = expand_env(cmd.argv, env)
    elif loc.name.endswith(".service") and not m.all("Service", "ExecStop") and not m.last("Unit", "SuccessAction"):
        diags.append(Diagnostic(shown, 0, "service has no ExecStart=, ExecStop= or SuccessAction= "
                                "(systemd refuses to load it)"))
    return svc_type, cmd, argv, where


def _working_directory(m: MergedUnit, spec: Spec, acct: Account | None) -> PathSetting | None:
    wd = m.last("Service", "WorkingDirectory")
    if not wd:
        return None
    v = spec(wd)
    path = v.lstrip("-")
    if path == "~":
        path = acct.home if acct else "/root"
    return PathSetting(path, v.startswith("-"), wd.where)


def _caps(m: MergedUnit) -> tuple[frozenset[str], tuple[bool, frozenset[str]] | None]:
    """AmbientCapabilities= (each line adds, or with ~ removes) and CapabilityBoundingSet= (the last)."""
    amb: set[str] = set()
    for e in m.all("Service", "AmbientCapabilities"):
        inv, names = parse_caps(e.value)
        amb = amb - names if inv else amb | names
    cbs = m.last("Service", "CapabilityBoundingSet")
    inv_b, names_b = parse_caps(cbs.value) if cbs else (False, set())
    return frozenset(amb), (inv_b, frozenset(names_b)) if cbs else None


def _limits(m: MergedUnit, diags: list[Diagnostic]) -> dict[str, tuple[int | None, int | None, str]]:
    limits: dict[str, tuple[int | None, int | None, str]] = {}
    for key in LIMIT_KEYS:
        le = m.last("Service", key)
        if le:
            lim, lerr = parse_rlimit(le.value)
            if lerr or lim is None:
                diags.append(Diagnostic(le.path, le.line, f"{key}=: {lerr}"))
            else:
                limits[key] = (lim[0], lim[1], le.where)
    return limits


@fact("systemd.unit")
def UNIT(f: Facts) -> ServiceUnit:
    spec = f.options.subject.unit
    if not spec:
        raise FactUnavailable("no unit given (use `gomedic service UNIT` or `gate --unit UNIT`)")
    from gomedic.redact import remember, secrets_in_settings

    root = f.options.subject.unit_root or "/"
    unit = load_service(str(spec), Path(root), f.reader)
    remember(secrets_in_settings(unit.environment))  # Environment= secrets are hidden wherever they show up
    return unit
