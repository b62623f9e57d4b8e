"""The user a fix is for, and the environment that user's go sees.

`gomedic fix` as alice fixes alice's setup. As root, `--user alice` (or SUDO_USER, under sudo) names
the user whose caches are handed back: checks are then evaluated as that user (in a process running
with that user's uid and groups: access is never judged as root), and the changes are made as root.
"""

from __future__ import annotations

import grp
import os
import pwd
from collections.abc import Mapping

from gomedic.errors import UsageError
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen, replace

if TYPE_CHECKING:
    from typing import Literal

    Via = Literal["current user", "--user", "SUDO_USER"]


@frozen
class Target:
    name: str
    uid: int
    gid: int
    group: str
    home: str
    shell: str
    via: Via  # how the user was chosen

    @property
    def is_self(self) -> bool:
        return self.uid == os.geteuid()

    @property
    def owner(self) -> str:
        return f"{self.name}:{self.group}"

    @property
    def confine(self) -> str:
        """The directory root's changes for another user are confined to (through directory fds, no
        symlink followed): the user's home; "" when gomedic runs as the user (nothing to confine)."""
        return "" if self.is_self else self.home

    def owns_path(self, path: str) -> bool:
        """Whether `path` is inside this user's home directory (where handing things back is safe)."""
        home = os.path.realpath(self.home) if self.home else ""
        if not home or home == "/":
            return False
        real = os.path.realpath(path)
        return real == home or real.startswith(home.rstrip("/") + "/")


def _from_pw(pw: pwd.struct_passwd, via: Via) -> Target:
    try:
        group = grp.getgrgid(pw.pw_gid).gr_name
    except KeyError:
        group = str(pw.pw_gid)
    return Target(pw.pw_name, pw.pw_uid, pw.pw_gid, group, pw.pw_dir, pw.pw_shell, via)


def _lookup(name: str) -> pwd.struct_passwd:
    try:
        return pwd.getpwuid(int(name)) if name.isdigit() else pwd.getpwnam(name)
    except (KeyError, OverflowError):
        raise UsageError(f"--user {name}: no such user") from None


def _with_home(t: Target, env: Mapping[str, str]) -> Target:
    """HOME from the environment when it is that user's directory (sudo may leave root's HOME: then the
    passwd entry's home is used)."""
    home = env.get("HOME", "")
    try:
        if home and os.path.isabs(home) and os.stat(home).st_uid == t.uid:
            return replace(t, home=home)
    except OSError:
        pass
    return t


def resolve(user: str | None, env: Mapping[str, str]) -> Target:
    euid = os.geteuid()
    if user:
        t = _from_pw(_lookup(user), "--user")
        if t.uid != euid and euid != 0:
            raise UsageError(f"--user {user}: acting for another user needs root (sudo gomedic fix --user {user})")
        return _with_home(t, env)
    sudo_user = env.get("SUDO_USER", "")
    if euid == 0 and sudo_user and sudo_user != "root":
        return _with_home(_from_pw(_lookup(sudo_user), "SUDO_USER"), env)
    try:
        t = _from_pw(pwd.getpwuid(euid), "current user")
        home = env.get("HOME", "")
        return replace(t, home=home) if home and os.path.isabs(home) else t
    except KeyError:
        home = env.get("HOME", "/")
        return Target(str(euid), euid, os.getegid(), str(os.getegid()), home, env.get("SHELL", "/bin/sh"),
                      "current user")


def env_for(target: Target, env: Mapping[str, str]) -> dict[str, str]:
    """The environment the target user's go sees: this one, with HOME/USER/LOGNAME of that user when it
    is another user (XDG directories of the invoking user are dropped)."""
    out = dict(env)
    if target.is_self:
        return out
    if out.get("HOME") != target.home:
        for k in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR"):
            v = out.get(k, "")
            if v and not v.startswith(target.home.rstrip("/") + "/"):
                del out[k]
    out.update(HOME=target.home, USER=target.name, LOGNAME=target.name)
    return out


CHILD_ENV = frozenset({"HOME", "USER", "LOGNAME", "PATH", "LANG", "LC_ALL", "LC_CTYPE",
                       "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "AR", "CC", "CXX", "GCCGO"})


def child_env(target: Target, env: Mapping[str, str]) -> dict[str, str]:
    """The environment of what root runs as another user (the checks, `go clean`): who they are, PATH,
    locale and the Go variables; nothing else of root's (cloud keys, tokens, SSH agents): the user can
    read the environment of every process running with their uid."""
    out = {k: v for k, v in env.items() if k in CHILD_ENV or k.startswith(("GO", "CGO_"))}
    out.update(HOME=target.home, USER=target.name, LOGNAME=target.name)
    out.setdefault("PATH", "/usr/local/bin:/usr/bin:/bin")
    return out
