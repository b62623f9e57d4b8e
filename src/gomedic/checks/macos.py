"""macos: the Go toolchain against the Mac it runs on (Apple Silicon vs an amd64 go under Rosetta, the
Command Line Tools cgo needs, the oldest macOS a Go release supports). Pure over gomedic.facts.macos."""

from __future__ import annotations

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.go import GO_CMD, GO_CONFIG, go_version
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
