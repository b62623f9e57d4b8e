"""macOS checks over recorded command outputs (tests/macos/recordings, see its README for provenance) and
real Mach-O binaries cross-built for darwin/arm64 and darwin/amd64 with the cached Go toolchains. No Mac is
involved: the checks are pure over facts, and the facts' parsers are fed the recordings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gomedic.binfmt import macho
from gomedic.binfmt.source import FileSource
from gomedic.checks.macos import clt, go_release, rosetta
from gomedic.facts import Facts, Options
from gomedic.facts.go import GO_CMD
from gomedic.facts.macos import MACOS
from gomedic.facts.pathscan import inspect_go
from gomedic.macos.recorded import MacOS, macos, minimum_for, version_tuple
from gomedic.model import Status
from tests.support.gobuild import HELLO, build

REC = Path(__file__).parent / "recordings"


def recording(name: str) -> MacOS:
    d = REC / name
    codes = dict(line.split("=") for line in (d / "exit-codes.txt").read_text().split())
    return macos((d / "sw_vers.txt").read_text(), (d / "uname-m.txt").read_text(),
                 (d / "sysctl-hw.optional.arm64.txt").read_text(),
                 (d / "sysctl-sysctl.proc_translated.txt").read_text(),
                 (int(codes["xcode-select"]), (d / "xcode-select-p.txt").read_text(), ""),
                 (int(codes["xcrun"]), (d / "xcrun-find-clang.stdout.txt").read_text(),
                  (d / "xcrun-find-clang.stderr.txt").read_text()))


def darwin_go(tmp_path: Path, version: str, arch: str) -> Path:
    """A real darwin Mach-O standing in for the go command (`<root>/bin/go`): built by Go `version`."""
    exe = build(HELLO, version=version, env={"GOOS": "darwin", "GOARCH": arch, "CGO_ENABLED": "0"})
    go = tmp_path / f"go{version}-{arch}" / "bin" / "go"
    go.parent.mkdir(parents=True)
    shutil.copy(exe, go)
    return go


def facts(mac: MacOS, go: Path, **env: str) -> Facts:
    f = Facts(Options(env={"HOME": "/Users/ana", "PATH": "/nonexistent", **env}, cwd=Path("/")))
    f.seed(MACOS, mac)
    f.seed(GO_CMD, inspect_go(str(go)))
    return f


def test_recordings_parse() -> None:
    m = recording("macos-13.6.7-arm64-clt-removed")
    assert (m.version, m.build, m.machine, m.arm64_hardware, m.translated) == ("13.6.7", "22G720", "arm64", True, False)
    assert m.clang is None and m.xcrun_error == (
        "xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), missing xcrun at: "
        "/Library/Developer/CommandLineTools/usr/bin/xcrun")
    intel = recording("macos-12.7.6-x86_64")
    assert not intel.arm64_hardware and intel.developer_dir == "/Applications/Xcode.app/Contents/Developer"


def test_amd64_go_under_rosetta_on_apple_silicon(tmp_path: Path) -> None:
    mac = recording("macos-14.4.1-arm64-clt")
    r = rosetta(facts(mac, darwin_go(tmp_path, "1.27.3", "amd64")))
    assert r.status is Status.WARN and "amd64 go on Apple Silicon: it runs under Rosetta" in r.summary
    assert r.evidence["go arch"] == "amd64" and r.evidence["hw.optional.arm64"] == "1"
    assert rosetta(facts(mac, darwin_go(tmp_path, "1.27.3", "arm64"))).status is Status.OK
    intel = recording("macos-12.7.6-x86_64")
    r = rosetta(facts(intel, darwin_go(tmp_path, "1.24.11", "arm64")))
    assert r.status is Status.FAIL and "bad CPU type in executable" in r.summary


def test_missing_command_line_tools_for_cgo(tmp_path: Path) -> None:
    mac = recording("macos-13.6.7-arm64-clt-removed")
    go = darwin_go(tmp_path, "1.24.11", "arm64")
    r = clt(facts(mac, go))
    assert r.status is Status.FAIL and r.fix == "xcode-select --install"
    assert "`xcrun: error: invalid active developer path (/Library/Developer/CommandLineTools), missing xcrun at: " \
           "/Library/Developer/CommandLineTools/usr/bin/xcrun`" in r.summary
    assert clt(facts(mac, go, CGO_ENABLED="0")).status is Status.OK
    assert clt(facts(recording("macos-14.4.1-arm64-clt"), go)).status is Status.OK


def test_go_release_vs_macos_version(tmp_path: Path) -> None:
    intel = recording("macos-12.7.6-x86_64")
    r = go_release(facts(intel, darwin_go(tmp_path, "1.27.3", "amd64")))
    assert r.status is Status.FAIL
    assert "go1.27.3 requires macOS 13 Ventura or later; this Mac runs macOS 12.7.6" in r.summary
    assert "go.dev/doc/go1.26#darwin" in r.evidence["source"]
    r = go_release(facts(intel, darwin_go(tmp_path, "1.24.11", "amd64")))
    assert r.status is Status.OK and "needs 11 Big Sur" in r.summary


@pytest.mark.parametrize("version", ["1.22.10", "1.24.11", "1.27.3"])
@pytest.mark.parametrize("arch", ["arm64", "amd64"])
def test_macho_minos_of_real_cross_builds_against_the_table(version: str, arch: str) -> None:
    """The real linker's LC_BUILD_VERSION minos never claims more than the release notes' minimum, and from
    Go 1.23 on it equals it (arm64 Macs start at macOS 11): a cross-check of data/go-macos-minimum.json
    against the toolchains."""
    exe = build(HELLO, version=version, env={"GOOS": "darwin", "GOARCH": arch, "CGO_ENABLED": "0"})
    with FileSource(exe) as src:
        m = macho.parse(src)
    assert m.goarch == arch and m.minos
    need = minimum_for("go" + version)
    assert need is not None
    floor = max(version_tuple(need.macos), (11, 0, 0) if arch == "arm64" else (0, 0, 0))  # Apple Silicon: 11+
    assert version_tuple(m.minos) <= floor
    if version_tuple(version) >= (1, 23, 0):
        assert version_tuple(m.minos) == floor


def test_not_macos_is_unavailable() -> None:
    from gomedic.errors import FactUnavailable
    with pytest.raises(FactUnavailable, match="not macOS"):
        Facts(Options(env={}, cwd=Path("/"))).get(MACOS)


def test_go_env_file_location_on_macos() -> None:
    """`go env -w` on macOS writes ~/Library/Application Support/go/env (os.UserConfigDir ignores XDG there)."""
    from gomedic.facts.envfile import goenv_location
    env = {"HOME": "/Users/ana", "XDG_CONFIG_HOME": "/Users/ana/.xdg"}
    assert goenv_location(env, "darwin") == ("/Users/ana/Library/Application Support/go/env", "default location")
    assert goenv_location(env, "linux") == ("/Users/ana/.xdg/go/env", "default location")


def test_path_helper_in_zprofile_orders_path() -> None:
    """macOS login shells rebuild PATH from /etc/paths and /etc/paths.d (the official Go pkg's
    /etc/paths.d/go): what `gomedic layers` predicts for zsh -l on a Mac. The `if [ -x ... ]` around the eval
    makes it conditional, as it is in Apple's /etc/zprofile; ~/.zprofile's Homebrew line then comes first."""
    from gomedic.layers.shparse import ShellSim
    from gomedic.macos.pathhelper import path_helper
    etc = REC / "macos-14.4.1-arm64-clt" / "etc"
    texts = [(etc / "paths").read_text(), (etc / "paths.d" / "go").read_text()]
    assert path_helper(texts, "/opt/homebrew/bin:/usr/bin") == \
        "/usr/local/bin:/System/Cryptexes/App/usr/bin:/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/go/bin:/opt/homebrew/bin"
    sim = ShellSim({"HOME": "/Users/ana", "PATH": "/usr/bin:/bin"}, "/Users/ana", {}.get)
    sim.path_helper = lambda cur: path_helper(texts, cur)
    sim.run_file("/etc/zprofile", (etc / "zprofile").read_text())
    sim.run_file("/etc/zprofile", "eval `/usr/libexec/path_helper -s`\n")  # unconditional form
    sim.run_file("/Users/ana/.zprofile", 'export PATH="/opt/homebrew/bin:$PATH"\n')
    got = [(s.file, s.line, s.conditional) for s in sim.settings]
    assert got == [("/etc/zprofile", 7, True), ("/etc/zprofile", 1, False), ("/Users/ana/.zprofile", 1, False)]
    assert sim.env["PATH"].startswith("/opt/homebrew/bin:/usr/local/bin:") and ":/usr/local/go/bin" in sim.env["PATH"]
