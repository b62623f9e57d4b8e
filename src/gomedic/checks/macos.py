"""macos: the Go toolchain against the Mac it runs on (Apple Silicon vs an amd64 go under Rosetta, the
Command Line Tools cgo needs, the oldest macOS a Go release supports). Pure over gomedic.facts.macos."""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.go import GO_CMD, GO_CONFIG, SRC_DEFAULT, go_version
from gomedic.facts.macos import MACOS
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.macos.recorded import minimum_for, version_tuple
from gomedic.model import Category, Severity
from gomedic.registry import check

T = Category.TOOLCHAIN


@check("macos.rosetta", category=T, severity=Severity.MEDIUM,
       title="The go command is built for this Mac's CPU (not amd64 under Rosetta on Apple Silicon)")
def rosetta(f: Facts) -> Finding:
    """On Apple Silicon (`sysctl hw.optional.arm64` is 1), an amd64 go (the darwin-amd64 download, or an Intel
    Homebrew in /usr/local) runs under Rosetta: it builds amd64 binaries by default (GOARCH follows the go
    binary), cgo links x86_64 libraries, and everything is slower. gomedic reads the go binary's Mach-O header;
    it does not run it.

    Fix: install the darwin-arm64 Go (go.dev/dl, or Homebrew in /opt/homebrew) and put it first on PATH.
    """
    mac = f.get(MACOS)
    go = f.get(GO_CMD)
    ev: dict[str, str] = {"go": go.path, "go arch": go.goarch or "unknown", "uname -m": mac.machine,
                          "hw.optional.arm64": str(int(mac.arm64_hardware)),
                          "sysctl.proc_translated": str(int(mac.translated))}
    if go.goarch is None:
        return skip(f"cannot read the architecture of {go.path}", **ev)
    if mac.arm64_hardware and go.goarch == "amd64":
        return warn(f"{go.path} is an amd64 go on Apple Silicon: it runs under Rosetta and builds darwin/amd64 "
                    "by default", fix="install the darwin-arm64 Go (https://go.dev/dl/ or /opt/homebrew/bin/go) "
                    "and put it first on PATH", **ev)
    if not mac.arm64_hardware and go.goarch == "arm64":
        return fail(f"{go.path} is an arm64 go on an Intel Mac: it cannot run (`bad CPU type in executable`)",
                    fix="install the darwin-amd64 Go from https://go.dev/dl/", **ev)
    cpu = "Apple Silicon" if mac.arm64_hardware else "Intel"
    return ok(f"{go.path} is {go.goarch}, native on this {cpu} Mac", **ev)


def _cgo_on(f: Facts) -> bool:
    try:
        return f.get(GO_CONFIG).value("CGO_ENABLED") != "0"
    except FactUnavailable:
        return f.env.get("CGO_ENABLED", "") != "0"


@check("macos.clt", category=T, severity=Severity.HIGH,
       title="The Xcode Command Line Tools are installed when cgo is on")
def clt(f: Facts) -> Finding:
    """With cgo on (the default on macOS), `go build` runs clang through xcrun. Without the Command Line
    Tools (never installed, or removed by a macOS upgrade) every cgo build, and `go test -race`, fails with
    `xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), missing xcrun at:
    /Library/Developer/CommandLineTools/usr/bin/xcrun`.

    Fix: `xcode-select --install` (or, with a full Xcode, `sudo xcode-select -s /Applications/Xcode.app`).
    """
    mac = f.get(MACOS)
    ev = {"xcode-select -p": mac.developer_dir or "(failed)", "xcrun --find clang": mac.clang or "(failed)"}
    if not _cgo_on(f):
        return ok("CGO_ENABLED=0: builds do not need the Command Line Tools", **ev)
    if mac.clang:
        return ok(f"cgo is on and clang is at {mac.clang} (developer dir {mac.developer_dir})", **ev)
    err = mac.xcrun_error or "xcrun --find clang failed"
    return fail(f"cgo is on but the Command Line Tools are missing: every cgo build fails with `{err}`",
                fix="xcode-select --install", xcrun=err, **ev)


@check("macos.go-release", category=T, severity=Severity.HIGH,
       title="The Go release supports this macOS version")
def go_release(f: Facts) -> Finding:
    """Each Go release drops old macOS versions (release notes, Ports/Darwin): Go 1.21 needs macOS 10.15
    Catalina, Go 1.23 macOS 11 Big Sur, Go 1.25 macOS 12 Monterey, Go 1.27 macOS 13 Ventura
    (gomedic/macos/data/go-macos-minimum.json names the source of each line). On an older macOS the go
    command and the binaries it builds are unsupported and may crash at start.

    Fix: upgrade macOS, or install the newest Go release that still supports this macOS.
    """
    mac = f.get(MACOS)
    try:
        version = go_version(f)
    except FactUnavailable as e:
        return skip(str(e))
    if not version:
        return skip("the go version is unknown")
    need = minimum_for(version)
    ev = {"macOS": f"{mac.version} ({mac.build})", "go": version}
    if need is None:
        return ok(f"{version} is older than the release table; no minimum macOS known", **ev)
    ev.update({"minimum macOS": f"{need.macos} {need.name}", "source": need.source})
    if version_tuple(mac.version) < version_tuple(need.macos):
        return fail(f"{version} requires macOS {need.macos} {need.name} or later; this Mac runs macOS {mac.version}",
                    fix=f"upgrade macOS to {need.macos} or later, or install a Go release older than "
                        f"{need.go} that supports macOS {mac.version}", **ev)
    return ok(f"{version} supports macOS {mac.version} (needs {need.macos} {need.name} or later)", **ev)


CGO_FLAG_VARS = ("CGO_CFLAGS", "CGO_CPPFLAGS", "CGO_CXXFLAGS", "CGO_LDFLAGS")


def _compiler(raw: str, f: Facts) -> tuple[str, str | None]:
    """(what the compiler resolves to, its toolchain) for CC or CXX as cmd/go splits it."""
    from gomedic.facts.cctool import COMPILERS
    from gomedic.macos.toolchains import APPLE_SHIMS, kind_of

    comp = f.get(COMPILERS)[raw]
    if not comp.argv:
        return raw, None
    name = comp.argv[0]
    if comp.path is None:  # not on this PATH: a bare clang/gcc is Apple's /usr/bin shim on every Mac
        path = f"/usr/bin/{name}" if name in APPLE_SHIMS else name
        return path, kind_of(path)
    return comp.path, kind_of(comp.path) or kind_of(comp.realpath or comp.path)


@check("macos.cc-mix", category=T, severity=Severity.MEDIUM,
       title="cgo's C compiler and the directories in CGO_* flags come from one toolchain")
def cc_mix(f: Facts) -> Finding:
    """With cgo on, CC (default `clang`: Apple's, through xcrun) compiles and links the C side. Mixing toolchains
    breaks builds in ways that do not name the cause: Homebrew LLVM's clang (`/opt/homebrew/opt/llvm/bin/clang`)
    given Apple's header or library directories (`-I`/`-isystem`/`-L` under Xcode.app or the Command Line Tools
    SDK) picks up the wrong C library headers: `<cstdlib> tried including <stdlib.h> but didn't find libc++'s
    <stdlib.h> header` (llvm/llvm-project#133994); Apple clang given Homebrew LLVM's `-I`/`-L` compiles
    against one libc++ and links another; Homebrew GCC (`gcc-14`) cannot parse every Apple SDK header:
    `Authorization.h:193:7: error: variably modified 'bytes' at file scope` from Security.framework
    (filecoin-project/venus#2071; golang/go#24437 is Go's report of gcc failing on Apple headers). gomedic
    reads CC, CXX and CGO_CFLAGS, CGO_CPPFLAGS, CGO_CXXFLAGS, CGO_LDFLAGS (as go env resolves them) and
    `xcrun --find clang`; a sysroot (`-isysroot`) is not a mix.

    Fix: use one toolchain. Apple's: `go env -u CC CXX` (unset them in the shell too) and drop the Homebrew
    LLVM directories from CGO_*; or Homebrew LLVM's: set CC and CXX to it and drop the -I/-L under Xcode.app or
    /Library/Developer/CommandLineTools (it finds the SDK itself).
    """
    from gomedic.facts.cctool import split_flags
    from gomedic.macos.toolchains import APPLE, GCC, LLVM, flag_dirs, kind_of

    mac = f.get(MACOS)
    if not _cgo_on(f):
        return ok("CGO_ENABLED=0: no C compiler is used")
    cfg = f.get(GO_CONFIG)
    ev: dict[str, str] = {"xcrun --find clang": mac.clang or "(failed)"}
    kinds: dict[str, str | None] = {}
    for key in ("CC", "CXX"):
        s = cfg.get(key)
        raw = s.value or ("clang" if key == "CC" else "clang++")
        path, kinds[key] = _compiler(raw, f)
        ev[key] = f"{raw} ({s.source}) -> {path} ({kinds[key] or 'other'})"
    dirs: list[tuple[str, str, str, str]] = []  # (variable, flag, directory, toolchain)
    for var in ("CC", "CXX", *CGO_FLAG_VARS):
        value = cfg.value(var)
        if value and var.startswith("CGO_"):
            ev[var] = value
        args = split_flags(value)[0 if var.startswith("CGO_") else 1:]  # CC='clang -I/x' passes flags too
        dirs += [(var, fl, d, k) for fl, d in flag_dirs(args) if (k := kind_of(d)) is not None]
    cc = kinds["CC"]
    probs: list[str] = []
    foreign = [x for x in dirs if cc in (APPLE, LLVM) and x[3] != cc]
    if foreign:
        shown = ", ".join(f"{v} {fl}{d} ({k})" for v, fl, d, k in foreign)
        probs.append(f"CC is {cc} but {shown} belong(s) to another toolchain")
        if cc == LLVM and any(fl in ("-I", "-isystem") for _v, fl, _d, _k in foreign):
            probs[-1] += (": Apple's SDK include directories ahead of Homebrew LLVM's own headers break C++ "
                          "includes (`<cstdlib> tried including <stdlib.h> but didn't find libc++'s <stdlib.h> "
                          "header`)")
    if cc == GCC:
        probs.append("CC is Homebrew GCC: it cannot parse every Apple SDK header a cgo package includes "
                     "(`Authorization.h:193:7: error: variably modified 'bytes' at file scope`; golang/go#24437)")
    if cfg.get("CXX").source != SRC_DEFAULT and kinds["CXX"] != cc and None not in (cc, kinds["CXX"]):
        probs.append(f"CC is {cc} but CXX is {kinds['CXX']}: C and C++ are compiled against different headers and "
                     "linked by CC's driver")
    if probs:
        fix = ("use Apple's toolchain: `go env -u CC CXX` (and unset CC/CXX in the shell), dropping Homebrew "
               "directories from CGO_*" if cc != LLVM else
               "drop the -I/-L/-F under Xcode.app or /Library/Developer/CommandLineTools from CGO_* (Homebrew "
               "LLVM finds the SDK itself), or use Apple's clang: `go env -u CC CXX`")
        return warn("; ".join(probs), fix=fix, **ev)
    return ok(f"CC {ev['CC']}; no CGO_* directory belongs to another toolchain", **ev)
