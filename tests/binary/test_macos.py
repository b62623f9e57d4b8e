"""`gomedic binary --target macos-<version>-<arch>`: real Mach-O binaries cross-built by the cached Go
toolchains (GOOS=darwin, CGO_ENABLED=0), published darwin/arm64 Go binaries from the registry corpus, and
copies changed as real tools change them. No Mac is involved (none was available): the verdicts follow the
documented behaviour of macOS, quoted in the checks' docstrings with their sources.

The unsigned copy is made as `codesign --remove-signature` makes one: the LC_CODE_SIGNATURE load command
dropped, __LINKEDIT shortened and the file cut where the signature began. The tampered copy changes one byte of
__text after signing, which is what a patch or a careless rewrite does.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from gomedic.binfmt import codesign, macho
from gomedic.binfmt.inspect import arm64_slice, inspect
from gomedic.binfmt.source import FileSource
from gomedic.errors import UsageError
from gomedic.targets.macos import load_text, macos_targets
from gomedic.targets.resolve import parse_spec
from tests.binary.conftest import gomedic_binary
from tests.support.gobuild import HELLO, build

pytestmark = pytest.mark.slow
OLD, NEW = "1.22.10", "1.27.3"  # minos 11.0 (arm64) / 10.13 (amd64), and 13.0: the linker writes these


def darwin(version: str, arch: str) -> Path:
    return build(HELLO, version=version, env={"GOOS": "darwin", "GOARCH": arch, "CGO_ENABLED": "0"})


def _cmds(data: bytes) -> list[tuple[int, int, int]]:
    """(offset, cmd, size) of each load command of a thin little-endian 64-bit Mach-O."""
    ncmds = struct.unpack_from("<I", data, 16)[0]
    out, off = [], 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, off)
        out.append((off, cmd, size))
        off += size
    return out


def unsigned_copy(exe: Path, dest: Path) -> Path:
    """What `codesign --remove-signature` leaves: no LC_CODE_SIGNATURE, no signature bytes."""
    data = bytearray(exe.read_bytes())
    cmds = _cmds(bytes(data))
    off, cmd, size = cmds[-1]
    assert cmd == macho.LC_CODE_SIGNATURE, "the Go linker writes LC_CODE_SIGNATURE last"
    sig_off = struct.unpack_from("<I", data, off + 8)[0]
    data[off:off + size] = bytes(size)
    ncmds, sizeofcmds = struct.unpack_from("<II", data, 16)
    struct.pack_into("<II", data, 16, ncmds - 1, sizeofcmds - size)
    for o, c, _s in cmds:
        if c == macho.LC_SEGMENT_64 and data[o + 8:o + 24].rstrip(b"\0") == b"__LINKEDIT":
            fileoff, filesize = struct.unpack_from("<QQ", data, o + 40)
            struct.pack_into("<Q", data, o + 48, sig_off - fileoff)
            assert fileoff + filesize == len(data)
    dest.write_bytes(bytes(data[:sig_off]))
    dest.chmod(0o755)
    return dest


def tampered_copy(exe: Path, dest: Path) -> tuple[Path, int]:
    """One byte of __text changed after signing; returns the code page it is in."""
    data = bytearray(exe.read_bytes())
    with FileSource(exe) as src:
        text = macho.parse(src).section("__text")
    assert text is not None
    at = text.offset + text.size // 2
    data[at] ^= 0xFF
    dest.write_bytes(bytes(data))
    dest.chmod(0o755)
    return dest, at // 4096


def test_targets_are_defined_for_every_release_and_arch() -> None:
    names = set(macos_targets())
    assert {f"macos-{v}-{a}" for v in (11, 12, 13, 14, 15) for a in ("arm64", "amd64")} <= names
    assert parse_spec("macos-13-arm64,macos=13.5") == ("macos-13-arm64", {"macos": "13.5"})
    with pytest.raises(UsageError, match="macos= applies to a macOS target"):
        parse_spec("debian-12,macos=13")
    bad = '{"schema": "gomedic/macos-targets/v1", "releases": [{"version": "10.15", "name": "Catalina", ' \
          '"arches": ["arm64"], "source": "x"}]}'
    from gomedic.errors import ConfigError
    with pytest.raises(ConfigError, match="no arm64 Mac runs a macOS older than 11"):
        load_text(bad)


@pytest.mark.parametrize("arch", ["arm64", "amd64"])
def test_a_newer_go_fails_an_older_macos(arch: str) -> None:
    """go1.27's linker writes minos 13.0 (Go 1.27 needs macOS 13, release notes): macOS 11 and 12 fail, 13 passes."""
    new, old = darwin(NEW, arch), darwin(OLD, arch)
    run = gomedic_binary("--format", "json", "--target", f"macos-11-{arch}", new, old)
    assert run.returncode == 1
    r = run.result("binary.kernel", new)
    assert r["status"] == "fail" and "needs macOS 13.0 (its LC_BUILD_VERSION minos)" in r["summary"]
    assert "built for macOS 13.0 which is newer than running OS" in r["summary"]
    assert "older than go1.25 (it needs macOS 12 Monterey)" in r["fix"] and r["evidence"]["sdk"] == "26.2"
    r = run.result("binary.kernel", old)  # Go < 1.24 writes no LC_UUID: only macOS 15+ refuses that
    assert r["status"] == "warn" and "macos-11-" in r["summary"] and "still runs it" in r["summary"]
    r = gomedic_binary("--format", "json", "--target", f"macos-15-{arch}", old).result("binary.kernel", old)
    assert r["status"] == "fail" and "missing LC_UUID load command" in r["summary"]
    assert run.result("binary.arch", new)["status"] == "ok"
    ok13 = gomedic_binary("--format", "json", "--target", f"macos-13-{arch}", new)
    assert ok13.result("binary.kernel", new)["status"] == "ok"
    r12 = gomedic_binary("--format", "json", "--target", f"macos-12-{arch},macos=12.7", new).result(
        "binary.kernel", new
    )
    assert r12["status"] == "fail" and r12["evidence"]["target_macos"] == "12.7"


def test_architecture_on_a_mac() -> None:
    arm, amd = darwin(NEW, "arm64"), darwin(NEW, "amd64")
    run = gomedic_binary("--format", "json", "--target", "macos-14-arm64", amd)
    r = run.result("binary.arch", amd)
    assert r["status"] == "warn" and "Rosetta 2" in r["summary"]
    run = gomedic_binary("--format", "json", "--target", "macos-14-amd64", arm)
    r = run.result("binary.arch", arm)
    assert r["status"] == "fail" and "bad CPU type in executable" in r["summary"]
    assert run.result("binary.codesign", arm)["status"] == "skip"
    linux = build(HELLO, env={"GOOS": "linux", "GOARCH": "arm64"})
    run = gomedic_binary("--format", "json", "--target", "macos-14-arm64", linux)
    assert run.result("binary.arch", linux)["status"] == "fail"
    assert run.result("binary.codesign", linux)["status"] == "skip"
    r = gomedic_binary("--format", "json", "--target", "debian-12,arch=arm64", linux).result("binary.codesign", linux)
    assert r["status"] == "ok" and r["evidence"]["signature"] == "not required"


def verified(path: Path) -> codesign.Signature | None:
    """The arm64 slice's signature with every code page hashed (inspect only parses its structure)."""
    with FileSource(path) as src:
        arm = arm64_slice(macho.parse(src))
        return codesign.read(arm) if arm is not None else None


def test_the_go_linker_signs_arm64_and_every_page_hash_matches() -> None:
    exe = darwin(NEW, "arm64")
    ins = inspect(exe)
    assert ins.macho is not None and ins.macho.signature is not None and not ins.macho.signature.checked
    sig = verified(exe)
    assert sig is not None and sig.checked and sig.valid and sig.ad_hoc and sig.linker_signed
    assert sig.identifier == "a.out" and sig.hash_type == "sha256"
    with FileSource(exe) as src:
        off = macho.parse(src).signature
    assert off is not None and sig.pages == -(-off[0] // 4096)  # every 4 KiB page up to the signature
    assert inspect(darwin(NEW, "amd64")).macho.signature is None  # type: ignore[union-attr]
    run = gomedic_binary("--format", "json", "--target", "macos-15-arm64", exe)
    r = run.result("binary.codesign", exe)
    assert r["status"] == "ok" and "all" in r["summary"] and "page hashes match" in r["summary"]


def test_llvm_strip_re_signs_and_the_signature_it_writes_verifies(tmp_path: Path) -> None:
    """An independent signer: LLVM's llvm-strip (14+) re-signs a linker-signed arm64 binary ad hoc after
    stripping it. gomedic's hashing agrees with LLVM's on every page."""
    strip = shutil.which("llvm-strip")
    if strip is None:
        pytest.skip("llvm-strip is not installed (.ci/apt-packages.txt: llvm)")
    out = tmp_path / "app"
    shutil.copy(darwin(NEW, "arm64"), out)
    subprocess.run([strip, str(out)], check=True, timeout=120)
    sig = verified(out)
    assert sig is not None and sig.checked and sig.valid and sig.identifier == "app"
    assert sig.pages < inspect(darwin(NEW, "arm64")).macho.signature.pages  # type: ignore[union-attr]


def test_unsigned_arm64_fails(tmp_path: Path) -> None:
    exe = unsigned_copy(darwin(NEW, "arm64"), tmp_path / "app")
    with FileSource(exe) as src:
        assert macho.parse(src).signature is None
    run = gomedic_binary("--format", "json", "--target", "macos-14-arm64", exe)
    r = run.result("binary.codesign", exe)
    assert run.returncode == 1 and r["status"] == "fail" and "no code signature" in r["summary"]
    assert f"codesign --force -s - {exe}" in r["fix"]
    assert run.result("binary.format", exe)["status"] == "ok"  # the rest of the file is intact
    amd = gomedic_binary("--format", "json", "--target", "macos-14-amd64", exe)
    assert amd.result("binary.codesign", exe)["status"] == "skip"


def test_changed_after_signing_fails_naming_the_page(tmp_path: Path) -> None:
    exe, page = tampered_copy(darwin(NEW, "arm64"), tmp_path / "app")
    with FileSource(exe) as src:
        sig = codesign.read(macho.parse(src))
    assert sig is not None and sig.bad_page == page
    run = gomedic_binary("--format", "json", "--target", "macos-14-arm64", exe)
    r = run.result("binary.codesign", exe)
    assert r["status"] == "fail" and f"code page {page} no longer matches" in r["summary"]
    assert r["evidence"]["bad_page"] == str(page)


def test_dylibs_outside_the_system_warn(tmp_path: Path) -> None:
    """binary.libs for a Mach-O on a Mac. A pure-Go binary loads libSystem and libresolv only. The copy
    names a Homebrew library instead of libresolv (same load command, a path of the length the command
    holds), as a cgo build linked against Homebrew does; it is amd64, so no signature is involved."""
    exe = darwin(NEW, "amd64")
    run = gomedic_binary("--format", "json", "--target", "macos-14-amd64", exe)
    assert run.result("binary.libs", exe)["status"] == "ok"
    data = exe.read_bytes()
    old, new = b"/usr/lib/libresolv.9.dylib\0", b"/opt/homebrew/lib/libz.dylib\0"
    at = data.index(old)
    copy = tmp_path / "app"
    copy.write_bytes(data[:at] + new + data[at + len(new):])
    assert len(new) <= 56 - 24  # the LC_LOAD_DYLIB command's room for its name
    run = gomedic_binary("--format", "json", "--target", "macos-14-amd64", copy)
    r = run.result("binary.libs", copy)
    assert r["status"] == "warn" and "/opt/homebrew/lib/libz.dylib" in r["summary"]
    assert "Library not loaded: /opt/homebrew/lib/libz.dylib" in r["summary"]
    assert "/usr/lib/libSystem.B.dylib" not in r["evidence"]["outside_system"]


def test_published_darwin_arm64_binaries_verify() -> None:
    """esbuild and lefthook from npm: darwin/arm64 Go binaries signed by their publishers' Go linkers."""
    from tests.support.corpus import ensure
    exes = [e.path for e in ensure().executables if "darwin-arm64" in str(e.path)]
    if not exes:
        pytest.skip("no darwin-arm64 executables in the registry corpus")
    for p in exes:
        ins = inspect(p)
        sig = verified(p)
        assert ins.macho is not None and sig is not None and sig.checked, p
        assert sig.valid, (p, sig)
        assert all(d.startswith(("/usr/lib/", "/System/Library/")) for d in ins.macho.dylibs), p


def test_universal_binary_made_by_llvm_lipo(tmp_path: Path) -> None:
    """A universal (fat) file of the two real builds: each Mac runs its own slice; the arm64 slice's signature
    is verified at its offset inside the fat file."""
    lipo = shutil.which("llvm-lipo") or shutil.which("llvm-lipo-14")
    if lipo is None:
        pytest.skip("llvm-lipo is not installed (.ci/apt-packages.txt: llvm)")
    uni = tmp_path / "app"
    subprocess.run([lipo, "-create", str(darwin(NEW, "arm64")), str(darwin(NEW, "amd64")), "-output", str(uni)],
                   check=True, timeout=120)
    with FileSource(uni) as src:
        slices = dict(macho.fat_slices(src))
    assert set(slices) == {"arm64", "amd64"} and slices["arm64"] > 0
    arm = gomedic_binary("--format", "json", "--target", "macos-14-arm64", uni)
    r = arm.result("binary.arch", uni)
    assert r["status"] == "ok" and "universal binary" in r["summary"] and "runs its arm64 slice" in r["summary"]
    r = arm.result("binary.codesign", uni)
    assert r["status"] == "ok" and "code page hashes match" in r["summary"]
    amd = gomedic_binary("--format", "json", "--target", "macos-14-amd64", uni)
    assert amd.result("binary.arch", uni)["status"] == "ok"
    assert "runs as amd64" in amd.result("binary.codesign", uni)["summary"]
