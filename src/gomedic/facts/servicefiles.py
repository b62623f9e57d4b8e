"""Files a systemd unit's checks read: the ExecStart program (found, stat'ed, its first bytes, file
capabilities) and the manager's /etc/systemd/system.conf. Read under the unit root (`/`, or a tree)."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from gomedic.facts import Facts, fact
from gomedic.facts.access import Access, Principal, R, Want, X, can
from gomedic.facts.accounts import lookup_group, lookup_user
from gomedic.facts.door import Reader
from gomedic.facts.ports import Socket, holders, listeners, ports_in_args, ports_in_env
from gomedic.facts.systemd import UNIT, ServiceUnit
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from gomedic.binfmt.inspect import Inspection

SYSTEMD_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")
SYSTEM_CONF = "/etc/systemd/system.conf"
ROOT_DIR = Path("/")
CONFIG_EXT = (".conf", ".cfg", ".ini", ".yaml", ".yml", ".json", ".toml", ".env", ".pem", ".crt", ".key", ".hcl")


def unit_root(f: Facts) -> Path:
    return Path(f.options.subject.unit_root or "/")


def exec_path(reader: Reader, u: ServiceUnit, root: Path) -> str | None:
    """The program ExecStart runs, resolved in systemd's fixed search path when not absolute."""
    if u.exec_start is None:
        return None
    p = u.exec_start.path
    if p.startswith("/"):
        return p
    for d in SYSTEMD_PATH:
        try:
            if stat.S_ISREG(reader.stat(root, f"{d}/{p}").st_mode):
                return f"{d}/{p}"
        except OSError:
            continue
    return p


def parse_caps(raw: bytes | None) -> int | None:
    """Permitted capability bits of a security.capability xattr, or None when there is none."""
    if raw is None or len(raw) < 12:
        return None
    lo = int.from_bytes(raw[4:8], "little")
    hi = int.from_bytes(raw[12:16], "little") if len(raw) >= 16 else 0
    return lo | (hi << 32)


@frozen
class ExecFile:
    path: str | None  # what ExecStart runs, as the unit names it; None: no ExecStart
    error: str | None = None  # why stat(2) failed (strerror); None when it exists
    regular: bool = False
    head: bytes = b""  # its first two bytes (b"#!" for a script)
    caps: int | None = None  # permitted file capabilities (security.capability)


@fact("service.exec")
def EXEC(f: Facts) -> ExecFile:
    root, r = unit_root(f), f.reader
    path = exec_path(r, f.get(UNIT), root)
    if path is None:
        return ExecFile(None)
    try:
        st = r.stat(root, path)
    except OSError as e:
        return ExecFile(path, e.strerror or str(e))
    regular = stat.S_ISREG(st.st_mode)
    head = (r.data(root, path, 2) or b"") if regular else b""
    return ExecFile(path, None, regular, head, parse_caps(r.xattr(root, path, "security.capability")))


def manager_settings(text: str) -> Mapping[str, str]:
    """The [Manager] settings of system.conf (DefaultLimitNOFILE=, DefaultTasksMax=, ...)."""
    from gomedic.facts.unitfile import parse_unit

    entries = parse_unit(text, SYSTEM_CONF).entries
    return MappingProxyType({e.key: e.value for e in entries if e.section == "Manager"})


@fact("service.system-conf")
def MANAGER(f: Facts) -> Mapping[str, str]:
    return manager_settings(f.reader.text(unit_root(f), SYSTEM_CONF) or "")


def arg_paths(argv: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Absolute paths among the arguments, with whether they look like configuration (must exist)."""
    out: list[tuple[str, bool]] = []
    prev = ""
    for a in argv[1:]:
        flag, sep, val = a.partition("=")
        cand = val if sep and flag.startswith("-") else a
        if cand.startswith("/") and "\n" not in cand:
            named = any(k in (flag if sep else prev).lower() for k in ("conf", "config", "file", "cert", "key", "dir"))
            out.append((cand, named or cand.endswith(CONFIG_EXT)))
        prev = a if a.startswith("-") else ""
    return out


@frozen
class PathState:
    exists: bool  # lstat(2) succeeds (a dangling symlink exists)
    is_file: bool  # a regular file, following symlinks
    is_dir: bool


def path_state(reader: Reader, root: Path, p: str) -> PathState:
    try:
        reader.lstat(root, p)
    except (OSError, ValueError):
        return PathState(False, False, False)
    try:
        mode = reader.stat(root, p).st_mode
    except (OSError, ValueError):
        return PathState(True, False, False)
    return PathState(True, stat.S_ISREG(mode), stat.S_ISDIR(mode))


@fact("service.unit-paths")
def UNIT_PATHS(f: Facts) -> Mapping[str, PathState]:
    """The unit's EnvironmentFile= paths and the absolute paths in its ExecStart arguments, under the unit root."""
    u, root = f.get(UNIT), unit_root(f)
    named = [ef.path for ef in u.environment_files] + [p for p, _ in arg_paths(u.exec_argv)]
    return MappingProxyType({p: path_state(f.reader, root, p) for p in named})


DYNAMIC_UID = 61184  # first uid of systemd's DynamicUser= range: owns no files
ROOT = Principal(0, frozenset({0}), "root")


@frozen
class UnitUser:
    principal: Principal | None  # None: the user or a group does not exist
    why: str  # "app (uid 2000)", "root (no User=)", "User=ghost does not exist", ...


def principal(root: Path, u: ServiceUnit) -> tuple[Principal | None, str]:
    """Who the main process runs as, or (None, why) when that user/group cannot exist."""
    if u.exec_start is not None and u.exec_start.full_privileges:
        return ROOT, "root (ExecStart has the '+' prefix)"
    if u.dynamic_user:
        return Principal(DYNAMIC_UID, frozenset({DYNAMIC_UID}), "dynamic"), "a DynamicUser= uid (owns no files)"
    if not u.user:
        return ROOT, "root (no User=)"
    acct = lookup_user(root, u.user)
    if acct is None:
        return None, f"User={u.user} does not exist"
    gids = set(acct.groups) | {acct.gid}
    for g in ([u.group] if u.group else []) + list(u.supplementary_groups):
        gid = lookup_group(root, g)
        if gid is None:
            return None, f"group {g} does not exist"
        gids.add(gid)
    if u.group:
        gids.discard(acct.gid)  # Group= replaces the primary group
        gids.add(lookup_group(root, u.group) or acct.gid)
    return Principal(acct.uid, frozenset(gids), acct.name), f"{acct.name} (uid {acct.uid})"


@fact("service.principal")
def PRINCIPAL(f: Facts) -> UnitUser:
    """Who the unit's main process runs as: its accounts looked up under the unit root (NSS on a live `/`)."""
    return UnitUser(*principal(unit_root(f), f.get(UNIT)))


@frozen
class PortUse:
    sockets: tuple[Socket, ...]  # listening sockets on the port (/proc/net/tcp, tcp6)
    holders: tuple[tuple[int, str], ...]  # (pid, command name) of the processes holding them (those readable)


@fact("service.ports")
def PORTS(f: Facts) -> Mapping[int, PortUse]:
    """Each port the unit names that something already listens on, with who holds it (this machine's /proc)."""
    u = f.get(UNIT)
    held = listeners(ROOT_DIR, f.reader)
    out: dict[int, PortUse] = {}
    for np in ports_in_args(u.exec_argv) + ports_in_env(u.environment):
        socks = held.get(np.port, [])
        if socks and np.port not in out:
            out[np.port] = PortUse(tuple(socks), tuple(holders({s.inode for s in socks}, ROOT_DIR, f.reader)))
    return MappingProxyType(out)


def in_root(root: Path, p: str) -> str:
    """`p` of the unit as a path on this machine."""
    return str(root / p.lstrip("/")) if str(root) != "/" else p


@fact("service.exec-binary")
def EXEC_BINARY(f: Facts) -> Inspection:
    """The ExecStart program's headers and Go build info (read, never run)."""
    from gomedic.binfmt.inspect import inspect
    from gomedic.errors import FactUnavailable

    path = f.get(EXEC).path
    if path is None:
        raise FactUnavailable("the unit has no ExecStart=")
    return inspect(in_root(unit_root(f), path))


@fact("service.exec-os-user")
def EXEC_USES_OSUSER(f: Facts) -> bool:
    """The ExecStart program is a cgo-less Go binary that uses os/user (needs HOME and USER)."""
    ins = f.get(EXEC_BINARY)
    if not ins.is_go or ins.setting("CGO_ENABLED") != "0":
        return False
    try:
        from gomedic.binfmt import gosyms

        found = gosyms.uses(in_root(unit_root(f), f.get(EXEC).path or ""), ["os/user."])
    except Exception:  # a reader problem must not hide the other results
        return False
    return bool(found and found.get("os/user."))


@frozen
class UnitAccess:
    """What the unit's user may do, evaluated for its uid and groups (facts.access.can), under the unit root."""

    exec_start: Access | None  # execute the ExecStart program (None: no such user, or no regular program)
    working_directory: Access | None  # enter WorkingDirectory= (None: none set, or no such user)
    paths: Mapping[str, Access]  # the ExecStart argument paths that exist or name configuration: read (dirs: +x)


@fact("service.access")
def ACCESS(f: Facts) -> UnitAccess:
    u, root, who = f.get(UNIT), unit_root(f), f.get(PRINCIPAL).principal
    if who is None:
        return UnitAccess(None, None, MappingProxyType({}))
    exe = f.get(EXEC)
    run = None
    if exe.path is not None and exe.error is None and exe.regular:
        run = can(in_root(root, exe.path), who, X, root=str(root))
    wd = u.working_directory
    enter = can(in_root(root, wd.path), who, X, root=str(root)) if wd else None
    states = f.get(UNIT_PATHS)
    paths: dict[str, Access] = {}
    for p, named in arg_paths(u.exec_argv):
        if p in paths or (not states[p].exists and not named):
            continue
        want: Want = R | X if states[p].is_dir else R
        paths[p] = can(in_root(root, p), who, want, root=str(root))
    return UnitAccess(run, enter, MappingProxyType(paths))
