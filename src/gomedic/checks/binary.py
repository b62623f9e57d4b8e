"""binary: will this Go binary run there? One result per check and binary (subject = the binary's path).

The binaries come from the `BINARIES` fact (Options.extra["binaries"], a list of paths) and the target
from `gomedic.targets.TARGET`. `evaluate(path, target)` runs every binary check for one file: the service
checks use it for a unit's ExecStart. Nothing here executes the binary; it is read, never run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import MappingProxyType

from gomedic.binfmt.exe import Format
from gomedic.binfmt.inspect import Inspection
from gomedic.facts import Facts, Options
from gomedic.facts.binaries import BINARIES
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Result, Severity
from gomedic.registry import check
from gomedic.targets import TARGET, Libc, Target
from gomedic.targets.model import GLIBC_LOADERS, musl_loader, vstr

# modules registering the rest of the binary.* checks (imported at the bottom)
Judge = Callable[[Inspection, Target], Finding]


def each(f: Facts, judge: Judge, *, needs_exe: bool = True) -> Iterator[Finding]:
    """One finding per binary; unreadable files are judged by binary.format alone."""
    bins = f.get(BINARIES)
    target = f.get(TARGET)
    for ins in bins:
        if needs_exe and ins.error is not None:
            yield skip(f"not an executable gomedic can read (see binary.format): {ins.error}", subject=ins.path)
            continue
        out = judge(ins, target)
        yield Finding(out.status, out.summary, out.evidence, out.fix, ins.path)


FORMAT_NAMES = {Format.ELF: "ELF", Format.MACHO: "Mach-O", Format.PE: "PE"}


def foreign(ins: Inspection, t: Target) -> Finding | None:
    """A skip for a check that only means something for the target's own OS (same wording for every format)."""
    goos = ins.goos
    if goos is None or ins.format is None or goos == t.goos or (goos == "android" and t.goos == "linux"):
        return None
    return skip(f"not applicable: {ins.path} is {article(goos)} {goos} binary ({FORMAT_NAMES[ins.format]}) and {describe(t)} "
                f"runs {t.goos}; binary.arch says whether it runs there", binary_os=goos, target_os=t.goos)


def article(word: str) -> str:
    return "an" if word[:1] in "aeio" else "a"


def describe(t: Target) -> str:
    return t.name if t.name != "host" else "this host"


def libc_of(ins: Inspection) -> Libc:
    """The C library a dynamically linked ELF expects (NONE for a static binary)."""
    assert ins.elf is not None
    dyn = ins.elf.dynamic
    interp = dyn.interpreter or ""
    if "ld-musl" in interp or any(n.startswith("libc.musl-") for n in dyn.needed):
        return Libc.MUSL
    if dyn.glibc_required or "libc.so.6" in dyn.needed or (interp and "ld-musl" not in interp):
        return Libc.GLIBC
    if "libc.so" in dyn.needed:
        return Libc.MUSL
    return Libc.NONE


def _settings_evidence(ins: Inspection) -> dict[str, str]:
    keys = ("GOOS", "GOARCH", "GOAMD64", "GOARM64", "GOARM", "CGO_ENABLED", "-buildmode", "-trimpath", "-tags",
            "-ldflags", "vcs.revision", "vcs.modified")
    return {k: ins.setting(k) for k in keys if ins.setting(k)}


@check("binary.format", category=Category.BINARY, severity=Severity.HIGH,
       title="The file is an executable gomedic can read, and a Go binary")
def format_(f: Facts) -> Iterator[Finding]:
    """Reads the file as ELF (32/64-bit, both byte orders), Mach-O (thin or fat) or PE32/PE32+ and finds the
    Go build info (what `go version -m` prints): Go version, main module and build settings.

    Fails for a file that is none of these (a script, a truncated download, an HTML error page saved as a
    binary): running it gives `exec format error` or `cannot execute binary file`. Warns for an executable
    without Go build info: a C program, or a Go program whose build info was stripped (esbuild 0.27/0.28),
    recognised by its runtime (`.gopclntab`, the Go build ID note) with the Go release recovered from
    `runtime.buildVersion` where the binary holds it. The OS of an ELF comes from the build info's GOOS, else
    from its ABI note (FreeBSD `.note.tag`, `.note.openbsd.ident`, `.note.netbsd.ident`), EI_OSABI or its
    interpreter (/libexec/ld-elf.so.1, /usr/libexec/ld.so, /usr/libexec/ld.elf_so, /lib/amd64/ld.so.1).

    Fix: check the path and the download; `file PATH` names what it really is.
    """

    def judge(ins: Inspection, t: Target) -> Finding:
        if ins.error is not None or ins.format is None:
            return fail(f"{ins.path}: {ins.error}", fix=f"check what {ins.path} really is (`file {ins.path}`); "
                        "gomedic reads ELF, Mach-O and PE executables", error=ins.error)
        kind = f"{ins.goos} {FORMAT_NAMES[ins.format]} {ins.bits}-bit {ins.goarch}"
        os_ev = {"os_evidence": ins.elf.os_evidence} if ins.elf is not None else {}
        if ins.buildinfo is None and ins.go_runtime is not None:
            rt = ins.go_runtime
            built = f"built with {rt.version} (runtime.buildVersion)" if rt.version else "Go release unknown"
            return warn(f"{ins.path} is {article(kind)} {kind} Go binary without build info ({rt.evidence}; {built}): "
                        "`go version -m` says `not a Go executable`; its modules and build settings are unknown",
                        fix="ask its publisher for builds that keep build info (do not strip .go.buildinfo); "
                        "checks that need GOAMD64/CGO_ENABLED assume Go's defaults", format=kind, size=ins.size,
                        go_version=rt.version or "unknown", go_evidence=rt.evidence, **os_ev)
        if ins.buildinfo is None:
            return warn(f"{ins.path} is {article(kind)} {kind} executable but not a Go binary ({ins.go_error})",
                        fix="only the loader-level checks apply; rebuild it with `go build` for full results",
                        format=kind, size=ins.size, **os_ev)
        bi = ins.buildinfo
        main = f"{bi.main.path} {bi.main.version}" if bi.main else (bi.path or "unknown main module")
        return ok(f"{ins.path}: {kind} Go binary built with {bi.go_version}, main module {main}",
                  format=kind, go_version=bi.go_version, path=bi.path, main=main, size=ins.size,
                  **_settings_evidence(ins), **os_ev)

    return each(f, judge, needs_exe=False)


COMPAT = {("amd64", "386"): "the kernel has IA32 emulation (CONFIG_IA32_EMULATION) and, for a dynamic "
          "binary, the 32-bit C library is installed",
          ("arm64", "arm"): "the CPU can run AArch32 code and the kernel has CONFIG_COMPAT (many server cores "
          "cannot)"}


@check("binary.arch", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The binary's OS and architecture run on the target")
def arch(f: Facts) -> Iterator[Finding]:
    """Compares the executable's format and machine (ELF e_machine, class and byte order; Mach-O cputype;
    PE Machine; the build info's GOOS/GOARCH) with the target's OS and architecture.

    A mismatch fails with `exec format error` (Docker: `exec user process caused "exec format error"`).
    An ELF for FreeBSD, NetBSD, OpenBSD or Solaris of the target's machine is different: Linux loads it
    anyway, and it crashes on its first system call (static: `Segmentation fault`/`Bad system call`) or
    fails on its missing interpreter (dynamic: `No such file or directory`). Warns when the binary runs only
    through a compatibility layer (386 on amd64, arm on arm64) or through qemu-user in binfmt_misc. The
    other binary checks say "not applicable" for a binary of another OS, in the same words for every format.

    Fix: build for the target: `GOOS=linux GOARCH=<target arch> go build`, or publish a multi-arch image.
    """

    def judge(ins: Inspection, t: Target) -> Finding:
        goos, goarch = ins.goos or "?", ins.goarch or "?"
        fix = f"rebuild for the target: GOOS={t.goos} GOARCH={t.goarch} go build"
        ev = {"binary": f"{goos}/{goarch}", "target": f"{t.goos}/{t.goarch}", "target_source": t.source("arch")}
        if ins.buildinfo is not None and ins.setting("GOARCH") and ins.setting("GOARCH") != goarch:
            return fail(f"{ins.path}: build info says GOARCH={ins.setting('GOARCH')} but the header says {goarch}: "
                        "the file is damaged or tampered with", fix="rebuild it", **ev)
        if goos != t.goos and ins.elf is not None and t.goos == "linux" and goarch == t.goarch:
            return _foreign_elf(ins, t, goos, fix, ev)
        if goos != t.goos:
            return fail(f"{ins.path} is {article(goos)} {goos}/{goarch} binary; {describe(t)} runs {t.goos}/{t.goarch}: "
                        "exec fails with `exec format error`", fix=fix, **ev)
        if goarch == t.goarch:
            return ok(f"{ins.path} is {goos}/{goarch}, as {describe(t)} is", **ev)
        if goarch in t.emulated:
            return warn(f"{ins.path} is {goos}/{goarch}; {describe(t)} is {t.goarch} and runs it only through "
                        f"qemu-user (binfmt_misc), many times slower", fix=fix, **ev)
        why = COMPAT.get((t.goarch, goarch))
        if why:
            return warn(f"{ins.path} is {goos}/{goarch}; on {t.goarch} it runs only if {why}", fix=fix, **ev)
        return fail(f"{ins.path} is {goos}/{goarch} but {describe(t)} is {t.goos}/{t.goarch}: exec fails with "
                    "`exec format error`", fix=fix, **ev)

    return each(f, judge)


def _foreign_elf(ins: Inspection, t: Target, goos: str, fix: str, ev: dict[str, str]) -> Finding:
    """Another OS's ELF of the right machine: Linux loads it anyway (it ignores EI_OSABI and the notes)."""
    assert ins.elf is not None
    ev = {**ev, "os_evidence": ins.elf.os_evidence}
    interp = ins.elf.dynamic.interpreter
    if goos == "android" and t.goos == "linux":
        return ok(f"{ins.path} is android/{ins.goarch}, which runs on the Linux kernel (binary.interpreter checks "
                  "its loader)", **ev)
    if interp is not None and not t.fs.exists(interp):
        return fail(f"{ins.path} is {article(goos)} {goos}/{ins.goarch} binary ({ins.elf.os_evidence}); Linux loads it but its "
                    f"interpreter {interp} does not exist on {describe(t)}: exec fails with `No such file or "
                    "directory` although the file exists", fix=fix, interpreter=interp, **ev)
    how = f"its interpreter {interp} is started" if interp else "it is a static binary, so Linux starts it"
    return fail(f"{ins.path} is {article(goos)} {goos}/{ins.goarch} binary ({ins.elf.os_evidence}); {how} but its first "
                f"{goos} system call does not mean the same on Linux: it crashes at start (`Segmentation fault` or "
                "`Bad system call`, exit status 139 or 159), it does not fail with `exec format error`",
                fix=fix, interpreter=interp or "none", **ev)


def _elf_only(ins: Inspection, t: Target, *, kernel_reads: bool = False) -> Finding | None:
    """Skip unless the ELF loader applies: another OS's binary is not applicable (an ELF one still has its
    PT_INTERP read by Linux when kernel_reads), and Mach-O/PE have no ELF loader."""
    if (ins.elf is None or not kernel_reads) and (s := foreign(ins, t)) is not None:
        return s
    if ins.elf is None:
        return skip(f"{ins.path} is a {ins.format.value if ins.format else '?'} executable: the ELF loader "
                    "does not apply")
    return None


@check("binary.interpreter", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The binary's ELF interpreter exists on the target")
def interpreter(f: Facts) -> Iterator[Finding]:
    """Reads PT_INTERP (the dynamic loader the kernel starts first) and looks for it on the target.

    When it is missing, the kernel reports the *loader's* ENOENT: `./app: No such file or directory`
    (newer bash: `cannot execute: required file not found`; busybox: `sh: ./app: not found`) although the
    file exists. Typical: a glibc binary on Alpine or distroless/static, or a CGO_ENABLED=0 binary built with
    -buildmode=pie, which still names /lib64/ld-linux-x86-64.so.2.

    Fix: build a static binary (`CGO_ENABLED=0 go build`, without -buildmode=pie), or use a base image
    with that loader (glibc-based), or on Alpine `apk add gcompat`.
    """

    def judge(ins: Inspection, t: Target) -> Finding:
        if (s := _elf_only(ins, t, kernel_reads=True)) is not None:
            return s
        assert ins.elf is not None
        interp = ins.elf.dynamic.interpreter
        if interp is None:
            kind = "static-pie" if ins.elf.hardening.static_pie else "statically linked"
            return ok(f"{ins.path} is {kind}: it needs no ELF interpreter", interpreter="none")
        if t.fs.exists(interp):
            return ok(f"the interpreter {interp} of {ins.path} exists on {describe(t)}", interpreter=interp)
        fix = "build a static binary: CGO_ENABLED=0 go build (without -buildmode=pie)"
        if ins.setting("CGO_ENABLED") == "0":
            fix = ("it uses no C code: drop -buildmode=pie (or add -ldflags=-linkmode=internal with static-pie) "
                   "so that it needs no interpreter")
        elif t.libc is Libc.MUSL:
            fix += ", or `apk add gcompat` on the target, or a glibc-based image"
        have = [p for p in (GLIBC_LOADERS.get(t.goarch, ""), musl_loader(t.goarch)) if p and t.fs.exists(p)]
        return fail(f"the interpreter {interp} of {ins.path} does not exist on {describe(t)}: running it fails with "
                    f"`No such file or directory` although the file exists", fix=fix, interpreter=interp,
                    target_loaders=", ".join(have) or "none", root=t.fs.description)

    return each(f, judge)


@check("binary.libs", category=Category.BINARY, severity=Severity.HIGH,
       title="Every shared library the binary needs resolves on the target")
def libs(f: Facts) -> Iterator[Finding]:
    """Resolves each DT_NEEDED entry as the loader would: DT_RPATH (without DT_RUNPATH), LD_LIBRARY_PATH
    (this host only), DT_RUNPATH, /etc/ld.so.conf and its includes, the default directories (musl:
    /etc/ld-musl-<arch>.path). A library of another architecture or class does not count.

    A missing one fails at start with `error while loading shared libraries: libfoo.so.1: cannot open
    shared object file: No such file or directory` (musl: `Error loading shared library`).

    Fix: install the package that provides the library on the target, or build with CGO_ENABLED=0.
    """
    from gomedic.targets import ldpath

    seen: dict[str, ldpath.Kind | None] = {}  # libc.so.6 is read once, not once per binary
    confs: dict[str, list[str]] = {}

    def judge(ins: Inspection, t: Target) -> Finding:
        if (s := _elf_only(ins, t)) is not None:
            return s
        assert ins.elf is not None
        needed = ins.elf.dynamic.needed
        if not needed:
            return ok(f"{ins.path} needs no shared libraries", needed="none")
        dirs = ldpath.search_dirs(ins, t, libc_of(ins), confs)
        found = [ldpath.find(n, ins, t, dirs, seen) for n in needed]
        missing = [lk for lk in found if lk.found is None]
        ev = {"needed": ", ".join(needed), "search_path": ":".join(dirs), "root": t.fs.description}
        if not missing:
            return ok(f"all {len(needed)} libraries {ins.path} needs resolve on {describe(t)} "
                      f"({', '.join(f'{lk.name}={lk.found}' for lk in found)})", **ev)
        names = ", ".join(lk.name for lk in missing)
        rej = [r for lk in missing for r in lk.rejected]
        extra = f" ({'; '.join(rej)})" if rej else ""
        return fail(f"{len(missing)} of {len(needed)} libraries {ins.path} needs are missing on {describe(t)}: "
                    f"{names}{extra}: it fails with `error while loading shared libraries: {missing[0].name}: "
                    "cannot open shared object file`",
                    fix=f"install the packages that provide {names} on the target, or build with CGO_ENABLED=0",
                    missing=names, **ev)

    return each(f, judge)


@check("binary.glibc", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The target's C library is the kind and version the binary needs")
def glibc(f: Facts) -> Iterator[Finding]:
    """Reads the GLIBC_x.y symbol versions the binary needs (DT_VERNEED; GLIBC_ABI_DT_RELR counts as 2.36)
    and its loader, and compares them with the target's C library: kind (glibc, musl, none) and version.

    Too old a glibc fails with `/lib/x86_64-linux-gnu/libc.so.6: version 'GLIBC_2.34' not found (required
    by ./app)`: typical for a cgo binary built on a newer distribution (golang:1.2x images are Debian 12,
    glibc 2.36) than the one it runs on. A musl binary on glibc (or the reverse) does not start at all.

    Fix: build with CGO_ENABLED=0, or build on the oldest target (e.g. golang:1.x-bullseye for glibc 2.31).
    """

    def judge(ins: Inspection, t: Target) -> Finding:
        if (s := _elf_only(ins, t)) is not None:
            return s
        assert ins.elf is not None
        need = libc_of(ins)
        req = ins.elf.dynamic.glibc_required
        ev = {"binary_libc": need.value, "glibc_needed": vstr(req) if req else "none",
              "target_libc": t.libc_label, "target_source": t.source("libc")}
        static_fix = "build with CGO_ENABLED=0 (a static binary needs no C library)"
        if need is Libc.NONE:
            return ok(f"{ins.path} is static: it needs no C library", **ev)
        if need is Libc.MUSL:
            if t.libc is Libc.MUSL:
                return ok(f"{ins.path} is linked against musl, as {describe(t)} is ({t.libc_label})", **ev)
            return fail(f"{ins.path} is linked against musl but {describe(t)} has {t.libc_label}: it does not start",
                        fix=static_fix + ", or build it against glibc for this target", **ev)
        if t.libc is not Libc.GLIBC:
            return fail(f"{ins.path} needs glibc{' ' + vstr(req) if req else ''} but {describe(t)} has "
                        f"{t.libc_label}", fix=static_fix + " or use a glibc-based image", **ev)
        if req is None:
            return ok(f"{ins.path} needs glibc with no versioned symbols; {describe(t)} has {t.libc_label}", **ev)
        if t.libc_version is None:
            return warn(f"{ins.path} needs glibc >= {vstr(req)}, but the glibc version of {describe(t)} is unknown",
                        fix="pass glibc=X.Y in --target", **ev)
        if tuple(t.libc_version[:2]) < req:
            return fail(f"{ins.path} needs GLIBC_{vstr(req)} but {describe(t)} has glibc {vstr(t.libc_version)}: it "
                        f"fails with `version 'GLIBC_{vstr(req)}' not found`",
                        fix=static_fix + f", or build on a system with glibc <= {vstr(t.libc_version)}", **ev)
        return ok(f"{ins.path} needs glibc >= {vstr(req)}; {describe(t)} has {vstr(t.libc_version)}", **ev)

    return each(f, judge)


def evaluate(path: str, target: Target | None = None, facts: Facts | None = None) -> list[Result]:
    """Every binary.* result for one binary against a target (default: the target of `facts`, else this host).

    Thresholds and options come from `facts` when given. The binary is read, never executed.
    """
    from gomedic.checks import BUILTIN
    from gomedic.registry import REGISTRY, load
    from gomedic.runner import run_checks

    load(BUILTIN["binary"])
    base = facts.options if facts is not None else Options()
    if target is None and facts is not None:
        target = facts.get(TARGET)
    child = Facts(Options(env=base.env, cwd=base.cwd, overrides=base.overrides,
                          extra=MappingProxyType({**base.extra, "binaries": [path]})), REGISTRY,
                  reader=facts.reader if facts is not None else None, runner=facts.runner if facts is not None else None)
    if target is not None:
        child.seed(TARGET, target)
    # binary.vulns is opt-in: only with an opened database (when `list`/`explain` have loaded it)
    specs = [s for s in REGISTRY if s.area == "binary" and (s.id != "binary.vulns" or base.extra.get("vulndb"))]
    return run_checks(specs, child)


__all__ = ["BINARIES", "evaluate"]
