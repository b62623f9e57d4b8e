"""cgo: the C side — is cgo on and why, does the C compiler resolve, are libc headers there."""

from __future__ import annotations

import os

from gomedic.binfmt import goversion
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.cctool import CGO_HEADERS, COMPILERS, DEFAULT_CC, HEADER_SEARCH
from gomedic.facts.go import GO_CONFIG, SRC_DEFAULT, GoConfig
from gomedic.facts.gomod import GO_MODULE
from gomedic.facts.tempbuild import CGO_BUILD
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

T = Category.TOOLCHAIN
def _effective(cfg: GoConfig) -> str:
    """The CGO_ENABLED go uses: go env's value (defaults applied), else an explicit 0 or 1, else ""."""
    v = cfg.defaults.get("CGO_ENABLED", "")
    if v:
        return v
    s = cfg.get("CGO_ENABLED")
    return s.value if s.source != SRC_DEFAULT and s.value in ("0", "1") else ""


def _cgo_on(f: Facts) -> tuple[GoConfig, str]:
    cfg = f.get(GO_CONFIG)
    eff = _effective(cfg)
    if eff == "":
        raise FactUnavailable("the effective CGO_ENABLED is unknown (go env cannot run)")
    return cfg, eff


@check("cgo.enabled", category=T, severity=Severity.INFO, title="The effective CGO_ENABLED and why")
def enabled(f: Facts) -> Finding:
    """The effective CGO_ENABLED and why: set in the environment or GOENV file, or defaulted — off when
    cross-compiling without CC, on when CC is set, else on only when the default C compiler (gcc or
    clang) is on PATH (Go >= 1.20; before 1.20 cgo stays on without one, which is a warning then).

    Why it matters: the same Dockerfile gives static binaries on a slim image and glibc-linked ones
    where gcc exists, and packages that need cgo fail with `build constraints exclude all Go files`.
    A value other than 0 or 1 is ignored by go without a word.

    Fix: set CGO_ENABLED=0 or CGO_ENABLED=1 explicitly for release builds.
    """
    cfg, eff = _cgo_on(f)
    s = cfg.get("CGO_ENABLED")
    goos, goarch = cfg.value("GOOS"), cfg.value("GOARCH")
    hostos, hostarch = cfg.value("GOHOSTOS") or goos, cfg.value("GOHOSTARCH") or goarch
    ev = {"CGO_ENABLED": eff, "source": s.source, "GOOS/GOARCH": f"{goos}/{goarch}", "CC": cfg.value("CC")}
    if s.source != SRC_DEFAULT:
        if s.value not in ("0", "1"):
            return warn(f"CGO_ENABLED={s.value} ({s.source}) is neither 0 nor 1: go ignores it and uses its "
                        f"default, CGO_ENABLED={eff}", fix="set CGO_ENABLED=0 or CGO_ENABLED=1", **ev)
        return ok(f"CGO_ENABLED={eff}: set in the {s.source}", **ev)
    cc = cfg.get("CC")
    if (goos, goarch) != (hostos, hostarch) and cc.source == SRC_DEFAULT:
        why = f"cross-compiling for {goos}/{goarch} with no CC set"
    elif cc.source != SRC_DEFAULT:
        why = f"CC={cc.value} is set ({cc.source})"
    else:
        compilers = f.get(DEFAULT_CC)
        found = list(compilers)
        ev["default C compiler"] = found[0] if found else "none on PATH"
        version = cfg.value("GOVERSION")
        if not found and eff == "1" and version and goversion.compare(version, "go1.20") < 0:
            # before Go 1.20 a native build has cgo on whether or not a C compiler exists
            return warn(f"CGO_ENABLED=1 by default on {version} (cgo stays on without a C compiler before Go "
                        "1.20), and no C compiler (gcc or clang) is on PATH: packages that import \"C\" fail "
                        'with `cgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH`',
                        fix="install gcc (apt-get install gcc), or set CGO_ENABLED=0 for pure-Go builds", **ev)
        why = f"the default C compiler was found at {found[0]}" if found else \
            "no C compiler (gcc or clang) on PATH, so cgo defaults to off"
    return ok(f"CGO_ENABLED={eff} by default: {why}", **ev)


@check("cgo.cc", category=T, severity=Severity.HIGH, title="CC (and CXX) resolve to executables")
def cc(f: Facts) -> Finding:
    """When cgo is on, CC (and CXX, when set) resolve to executables, split as go splits them.

    Users see `cgo: C compiler "gcc" not found: exec: "gcc": executable file not found in $PATH` from
    `# runtime/cgo`, or, for a path with an unquoted space, `cgo: C compiler "/opt/my" not found`.

    Fix: install a C compiler (apt-get install gcc / apk add gcc musl-dev), quote paths with spaces
    (CC='"/opt/my tools/gcc"'), or build without cgo: CGO_ENABLED=0.
    """
    cfg, eff = _cgo_on(f)
    if eff != "1":
        return skip(f"cgo is off (CGO_ENABLED={eff}): no C compiler is needed")
    probs: list[str] = []
    ev: dict[str, str] = {"CGO_ENABLED": eff}
    for key in ("CC", "CXX"):
        s = cfg.get(key)
        if key == "CXX" and s.source == SRC_DEFAULT:
            continue
        raw = s.value or ("gcc" if key == "CC" else "g++")
        comp = f.get(COMPILERS)[raw]
        ev[key] = f"{raw} ({s.source})"
        ev[f"{key} resolves to"] = comp.path or "nothing"
        if comp.error:
            probs.append(f"{key}={raw} ({s.source}) cannot be split: {comp.error}")
        elif comp.unquoted_space:
            probs.append(f"{key}={raw} ({s.source}) has an unquoted space: go runs {comp.argv[0]!r}, not "
                         f"{comp.unquoted_space!r} (`cgo: C compiler \"{comp.argv[0]}\" not found`)")
        elif comp.path is None:
            where = "does not exist or is not executable" if os.sep in comp.argv[0] else "is not on PATH"
            probs.append(f"{key}={raw} ({s.source}): {comp.argv[0]} {where}: builds fail with `cgo: C compiler "
                         f"\"{comp.argv[0]}\" not found: exec: \"{comp.argv[0]}\": executable file not found in $PATH`")
    if probs:
        return fail("; ".join(probs), fix="install a C compiler (apt-get install gcc), point CC at one, quote paths "
                    "with spaces, or build without cgo: CGO_ENABLED=0", **ev)
    return ok(f"CGO_ENABLED=1 and CC={cfg.value('CC') or 'gcc'} resolves to {ev['CC resolves to']}", **ev)


@check("cgo.headers", category=T, severity=Severity.HIGH, title="libc headers are present for cgo")
def headers(f: Facts) -> Finding:
    """When cgo is on, the libc headers runtime/cgo includes (errno.h, stdlib.h, pthread.h) exist in
    the compiler's include directories, under the sysroot given by `--sysroot` in CC, CGO_CFLAGS or
    CGO_CPPFLAGS. gomedic stats the directories; it does not run the compiler.

    Users see `runtime/cgo/cgo.go:54:19: fatal error: errno.h: No such file or directory` (typically
    Alpine with gcc but without musl-dev, or a cross sysroot that lacks the target's libc).

    Fix: install the libc development package (apt-get install libc6-dev / apk add musl-dev), or
    point --sysroot at a complete sysroot.
    """
    cfg, eff = _cgo_on(f)
    if eff != "1":
        return skip(f"cgo is off (CGO_ENABLED={eff}): no C headers are needed")
    if not f.get(COMPILERS)[cfg.value("CC") or "gcc"].argv:
        return skip(f"CC={cfg.value('CC')!r} cannot be split (see cgo.cc)")
    hs = f.get(HEADER_SEARCH)
    root, dirs, missing = hs.sysroot, hs.dirs, list(hs.missing)
    ev = {"CC": cfg.value("CC") or "gcc", "sysroot": root or "/ (none given)", "searched": ", ".join(dirs)}
    if missing:
        where = f"sysroot {root}" if root else "/usr/include"
        pkg = "the libc development package for that sysroot" if root else "libc6-dev (Debian) or musl-dev (Alpine)"
        return fail(f"{', '.join(missing)} not found in {where} (searched {', '.join(dirs)}): cgo builds fail with "
                    f"`fatal error: {missing[0]}: No such file or directory`", fix=f"install {pkg}", **ev)
    return ok(f"{', '.join(CGO_HEADERS)} found for CC={ev['CC']} (sysroot {ev['sysroot']})", **ev)


@check("cgo.deps", category=T, severity=Severity.HIGH, title="No package in the build needs cgo while it is off",
       timeout_s=35.0)
def deps(f: Facts) -> Finding:
    """In a module built with CGO_ENABLED=0, no package in the build graph needs cgo: one `go list -deps`
    finds packages whose `import "C"` files are dropped with nothing to replace them. Standard-library
    packages with pure-Go fallbacks (net, os/user) are not problems.

    Users see `build constraints exclude all Go files in /src/app/sqlite` or `undefined: sqlite3.Open`
    (e.g. mattn/go-sqlite3 in a CGO_ENABLED=0 Docker build).

    Fix: build with CGO_ENABLED=1 and a C compiler, or replace the package with a pure-Go one
    (e.g. modernc.org/sqlite).
    """
    mod = f.get(GO_MODULE)
    if mod.module_dir is None:
        return skip(f"not in a module: no go.mod in {f.cwd} or any parent directory")
    cfg, eff = _cgo_on(f)
    if eff == "1":
        return skip("cgo is on (CGO_ENABLED=1): packages that need cgo can build")
    from gomedic.facts.golist import GO_LIST_DEPS  # only inside a module with CGO_ENABLED=0

    dl = f.get(GO_LIST_DEPS)
    ev = {"module": dl.dir, "CGO_ENABLED": f"{eff} ({cfg.get('CGO_ENABLED').source})",
          "packages": str(len(dl.packages))}
    if not dl.needs:
        return ok(f"CGO_ENABLED={eff}: none of the {len(dl.packages)} packages in the build of {dl.dir} needs cgo",
                  **ev)
    for i, n in enumerate(dl.needs[:10]):
        ev[f"needs cgo[{i}]"] = f"{n.import_path}: {n.reason} ({', '.join(n.files)} import \"C\")"
    names = ", ".join(n.import_path for n in dl.needs[:5])
    first = dl.needs[0]
    return fail(f"CGO_ENABLED={eff} ({cfg.get('CGO_ENABLED').source}) but {names} need cgo: {first.import_path}: "
                f"{first.reason}", fix="build with CGO_ENABLED=1 (and a C compiler), or use a pure-Go "
                "replacement for the package", **ev)


@check("cgo.works", category=T, severity=Severity.HIGH, title="A tiny cgo program builds and links", deep=True,
       timeout_s=110.0)
def works(f: Facts) -> Finding:
    """With cgo on, a tiny cgo program (errno.h, stdlib.h, one C function) builds and links with the
    user's settings, in a temporary module.

    This is what `# runtime/cgo` errors, missing headers, a broken linker or a bad CGO_LDFLAGS break:
    `/usr/bin/ld: cannot find -lpthread`, `fatal error: errno.h: No such file or directory`.

    Fix: follow cgo.cc and cgo.headers; check CGO_CFLAGS/CGO_LDFLAGS; or build with CGO_ENABLED=0.
    """
    cfg, eff = _cgo_on(f)
    if eff != "1":
        return skip(f"cgo is off (CGO_ENABLED={eff})")
    b = f.get(CGO_BUILD)
    ev = {"command": b.command, "CC": cfg.value("CC") or "gcc", "output": b.output[:2000]}
    if b.ok:
        return ok(f"a cgo program built and linked with CC={ev['CC']} in {b.build_s:.1f}s", **ev)
    return fail(f"a tiny cgo program does not build: {b.first_error}",
                fix="see cgo.cc and cgo.headers; check CGO_CFLAGS/CGO_LDFLAGS", **ev)
