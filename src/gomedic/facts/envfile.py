"""The GOENV file (`go env -w` writes it) and GOROOT/go.env: KEY=VALUE lines, parsed as cmd/go parses them.

cmd/go ignores lines without `=`, comments and lines not starting with A-Z; the last duplicate wins.
`entry_problems` applies the rules `go env -w` enforces (cmd/go/internal/envcmd checkEnvWrite).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

from gomedic.values import frozen

# internal/cfg.KnownEnv (Go 1.27): the variables the go command reads from its env file.
KNOWN_ENV = frozenset(
    """AR CC CGO_CFLAGS CGO_CFLAGS_ALLOW CGO_CFLAGS_DISALLOW CGO_CPPFLAGS CGO_CPPFLAGS_ALLOW
    CGO_CPPFLAGS_DISALLOW CGO_CXXFLAGS CGO_CXXFLAGS_ALLOW CGO_CXXFLAGS_DISALLOW CGO_ENABLED CGO_FFLAGS
    CGO_FFLAGS_ALLOW CGO_FFLAGS_DISALLOW CGO_LDFLAGS CGO_LDFLAGS_ALLOW CGO_LDFLAGS_DISALLOW CXX FC GCCGO
    GO111MODULE GO386 GOAMD64 GOARCH GOARM GOARM64 GOAUTH GOBIN GOCACHE GOCACHEPROG GOENV GOEXE
    GOEXPERIMENT GOFIPS140 GOFLAGS GOGCCFLAGS GOHOSTARCH GOHOSTOS GOINSECURE GOMIPS GOMIPS64 GOMODCACHE
    GONOPROXY GONOSUMDB GOOS GOPATH GOPPC64 GOPRIVATE GOPROXY GORISCV64 GOROOT GOSUMDB GOTMPDIR
    GOTOOLCHAIN GOTOOLDIR GOVCS GOWASM GOWORK GO_EXTLINK_ENABLED PKG_CONFIG""".split()  # noqa: SIM905
)
READ_ONLY = frozenset(
    "GOEXE GOGCCFLAGS GOHOSTARCH GOHOSTOS GOMOD GOROOT GOTELEMETRY GOTELEMETRYDIR GOTOOLDIR GOVERSION GOWORK".split()  # noqa: SIM905
)
OS_ENV_ONLY = frozenset({"GOENV", "GODEBUG"})


def user_config_dir(env: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """os.UserConfigDir: on macOS $HOME/Library/Application Support (so `go env -w` writes
    ~/Library/Application Support/go/env there); elsewhere $XDG_CONFIG_HOME when absolute, else $HOME/.config."""
    if platform == "darwin":
        home = env.get("HOME", "")
        return os.path.join(home, "Library", "Application Support") if home else None
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and os.path.isabs(xdg):
        return xdg
    home = env.get("HOME", "")
    return os.path.join(home, ".config") if home else None


def goenv_location(env: Mapping[str, str], platform: str = sys.platform) -> tuple[str | None, str]:
    """(the GOENV file go reads, how it was chosen); None when go reads none, with the reason."""
    goenv = env.get("GOENV", "")
    if goenv == "off":
        return None, "GOENV=off"
    if goenv:
        return goenv, "GOENV"
    d = user_config_dir(env, platform)
    if d is None:
        return None, "neither $XDG_CONFIG_HOME nor $HOME is defined"
    return os.path.join(d, "go", "env"), "default location"


@frozen
class EnvEntry:
    key: str
    value: str
    line: int


@frozen
class EnvFileText:
    entries: tuple[EnvEntry, ...]
    ignored: tuple[tuple[int, str], ...]  # (line, text) of non-empty lines cmd/go skips

    def values(self) -> dict[str, str]:
        return {e.key: e.value for e in self.entries}  # last duplicate wins

    def last(self, key: str) -> EnvEntry | None:
        for e in reversed(self.entries):
            if e.key == key:
                return e
        return None


def parse(text: str) -> EnvFileText:
    entries: list[EnvEntry] = []
    ignored: list[tuple[int, str]] = []
    for n, line in enumerate(text.split("\n"), 1):
        i = line.find("=")
        if i < 0 or not line or not ("A" <= line[0] <= "Z"):
            if line.strip() and not line.lstrip().startswith("#"):
                ignored.append((n, line))
            continue
        entries.append(EnvEntry(line[:i], line[i + 1 :], n))
    return EnvFileText(tuple(entries), tuple(ignored))


def split_quoted(s: str) -> list[str]:
    """cmd/internal/quoted.Split: fields separated by spaces; '...' and "..." group (no escapes)."""
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        while i < n and s[i] in " \t\n\r":
            i += 1
        if i >= n:
            break
        if s[i] in "'\"":
            q = s[i]
            j = s.find(q, i + 1)
            if j < 0:
                raise ValueError(f"unterminated {q} string")
            out.append(s[i + 1 : j])
            i = j + 1
            if i < n and s[i] not in " \t\n\r":
                raise ValueError(f"unseparated string: {s[i:]!r}")
            continue
        j = i
        while j < n and s[j] not in " \t\n\r":
            j += 1
        out.append(s[i:j])
        i = j
    return out


def entry_problems(key: str, val: str) -> list[str]:
    """The error `go env -w KEY=VAL` would give, in cmd/go's words (empty when it would accept it)."""
    if key in READ_ONLY:
        return [f"{key} cannot be modified"]
    if key in OS_ENV_ONLY:
        return [f"{key} can only be set using the OS environment"]
    if key not in KNOWN_ENV:
        return [f"unknown go command variable {key}"]
    probs: list[str] = []
    if key == "GO111MODULE" and val not in ("", "auto", "on", "off"):
        probs.append(f"invalid {key} value {val!r}")
    elif key == "GOPATH":
        for p in val.split(os.pathsep):
            if p.startswith("~"):
                probs.append(f"GOPATH entry cannot start with shell metacharacter '~': {p!r}")
            elif p and not os.path.isabs(p):
                probs.append(f"GOPATH entry is relative; must be absolute path: {p!r}")
    elif key in ("GOMODCACHE", "GOCACHE") and val and not os.path.isabs(val):
        probs.append(f"{key} entry is relative; must be absolute path: {val!r}")
    elif key in ("CC", "CXX") and val:
        try:
            args = split_quoted(val)
        except ValueError as e:
            probs.append(f"invalid {key}: {e}")
        else:
            if not args:
                probs.append(f"{key} entry cannot contain only space")
            elif not os.path.isabs(args[0]) and args[0] != os.path.basename(args[0]):
                probs.append(f"{key} entry is relative; must be absolute path: {args[0]!r}")
    if "\x00" in val:
        probs.append(f"invalid NUL in {key}=... value")
    if any(c in val for c in "\v\r\n"):
        probs.append(f"invalid newline in {key}=... value")
    return probs
