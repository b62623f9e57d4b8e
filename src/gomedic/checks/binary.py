"""binary: will this Go binary run there? One result per check and binary (subject = the binary's path).

The binaries come from the `BINARIES` fact (Options.subject.binaries, a tuple of paths) and the target
from `gomedic.targets.TARGET`. `evaluate(path, target)` runs every binary check for one file: the service
checks use it for a unit's ExecStart. Nothing here executes the binary; it is read, never run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial, wraps

from gomedic.binfmt.exe import Format
from gomedic.binfmt.inspect import ElfFacts, Inspection, MachoFacts, PeFacts
from gomedic.facts import Facts, Options
from gomedic.facts.binaries import BINARIES
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Result, Severity
from gomedic.registry import check
from gomedic.targets import TARGET, Libc, Target
from gomedic.targets.model import GLIBC_LOADERS, musl_loader, vstr
from gomedic.typenames import TYPE_CHECKING, TypeVar
from gomedic.values import frozen, replace

if TYPE_CHECKING:
    from gomedic.targets import ldpath

N = TypeVar("N")
# What a binary check is handed for one binary (an Inspection, Exe or Elf), or the skip saying why it does
# not apply to that binary.
Applies = Callable[[Inspection, Target], "N | Finding"]


def each(f: Facts, applies: Applies[N], judge: Callable[[N, Target], Finding]) -> Iterator[Finding]:
    """One finding per binary (subject = its path): the skip of `applies`, or the judge's verdict."""
    bins = f.get(BINARIES)
    target = f.get(TARGET)
    for ins in bins:
        got = applies(ins, target)
        out = got if isinstance(got, Finding) else judge(got, target)
        # about the binary's file, unless the judge named another
        yield Finding(out.status, out.summary, out.evidence, out.fix, ins.path, out.file or ins.path, out.line)


def binary_check(
    applies: Applies[N],
) -> Callable[[Callable[[N, Target], Finding]], Callable[[Facts], Iterator[Finding]]]:
    """Decorator (under @check) for a check that judges one binary against the target: `judge(value, target)`
    gets what `applies` narrowed the binary's Inspection to (any_file, executable, native, with_header,
    native_with_header, elf_only, elf_loaded), and is not called when that gives a skip."""

    def deco(judge: Callable[[N, Target], Finding]) -> Callable[[Facts], Iterator[Finding]]:
        @wraps(judge)  # the docstring is what `gomedic explain` prints
        def run(f: Facts) -> Iterator[Finding]:
            return each(f, applies, judge)

        return run

    return deco


@frozen
class Exe:
    """A readable executable and the header facts of its format."""

    ins: Inspection
    header: ElfFacts | MachoFacts | PeFacts


@frozen
class Elf:
    """An executable the ELF loader applies to, and its ELF facts."""

    ins: Inspection
    elf: ElfFacts


def any_file(ins: Inspection, t: Target) -> Inspection:
    """Every file, readable or not (binary.format says what it is)."""
    return ins


def _unreadable(ins: Inspection) -> Finding | None:
    if ins.error is None:
        return None
    return skip(f"not an executable gomedic can read (see binary.format): {ins.error}")


def executable(ins: Inspection, t: Target) -> Inspection | Finding:
    """A file gomedic could read as an executable; an unreadable one is judged by binary.format alone."""
    return _unreadable(ins) or ins


def native(ins: Inspection, t: Target) -> Inspection | Finding:
    """An executable for the target's OS (binary.arch judges another OS's binary)."""
    return _unreadable(ins) or foreign(ins, t) or ins


def _with_header(ins: Inspection) -> Exe | Finding:
    header = ins.elf or ins.macho or ins.pe
    if header is None:  # inspect() sets the one of its format whenever it sets no error
        return skip(f"{ins.path} is not an ELF, Mach-O or PE executable")
    return Exe(ins, header)


def with_header(ins: Inspection, t: Target) -> Exe | Finding:
    """An executable with its ELF, Mach-O or PE header facts."""
    got = executable(ins, t)
    return got if isinstance(got, Finding) else _with_header(got)


def native_with_header(ins: Inspection, t: Target) -> Exe | Finding:
    """An executable for the target's OS with its header facts."""
    got = native(ins, t)
    return got if isinstance(got, Finding) else _with_header(got)


def _elf(ins: Inspection, t: Target, *, kernel_reads: bool) -> Elf | Finding:
    """Skip unless the ELF loader applies: another OS's binary is not applicable (an ELF one still has its
    PT_INTERP read by Linux when kernel_reads), and Mach-O/PE have no ELF loader."""
    if (s := _unreadable(ins)) is not None:
        return s
    if (ins.elf is None or not kernel_reads) and (s := foreign(ins, t)) is not None:
        return s
    if ins.elf is None:
        return skip(f"{ins.path} is a {ins.format.value if ins.format else '?'} executable: the ELF loader "
                    "does not apply")
    return Elf(ins, ins.elf)


def elf_only(ins: Inspection, t: Target) -> Elf | Finding:
    """An ELF executable for the target's OS."""
    return _elf(ins, t, kernel_reads=False)


def elf_loaded(ins: Inspection, t: Target) -> Elf | Finding:
    """An ELF executable whose loader Linux starts, whatever OS it was built for."""
    return _elf(ins, t, kernel_reads=True)


FORMAT_NAMES = {Format.ELF: "ELF", Format.MACHO: "Mach-O", Format.PE: "PE"}


def foreign(ins: Inspection, t: Target) -> Finding | None:
    """A skip for a check that only means something for the target's own OS (same wording for every format)."""
    goos = ins.goos
    if goos is None or ins.format is None or goos == t.goos or (goos == "android" and t.goos == "linux"):
        return None
    return skip(
        f"not applicable: {ins.path} is {article(goos)} {goos} binary ({FORMAT_NAMES[ins.format]}) and {describe(t)} "
        f"runs {t.goos}; binary.arch says whether it runs there",
        binary_os=goos,
        target_os=t.goos,
    )


def article(word: str) -> str:
    return "an" if word[:1] in "aeio" else "a"


def describe(t: Target) -> str:
    return t.name if t.name != "host" else "this host"


def libc_of(elf: ElfFacts) -> Libc:
    """The C library a dynamically linked ELF expects (NONE for a static binary)."""
    dyn = elf.dynamic
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
@binary_check(any_file)
def format_(ins: Inspection, t: Target) -> Finding:
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


COMPAT = {("amd64", "386"): "the kernel has IA32 emulation (CONFIG_IA32_EMULATION) and, for a dynamic "
          "binary, the 32-bit C library is installed",
          ("arm64", "arm"): "the CPU can run AArch32 code and the kernel has CONFIG_COMPAT (many server cores "
          "cannot)"}


@check("binary.arch", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The binary's OS and architecture run on the target")
@binary_check(executable)
def arch(ins: Inspection, t: Target) -> Finding:
    """Compares the executable's format and machine (ELF e_machine, class and byte order; Mach-O cputype;
    PE Machine; the build info's GOOS/GOARCH) with the target's OS and architecture.

    A mismatch fails with `exec format error` (Docker: `exec user process caused "exec format error"`).
    An ELF for FreeBSD, NetBSD, OpenBSD or Solaris of the target's machine is different: Linux loads it
    anyway, and it crashes on its first system call (static: `Segmentation fault`/`Bad system call`) or
    fails on its missing interpreter (dynamic: `No such file or directory`). Warns when the binary runs only
    through a compatibility layer (386 on amd64, arm on arm64) or through qemu-user in binfmt_misc. On a
    macOS target a universal (fat) Mach-O passes when it holds the Mac's slice; an amd64 one on Apple Silicon
    warns (Rosetta 2); an arm64 one on an Intel Mac fails with `bad CPU type in executable`. The
    other binary checks say "not applicable" for a binary of another OS, in the same words for every format.

    Fix: build for the target: `GOOS=linux GOARCH=<target arch> go build`, or publish a multi-arch image.
    """
    goos, goarch = ins.goos or "?", ins.goarch or "?"
    fix = f"rebuild for the target: GOOS={t.goos} GOARCH={t.goarch} go build"
    ev = {"binary": f"{goos}/{goarch}", "target": f"{t.goos}/{t.goarch}", "target_source": t.source("arch")}
    if ins.buildinfo is not None and ins.setting("GOARCH") and ins.setting("GOARCH") != goarch:
        return fail(f"{ins.path}: build info says GOARCH={ins.setting('GOARCH')} but the header says {goarch}: "
                    "the file is damaged or tampered with", fix="rebuild it", **ev)
    if goos != t.goos and ins.elf is not None and t.goos == "linux" and goarch == t.goarch:
        return _foreign_elf(ins, ins.elf, t, goos, fix, ev)
    if goos != t.goos:
        return fail(f"{ins.path} is {article(goos)} {goos}/{goarch} binary; {describe(t)} runs {t.goos}/{t.goarch}: "
                    "exec fails with `exec format error`", fix=fix, **ev)
    if goarch == t.goarch:
        return ok(f"{ins.path} is {goos}/{goarch}, as {describe(t)} is", **ev)
    if goos == "darwin":
        return _mac_arch(ins, t, goarch, fix, ev)
    if goarch in t.emulated:
        return warn(f"{ins.path} is {goos}/{goarch}; {describe(t)} is {t.goarch} and runs it only through "
                    f"qemu-user (binfmt_misc), many times slower", fix=fix, **ev)
    why = COMPAT.get((t.goarch, goarch))
    if why:
        return warn(f"{ins.path} is {goos}/{goarch}; on {t.goarch} it runs only if {why}", fix=fix, **ev)
    return fail(f"{ins.path} is {goos}/{goarch} but {describe(t)} is {t.goos}/{t.goarch}: exec fails with "
                "`exec format error`", fix=fix, **ev)


def _mac_arch(ins: Inspection, t: Target, goarch: str, fix: str, ev: dict[str, str]) -> Finding:
    """A Mach-O of another architecture than the Mac: a universal slice, Rosetta 2, or `bad CPU type`."""
    arches = ins.macho.arches if ins.macho is not None else ()
    if t.goarch in arches:
        return ok(f"{ins.path} is a universal binary ({', '.join(arches)}); {describe(t)} runs its {t.goarch} slice",
                  slices=", ".join(arches), **ev)
    if (t.goarch, goarch) == ("arm64", "amd64"):
        return warn(f"{ins.path} is darwin/amd64; on {describe(t)} (Apple Silicon) it runs only through Rosetta 2 "
                    "(`softwareupdate --install-rosetta`), slower, and its cgo code must be x86_64 too",
                    fix=f"{fix}, or ship a universal binary (lipo -create)", **ev)
    return fail(f"{ins.path} is darwin/{goarch} but {describe(t)} is an Intel Mac: it does not start (`bad CPU type in "
                "executable`)", fix=fix, **ev)


def _foreign_elf(ins: Inspection, elf: ElfFacts, t: Target, goos: str, fix: str, ev: dict[str, str]) -> Finding:
    """Another OS's ELF of the right machine: Linux loads it anyway (it ignores EI_OSABI and the notes)."""
    ev = {**ev, "os_evidence": elf.os_evidence}
    interp = elf.dynamic.interpreter
    if goos == "android" and t.goos == "linux":
        return ok(f"{ins.path} is android/{ins.goarch}, which runs on the Linux kernel (binary.interpreter checks "
                  "its loader)", **ev)
    if interp is not None and not t.fs.exists(interp):
        return fail(
            f"{ins.path} is {article(goos)} {goos}/{ins.goarch} binary ({elf.os_evidence}); Linux loads it but its "
            f"interpreter {interp} does not exist on {describe(t)}: exec fails with `No such file or "
            "directory` although the file exists",
            fix=fix,
            interpreter=interp,
            **ev,
        )
    how = f"its interpreter {interp} is started" if interp else "it is a static binary, so Linux starts it"
    return fail(f"{ins.path} is {article(goos)} {goos}/{ins.goarch} binary ({elf.os_evidence}); {how} but its first "
                f"{goos} system call does not mean the same on Linux: it crashes at start (`Segmentation fault` or "
                "`Bad system call`, exit status 139 or 159), it does not fail with `exec format error`",
                fix=fix, interpreter=interp or "none", **ev)


@check("binary.interpreter", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The binary's ELF interpreter exists on the target")
@binary_check(elf_loaded)
def interpreter(b: Elf, t: Target) -> Finding:
    """Reads PT_INTERP (the dynamic loader the kernel starts first) and looks for it on the target.

    When it is missing, the kernel reports the *loader's* ENOENT: `./app: No such file or directory`
    (newer bash: `cannot execute: required file not found`; busybox: `sh: ./app: not found`) although the
    file exists. Typical: a glibc binary on Alpine or distroless/static, or a CGO_ENABLED=0 binary built with
    -buildmode=pie, which still names /lib64/ld-linux-x86-64.so.2.

    Fix: build a static binary (`CGO_ENABLED=0 go build`, without -buildmode=pie), or use a base image
    with that loader (glibc-based), or on Alpine `apk add gcompat`.
    """
    ins, elf = b.ins, b.elf
    interp = elf.dynamic.interpreter
    if interp is None:
        kind = "static-pie" if elf.hardening.static_pie else "statically linked"
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


@check("binary.libs", category=Category.BINARY, severity=Severity.HIGH,
       title="Every shared library the binary needs resolves on the target")
def libs(f: Facts) -> Iterator[Finding]:
    """Resolves each DT_NEEDED entry as the loader would: DT_RPATH (without DT_RUNPATH), LD_LIBRARY_PATH
    (this host only), DT_RUNPATH, /etc/ld.so.conf and its includes, the default directories (musl:
    /etc/ld-musl-<arch>.path). A library of another architecture or class does not count.

    A missing one fails at start with `error while loading shared libraries: libfoo.so.1: cannot open
    shared object file: No such file or directory` (musl: `Error loading shared library`).

    A Mach-O on a macOS target: each LC_LOAD_DYLIB outside /usr/lib and /System/Library (what every Mac has)
    warns, named: a cgo build linked against Homebrew (`/opt/homebrew/opt/openssl@3/lib/libssl.3.dylib`) or
    an @rpath library runs only where that file exists; elsewhere dyld aborts at launch with `dyld: Library
    not loaded: /opt/homebrew/opt/openssl@3/lib/libssl.3.dylib`. A pure-Go binary loads only system libraries
    (libSystem, libresolv; CoreFoundation and Security when it verifies certificates).

    Fix: install the package that provides the library on the target, or build with CGO_ENABLED=0; on macOS
    link those libraries statically or ship them with the program (@rpath in an app bundle).
    """
    # one scan's memory: libc.so.6 is read once, not once per binary
    return each(f, elf_or_macho, partial(_libs, seen={}, confs={}))


@frozen
class Macho:
    """A Mach-O executable for the target's OS (macOS), and its Mach-O facts."""

    ins: Inspection
    macho: MachoFacts


def elf_or_macho(ins: Inspection, t: Target) -> Elf | Macho | Finding:
    """An ELF executable for the target's OS, or a Mach-O for the target's (its dylibs)."""
    if ins.macho is not None and _unreadable(ins) is None and foreign(ins, t) is None:
        return Macho(ins, ins.macho)
    return elf_only(ins, t)


def _libs(b: Elf | Macho, t: Target, *, seen: dict[str, ldpath.Kind | None], confs: dict[str, list[str]]) -> Finding:
    from gomedic.targets import ldpath

    if isinstance(b, Macho):
        return _dylibs(b.ins, b.macho)
    ins, elf = b.ins, b.elf
    needed = elf.dynamic.needed
    if not needed:
        return ok(f"{ins.path} needs no shared libraries", needed="none")
    dirs = ldpath.search_dirs(ins.path, elf, t, libc_of(elf), confs)
    found = [ldpath.find(n, elf, t, dirs, seen) for n in needed]
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


SYSTEM_DYLIB_DIRS = ("/usr/lib/", "/System/Library/")


def _dylibs(ins: Inspection, macho: MachoFacts) -> Finding:
    """binary.libs for a Mach-O on a Mac: dylibs outside the system directories."""
    libs = macho.dylibs
    extra = [d for d in libs if not d.startswith(SYSTEM_DYLIB_DIRS)]
    ev = {"dylibs": ", ".join(libs) or "none"}
    if not extra:
        return ok(f"{ins.path} loads {len(libs)} dylibs, all part of macOS ({', '.join(libs) or 'none'})", **ev)
    return warn(f"{ins.path} loads {len(extra)} dylib(s) that are not part of macOS: {', '.join(extra)}: on a Mac "
                f"without them dyld aborts at launch (`dyld: Library not loaded: {extra[0]}`)",
                fix="build with CGO_ENABLED=0 or link those libraries statically, or ship them "
                "with the program (@rpath in an app bundle)", outside_system=", ".join(extra), **ev)


@check("binary.glibc", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The target's C library is the kind and version the binary needs")
@binary_check(elf_only)
def glibc(b: Elf, t: Target) -> Finding:
    """Reads the GLIBC_x.y symbol versions the binary needs (DT_VERNEED; GLIBC_ABI_DT_RELR counts as 2.36)
    and its loader, and compares them with the target's C library: kind (glibc, musl, none) and version.

    Too old a glibc fails with `/lib/x86_64-linux-gnu/libc.so.6: version 'GLIBC_2.34' not found (required
    by ./app)`: typical for a cgo binary built on a newer distribution (golang:1.2x images are Debian 12,
    glibc 2.36) than the one it runs on. A musl binary on glibc (or the reverse) does not start at all.

    Fix: build with CGO_ENABLED=0, or build on the oldest target (e.g. golang:1.x-bullseye for glibc 2.31).
    """
    ins, elf = b.ins, b.elf
    need = libc_of(elf)
    req = elf.dynamic.glibc_required
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
    child = Facts(
        Options(env=base.env, cwd=base.cwd, overrides=base.overrides, subject=replace(base.subject, binaries=(path,))),
        REGISTRY,
        reader=facts.reader if facts is not None else None,
        runner=facts.runner if facts is not None else None,
    )
    if target is not None:
        child.seed(TARGET, target)
    # binary.vulns is opt-in: only with an opened database (when `list`/`explain` have loaded it)
    specs = [s for s in REGISTRY if s.area == "binary" and (s.id != "binary.vulns" or base.subject.vulndb)]
    return run_checks(specs, child)


__all__ = ["BINARIES", "evaluate"]
