"""kind: binary — constraints on compiled Go programs, read from their build info (never executed).

    - name: api-binaries
      kind: binary
      path: /opt/app/bin          # a file, or a directory: every Go executable directly in it
      go: ">=1.24, <1.28"         # Go release range (>=, >, <=, <, ==, !=; comma or space separated)
      cgo: false                  # CGO_ENABLED of the build
      goamd64_max: v2             # amd64 binaries need at most this CPU level (arm64 etc.: not applicable)
      modules:
        present: [golang.org/x/net]
        absent: [github.com/golang/protobuf]
      settings: {-trimpath: "true", vcs.modified: "false"}   # matchers on any build setting
      verdicts: [binary.arch, binary.glibc]   # built-in binary.* checks for each binary, against this host
      vulns: true                 # known vulnerabilities (docs/vulns.md); vulndb: SOURCE (default $GOVULNDB)
      ignore: [{id: GO-2022-1059, until: 2027-01-31, reason: "no Accept-Language parsing"}]  # expired: fails

One result per binary (subject = its path).
"""

from __future__ import annotations

import datetime
import os
import re
import stat
from typing import TYPE_CHECKING, ClassVar, Literal

import msgspec

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem
from gomedic.userchecks.matchers import Expect, check, describe, problems

if TYPE_CHECKING:
    from gomedic.binfmt.buildinfo import BuildInfo
    from gomedic.binfmt.inspect import Inspection

MAX_FILES = 1000
_CONSTRAINT = re.compile(r"^(>=|<=|==|!=|>|<|=)?\s*(?:go)?([0-9][0-9a-z.]*)$")
Level = Literal["v1", "v2", "v3", "v4"]


def parse_range(spec: str) -> list[tuple[str, str]]:
    """`">=1.24, <1.28"` -> [(">=", "1.24"), ("<", "1.28")]; raises ValueError."""
    from gomedic.binfmt.goversion import parse

    out: list[tuple[str, str]] = []
    parts = [p for p in re.split(r"[,\s]+(?=[<>=!]|go|[0-9])", spec.strip()) if p.strip(", ")]
    if not parts:
        raise ValueError("an empty version range")
    for part in parts:
        m = _CONSTRAINT.match(part.strip(", "))
        if not m or not parse(m.group(2)).valid:
            raise ValueError(f"{part.strip()!r} is not a Go version constraint like >=1.24")
        out.append((m.group(1) or "==", m.group(2)))
    return out


def in_range(go_version: str, constraints: list[tuple[str, str]]) -> bool:
    from gomedic.binfmt.goversion import compare

    for op, v in constraints:
        c = compare(go_version, "go" + v)
        ok_ = {">=": c >= 0, ">": c > 0, "<=": c <= 0, "<": c < 0, "==": c == 0, "=": c == 0, "!=": c != 0}[op]
        if not ok_:
            return False
    return True


class Modules(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    present: list[str] = msgspec.field(default_factory=list)
    absent: list[str] = msgspec.field(default_factory=list)


class VulnIgnore(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    id: str
    until: datetime.date | None = None
    reason: str = ""


class BinaryCheck(Common, tag="binary", frozen=True):
    path: str
    go: str = ""
    cgo: bool | None = None
    goamd64_max: Level | None = None
    modules: Modules = msgspec.field(default_factory=Modules)
    settings: dict[str, Expect] = msgspec.field(default_factory=dict)
    verdicts: list[str] = msgspec.field(default_factory=list)
    vulns: bool = False
    vulndb: str = ""
    offline: bool = False
    ignore: list[VulnIgnore] = msgspec.field(default_factory=list)

    DEFAULT_CATEGORY: ClassVar[Category] = Category.BINARY

    def default_title(self) -> str:
        return f"Go binaries at {self.path} meet the declared build constraints"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if self.go:
            try:
                parse_range(self.go)
            except ValueError as e:
                out.append((("go",), str(e)))
        for i, v in enumerate(self.verdicts):
            if not re.match(r"^binary\.[a-z0-9-]+$", v):
                out.append((("verdicts", i), f"{v!r} is not a binary.* check id"))
        for k, m in self.settings.items():
            out += [(("settings", k, *sub), msg) for sub, msg in problems(m)]
        from gomedic.vulndb.usercheck import vuln_problems

        out += vuln_problems(self.vulns, self.vulndb, [(i.id, i.until) for i in self.ignore])
        return out


def binaries(path: str) -> list[str]:
    """`path` itself, or the executable regular files directly in the directory `path` (sorted, capped)."""
    if not os.path.isdir(path):
        return [path]
    out = []
    for name in sorted(os.listdir(path))[:MAX_FILES]:
        p = os.path.join(path, name)
        try:
            st = os.stat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode) and st.st_mode & 0o111:
            out.append(p)
    return out


def _module_paths(bi: BuildInfo) -> set[str]:
    mods = [*bi.deps, *([bi.main] if bi.main else [])]
    return {m.path for m in mods} | {m.replace.path for m in mods if m.replace is not None}


Problems = tuple[list[str], list[str]]  # what is wrong, and the fixes


def judge(c: BinaryCheck, info: Inspection) -> Finding:
    path = info.path
    if info.error or info.buildinfo is None:
        why = info.error or info.go_error or "no Go build info"
        return fail(
            f"{path}: not a readable Go binary ({why})",
            subject=path,
            fix=c.fix or "point path: at a Go binary",
            path=path,
        )
    bi = info.buildinfo
    arch = bi.setting("GOARCH") or info.goarch or "?"
    cgo = bi.setting("CGO_ENABLED")
    ev = {"path": path, "go": bi.go_version, "GOARCH": arch, "CGO_ENABLED": cgo or "(unset)"}
    bad, fixes = _build_problems(c, bi, arch, ev)
    bad += _module_problems(c, bi, fixes)
    bad += [f"build setting {key}={got or '(unset)'} is not {describe(m)}"
            for key, m in c.settings.items() if not check(m, got := bi.setting(key) or None)]
    if bad:
        return fail(f"{path}: " + "; ".join(bad), subject=path, fix=c.fix or "; ".join(fixes) or None, **ev)
    return ok(f"{path}: {bi.go_version} {bi.setting('GOOS') or info.goos}/{arch}, CGO_ENABLED={cgo or '(unset)'}",
              subject=path, **ev)


def _build_problems(c: BinaryCheck, bi: BuildInfo, arch: str, ev: dict[str, str]) -> Problems:
    """The declared Go range, CGO_ENABLED and GOAMD64 ceiling against the build info (GOAMD64 goes in `ev`)."""
    bad: list[str] = []
    fixes: list[str] = []
    cgo = bi.setting("CGO_ENABLED")
    if c.go and not in_range(bi.go_version, parse_range(c.go)):
        bad.append(f"built with {bi.go_version}, not in {c.go}")
        fixes.append(f"rebuild with a Go release in {c.go}")
    if c.cgo is not None and (cgo == "1") != c.cgo:
        bad.append(f"CGO_ENABLED={cgo or '(unset)'}, declared {'1' if c.cgo else '0'}")
        fixes.append(f"rebuild with CGO_ENABLED={'1' if c.cgo else '0'}")
    if c.goamd64_max is None:
        return bad, fixes
    if arch != "amd64":
        ev["GOAMD64"] = f"n/a ({arch})"
        return bad, fixes
    level = bi.setting("GOAMD64") or "v1"
    ev["GOAMD64"] = level
    if level > c.goamd64_max:
        bad.append(f"GOAMD64={level}, above {c.goamd64_max}")
        fixes.append(f"rebuild with GOAMD64={c.goamd64_max}")
    return bad, fixes


def _module_problems(c: BinaryCheck, bi: BuildInfo, fixes: list[str]) -> list[str]:
    """Modules declared present but missing, and declared absent but there (their fix added to `fixes`)."""
    mods = _module_paths(bi)
    missing = [m for m in c.modules.present if m not in mods]
    banned = [m for m in c.modules.absent if m in mods]
    bad: list[str] = []
    if missing:
        bad.append("does not contain module " + ", ".join(missing))
    if banned:
        bad.append("contains module " + ", ".join(banned))
        fixes.append("remove " + ", ".join(banned) + " from go.mod (go mod why -m " + banned[0] + ")")
    return bad


SCHEMA = BinaryCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: BinaryCheck, facts: Facts) -> list[Finding]:
    path = os.path.join(facts.cwd, c.path)
    if not os.path.exists(path):
        return [fail(f"{c.path} does not exist", fix=c.fix or f"install the binaries at {c.path}", path=c.path)]
    from gomedic.binfmt.inspect import inspect

    infos = [inspect(p) for p in binaries(path)]
    if os.path.isdir(path):
        infos = [i for i in infos if i.is_go]  # a directory may hold scripts next to the Go binaries
    if not infos:
        return [fail(f"{c.path} holds no Go executables", fix=c.fix or f"install the binaries at {c.path}",
                     path=c.path)]
    found = [i.path for i in infos]
    out = [judge(c, i) for i in infos]
    if c.verdicts:
        from gomedic.userchecks.verdicts import binary_verdicts

        out += binary_verdicts(c.verdicts, found, facts)
    if c.vulns:
        from gomedic.vulndb.usercheck import vuln_findings

        out += vuln_findings(infos, c.vulndb, c.offline, [(i.id, i.until, i.reason) for i in c.ignore], facts)
    return out
