"""binary: the checks that depend on the Go release and runtime (CPU level, kernel, release support,
runtime files, hardening). Registered by gomedic.checks.binary, which holds the shared helpers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from functools import partial

from gomedic.binfmt import goversion
from gomedic.binfmt.exe import Format
from gomedic.binfmt.inspect import ElfFacts, Inspection, MachoFacts, PeFacts
from gomedic.checks.binary import (
    Exe,
    binary_check,
    describe,
    each,
    executable,
    native,
    native_with_header,
    with_header,
)
from gomedic.facts import Facts
from gomedic.facts.binaries import RUNTIME_PREFIXES, RUNTIME_USES
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check
from gomedic.targets import Target
from gomedic.targets.gorelease import releases
from gomedic.targets.model import vstr
from gomedic.targets.profiles import parse_cpu

CA_FILES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
            "/etc/pki/tls/cacert.pem", "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem")
CA_DIRS = ("/etc/ssl/certs", "/etc/pki/tls/certs")
ZONE_DIRS = ("/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ", "/etc/zoneinfo")


def _cpu_fix(level: int) -> str:
    return f"rebuild with GOAMD64=v{level} (or lower), or run it on a CPU with x86-64-v{level + 1} or better"


@check("binary.cpu-level", category=Category.BINARY, severity=Severity.CRITICAL,
       title="The target CPU has the instruction-set level the binary was built for")
@binary_check(native)
def cpu_level(ins: Inspection, t: Target) -> Finding:
    """Compares GOAMD64 (v1-v4; and the GNU x86 ISA-level note of cgo objects), GOARM64 (LSE) and GOARM
    (VFP) from the build info with the target CPU: /proc/cpuinfo on this host, `cpu=x86-64-vN` in --target,
    or a profile's baseline (a profile baseline only warns: your machines may be newer).

    Too old a CPU exits at once: `This program can only be run on AMD64 processors with v3
    microarchitecture support.`, `This program can only run on ARM64 processors with LSE support.`,
    `this CPU has no VFPv3 floating point hardware`.

    Fix: rebuild with a lower level (GOAMD64=v1 runs everywhere), or run it on newer hardware.
    """
    arch = ins.goarch
    if arch != t.goarch:
        return skip(f"{ins.path} is {arch}, the target {t.goarch}: binary.arch judges that")
    level = _LEVELS.get(arch or "")
    if level is None:
        return skip(f"GOARCH={arch} has no instruction-set level gomedic checks")
    return level(ins, t)


def _amd64(ins: Inspection, t: Target) -> Finding:
    setting = ins.setting("GOAMD64") or ("v1" if ins.is_go else "")
    need = parse_cpu(setting) or 1
    note = ins.elf.notes.x86_isa_level if ins.elf else None
    if note and note > need:
        need = note
    ev = {"GOAMD64": setting or "none", "isa_note": f"v{note}" if note else "none",
          "target_cpu": f"x86-64-v{t.cpu_level}" if t.cpu_level is not None else "unknown",
          "target_source": t.source("cpu")}
    if t.cpu_level is None:
        return skip(f"the CPU level of {describe(t)} is unknown (pass cpu=x86-64-vN in --target)", **ev)
    if need <= t.cpu_level:
        return ok(f"{ins.path} needs x86-64-v{need}; {describe(t)} has x86-64-v{t.cpu_level}", **ev)
    msg = (f"{ins.path} needs x86-64-v{need} (GOAMD64={setting or 'v1'}) but {describe(t)} has "
           f"x86-64-v{t.cpu_level}")
    if t.cpu_flags is not None:
        from gomedic.facts.cpu import CpuInfo

        lacking = CpuInfo(t.cpu_flags, "", t.cpu_level).missing_for(need)
        msg += f" (missing: {' '.join(lacking[:6])})"
    if t.source("cpu").startswith("profile"):
        return warn(msg + f": {t.name} only guarantees that baseline; pass cpu=x86-64-v{need} in --target "
                    "if every machine you deploy to has it", fix=_cpu_fix(t.cpu_level), **ev)
    return fail(msg + f": it exits with `This program can only be run on AMD64 processors with v{need} "
                "microarchitecture support.`", fix=_cpu_fix(t.cpu_level), **ev)


def _arm64(ins: Inspection, t: Target) -> Finding:
    setting = ins.setting("GOARM64") or "v8.0"
    base, *flags = setting.split(",")
    lse = "lse" in flags or goversion.compare_lang(base.lstrip("v"), "8.1") >= 0
    if not lse:
        return ok(f"{ins.path} has GOARM64={setting}: it runs on every arm64 CPU", GOARM64=setting)
    if t.cpu_flags is None:
        return skip(f"{ins.path} has GOARM64={setting} (needs LSE atomics); the CPU features of "
                    f"{describe(t)} are unknown", GOARM64=setting)
    if "atomics" in t.cpu_flags:
        return ok(f"{ins.path} needs LSE atomics (GOARM64={setting}); the CPU has them", GOARM64=setting)
    return fail(f"{ins.path} needs LSE atomics (GOARM64={setting}) but the CPU lacks `atomics`: it exits "
                "with `This program can only run on ARM64 processors with LSE support.`",
                fix="rebuild with GOARM64=v8.0", GOARM64=setting)


def _arm(ins: Inspection, t: Target) -> Finding:
    setting = ins.setting("GOARM") or ("7" if ins.is_go else "")
    fpu = {"7": "vfpv3", "6": "vfp"}.get(setting.split(",")[0], "")
    if "softfloat" in setting or not fpu:
        return ok(f"{ins.path} has GOARM={setting or 'unset'}: no floating-point hardware needed", GOARM=setting)
    if t.cpu_flags is None:
        return skip(f"{ins.path} has GOARM={setting} (needs {fpu}); the CPU features of {describe(t)} "
                    "are unknown", GOARM=setting)
    if fpu in t.cpu_flags:
        return ok(f"{ins.path} has GOARM={setting}; the CPU has {fpu}", GOARM=setting)
    return fail(f"{ins.path} has GOARM={setting} but the CPU lacks {fpu}: it exits with `this CPU has no "
                f"{fpu.upper()} floating point hardware`", fix="rebuild with GOARM=5", GOARM=setting)


_LEVELS = {"amd64": _amd64, "arm64": _arm64, "arm": _arm}


@check("binary.kernel", category=Category.BINARY, severity=Severity.HIGH,
       title="The target OS version meets the minimum of the binary's Go release")
@binary_check(native_with_header)
def kernel(x: Exe, t: Target) -> Finding:
    """Linux: Go 1.24+ needs kernel 3.2, Go 1.18-1.23 2.6.32 (loong64 5.19, mips64 4.8); a static glibc
    binary also carries its own minimum (NT_GNU_ABI_TAG). macOS: the minimum macOS the Mach-O declares
    (LC_BUILD_VERSION minos, or LC_VERSION_MIN_MACOSX; the linker writes its Go release's minimum, or
    MACOSX_DEPLOYMENT_TARGET for cgo builds) against the target's macOS (`--target macos-13-arm64`), and the
    LC_UUID load command, without which macOS 15+ refuses the binary. Windows: the release's minimum.

    Too old a kernel: `FATAL: kernel too old` (static glibc) or crashes at start (pure Go). Too old a macOS:
    dyld stops it at launch, its error ending `(built for macOS 13.0 which is newer than running OS)`. A
    Mach-O without LC_UUID: `dyld: missing LC_UUID load command`.

    Fix: upgrade the kernel, or build with a Go release that still supports it (Go 1.23 for kernels
    older than 3.2); for macOS build with a Go release that supports the target's macOS
    (gomedic/macos/data/go-macos-minimum.json), and rebuild with Go >= 1.24 (or -ldflags=-B=gobuildid) for LC_UUID.
    """
    ins, exe, rel = x.ins, x.header, releases()
    go = ins.go_version or ""
    if isinstance(exe, MachoFacts):
        return _macos_version(ins, exe, t, rel.macos(go) if go else None)
    if isinstance(exe, PeFacts):
        win = rel.windows(go) if go else None
        return skip(f"{ins.path} is a Windows binary{f' (needs Windows {win})' if win else ''}; "
                    f"{describe(t)} is {t.goos}", windows_min=win or "unknown")
    mins: list[tuple[tuple[int, ...], str]] = []
    if go and (m := rel.min_kernel(go, ins.goarch or "")):
        mins.append((m, f"Go {goversion.lang(goversion.strip_go(go)) or go}"))
    if exe.notes.abi_tag and exe.notes.abi_tag[0] == "Linux":
        from gomedic.targets.model import parse_version

        v = parse_version(exe.notes.abi_tag[1])
        if v and v > (0, 0, 0):
            mins.append((v, "its NT_GNU_ABI_TAG note"))
    if not mins:
        return skip(f"{ins.path} records no minimum kernel version")
    need, why = max(mins)
    ev = {"kernel_min": vstr(need), "because": why, "target_kernel": vstr(t.kernel),
          "target_source": t.source("kernel")}
    if t.kernel is None:
        return skip(f"{describe(t)} does not fix a kernel version (a container uses its host's): pass kernel=X.Y "
                    f"in --target; {ins.path} needs >= {vstr(need)}", **ev)
    if t.kernel < need:
        msg = "`FATAL: kernel too old`" if "ABI" in why else "crashes at start"
        return fail(f"{ins.path} needs Linux >= {vstr(need)} ({why}) but {describe(t)} runs {vstr(t.kernel)}: it "
                    f"{'fails with ' if 'ABI' in why else ''}{msg}",
                    fix="upgrade the target's kernel, or build with a Go release that supports it (Go 1.23 "
                    "supports Linux 2.6.32)", **ev)
    return ok(f"{ins.path} needs Linux >= {vstr(need)} ({why}); {describe(t)} runs {vstr(t.kernel)}", **ev)


def _macos_version(ins: Inspection, m: MachoFacts, t: Target, release_min: str | None) -> Finding:
    """binary.kernel for a Mach-O: its minos against the target's macOS, and LC_UUID."""
    from gomedic.targets.model import parse_version

    macos = m.minos or release_min or "unknown"
    ev = {"macos_min": macos, "macos_min_from": "LC_BUILD_VERSION minos" if m.minos else "the Go release",
          "sdk": m.sdk or "unknown", "target_macos": vstr(t.macos_version) if t.macos_version else "unknown"}
    need = parse_version(macos) if macos != "unknown" else None
    if need and t.macos_version and need > t.macos_version:
        return fail(
            f"{ins.path} needs macOS {macos} (its {ev['macos_min_from']}) but {describe(t)} runs macOS "
            f"{vstr(t.macos_version)}: dyld stops it at launch, its error ending `(built for macOS {macos} which "
            "is newer than running OS)`",
            fix=_older_go_fix(t.macos_version),
            **ev,
        )
    if m.uuid is None:
        why = (f"{ins.path} has no LC_UUID load command: macOS 15 and later refuse it with `dyld: missing LC_UUID "
               "load command`")
        uuid_fix = "rebuild with Go >= 1.24 or with -ldflags=-B=gobuildid"
        if t.macos_version and t.macos_version < (15, 0, 0):
            return warn(f"{why}; {describe(t)} (macOS {vstr(t.macos_version)}) still runs it", fix=uuid_fix, **ev)
        return fail(why, fix=uuid_fix, **ev)
    if t.macos_version is None:
        return ok(f"{ins.path} (Mach-O) has LC_UUID and needs macOS >= {macos}; the target's macOS version is "
                  "unknown (pass --target macos-14-arm64)", uuid=m.uuid, **ev)
    return ok(f"{ins.path} (Mach-O) needs macOS >= {macos}; {describe(t)} runs macOS {vstr(t.macos_version)}",
              uuid=m.uuid, **ev)


def _older_go_fix(target: tuple[int, ...]) -> str:
    """The newest Go release line whose minimum macOS the target meets (go-macos-minimum.json)."""
    from gomedic.macos.recorded import minimums, version_tuple

    rows = minimums()
    newer = [r for r in rows if version_tuple(r.macos) > target]
    base = "build with a Go release that supports it"
    if newer:
        base = f"build with a Go release older than {newer[0].go} (it needs macOS {newer[0].macos} {newer[0].name})"
    return base + "; for a cgo build also set MACOSX_DEPLOYMENT_TARGET to the target's version"


@check("binary.go-release", category=Category.BINARY, severity=Severity.MEDIUM,
       title="The Go release the binary was built with is supported and fully patched")
@binary_check(executable)
def go_release(ins: Inspection, t: Target) -> Finding:
    """Each Go release is supported until two newer minor releases exist; each patch release carries
    security fixes (crypto/tls, net/http, ...). Reads the binary's Go version and compares it with
    gomedic's release data (latest patch per minor, dated).

    Warns for an unsupported minor, an older patch, or a development build.

    Fix: rebuild with the latest patch of a supported release (named in the result).
    """
    rel = releases()
    supported = rel.supported()
    go = ins.go_version
    if go is None:
        return skip(f"{ins.path} is not a Go binary")
    ev = {"go_version": go, "supported": ", ".join(supported), "data_as_of": rel.as_of}
    if not goversion.is_valid(go):
        return warn(
            f"{ins.path} was built with a development Go ({go})", fix=f"rebuild with go{rel.latest[supported[0]]}", **ev
        )
    minor = goversion.lang(goversion.strip_go(go))
    latest = rel.latest.get(minor)
    if minor in supported and latest:
        if goversion.compare(go, "go" + latest) < 0:
            return warn(f"{ins.path} was built with {go}; the latest {minor} patch is go{latest} (security fixes)",
                        fix=f"rebuild with go{latest}", **ev)
        return ok(f"{ins.path} was built with {go}, the latest patch of supported Go {minor}", **ev)
    newest = rel.latest[supported[0]]
    if goversion.compare(go, "go" + newest) > 0:
        return ok(f"{ins.path} was built with {go}, newer than gomedic's release data (as of {rel.as_of})", **ev)
    return warn(f"{ins.path} was built with {go}; Go {minor} is no longer supported (supported: "
                f"{', '.join(supported)})", fix=f"rebuild with go{newest}", **ev)


def _first(t: Target, paths: tuple[str, ...], kind: str = "file") -> str | None:
    for p in paths:
        if (kind == "file" and t.fs.is_file(p)) or (kind == "dir" and t.fs.listdir(p)):
            return p
    return None


@check("binary.runtime-files", category=Category.BINARY, severity=Severity.MEDIUM,
       title="The files the Go runtime reads are on the target")
def runtime_files(f: Facts) -> Iterator[Finding]:
    """Looks on the target for what the binary reads at run time, where Go looks for it: a CA bundle
    (SSL_CERT_FILE/SSL_CERT_DIR, /etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt,
    /etc/ssl/cert.pem, ...) when it links crypto/x509; the zone database (ZONEINFO, /usr/share/zoneinfo)
    when it calls time.LoadLocation without time/tzdata; /etc/passwd when os/user runs without cgo.
    What the binary links is read from its pclntab function names.

    Symptoms: `x509: certificate signed by unknown authority`, `unknown time zone Europe/Berlin`,
    `user: Current requires cgo or $HOME set in environment`.

    Fix: copy /etc/ssl/certs/ca-certificates.crt into the image (or install ca-certificates), `import _
    "time/tzdata"` or install tzdata, set HOME and USER for the service.
    """
    # what a binary links is read only when the target lacks a file it may need
    return each(f, native, partial(_runtime_files, uses=functools.cache(lambda: f.get(RUNTIME_USES))))


def _runtime_files(ins: Inspection, t: Target, *, uses: Callable[[], Mapping[str, Mapping[str, bool] | None]]
                   ) -> Finding:
    if not ins.is_go or ins.format is not Format.ELF:
        return skip(f"{ins.path} is not a Linux Go binary")
    env = t.env if t.is_host else {}
    ca = env.get("SSL_CERT_FILE") or _first(t, CA_FILES) or _first(t, CA_DIRS, "dir")
    zone = env.get("ZONEINFO") or next((d for d in ZONE_DIRS if t.fs.is_file(d + "/UTC")), None)
    passwd = t.fs.is_file("/etc/passwd")
    ev = {"ca_bundle": ca or "none", "zoneinfo": zone or "none", "passwd": str(passwd).lower(),
          "root": t.fs.description}
    if ca and zone and passwd:
        return ok(f"{describe(t)} has a CA bundle ({ca}), zoneinfo ({zone}) and /etc/passwd", **ev)
    linked = uses()[ins.path]
    known = linked is not None
    u = linked or dict.fromkeys(RUNTIME_PREFIXES, True)
    tzdata = (known and u["time/tzdata."]) or "timetzdata" in ins.setting("-tags")
    problems = []
    if not ca and u["crypto/x509."]:
        problems.append("no CA bundle where Go looks: TLS fails with `x509: certificate signed by unknown "
                        "authority`")
    if not zone and u["time.LoadLocation"] and not tzdata:
        problems.append("no zoneinfo: time.LoadLocation fails with `unknown time zone`")
    if not passwd and u["os/user."] and ins.setting("CGO_ENABLED") != "1":
        problems.append("no /etc/passwd: os/user needs $HOME and $USER set")
    ev["links_known"] = str(known).lower()
    if problems:
        maybe = "" if known else " (what it links is unknown, so assuming it needs them)"
        return warn(f"{ins.path} on {describe(t)}: " + "; ".join(problems) + maybe,
                    fix="COPY /etc/ssl/certs/ca-certificates.crt into the image, `import _ \"time/tzdata\"`, "
                    "set HOME/USER", **ev)
    lacking = ", ".join(k for k in ("ca_bundle", "zoneinfo") if ev[k] == "none") or "passwd"
    return ok(
        f"{describe(t)} lacks some runtime files ({lacking}) but {ins.path} does not use them",
        **ev,
    )


@check("binary.hardening", category=Category.BINARY, severity=Severity.INFO,
       title="Hardening and provenance of the binary")
@binary_check(with_header)
def hardening(x: Exe, t: Target) -> Finding:
    """Reports PIE, RELRO, NX stack, stripped symbols, -trimpath and vcs.modified (was it built from a
    clean checkout?). Informational: warns for an executable stack or a build from modified sources.

    Fix: `go build -buildmode=pie -trimpath` from a clean checkout; external linking keeps RELRO.
    """
    ins, exe = x.ins, x.header
    trim = "yes" if ins.setting("-trimpath") == "true" else "no"
    modified = ins.setting("vcs.modified") or "n/a"
    if isinstance(exe, ElfFacts):
        h = exe.hardening
        ev = {"pie": "static-pie" if h.static_pie else ("yes" if h.pie else "no"), "relro": h.relro,
              "nx": "yes" if h.nx else "no", "stripped": "yes" if h.stripped else "no"}
    elif isinstance(exe, MachoFacts):
        ev = {"pie": "yes" if exe.pie else "no"}
    else:
        ev = {"pie": "yes" if exe.dll_characteristics & 0x40 else "no",
              "nx": "yes" if exe.dll_characteristics & 0x100 else "no"}
    ev.update({"trimpath": trim, "vcs_modified": modified})
    text = ", ".join(f"{k}={v}" for k, v in ev.items())
    if ev.get("nx") == "no":
        return warn(f"{ins.path}: executable stack ({text})", fix="link with -z noexecstack", **ev)
    if modified == "true":
        return warn(f"{ins.path} was built from a modified checkout ({text})",
                    fix="build releases from a clean checkout", **ev)
    return ok(f"{ins.path}: {text}", **ev)
