"""macos.cc-mix over recorded Macs (tests/macos/recordings) and the go settings as `go env` and a GOENV file give
them. The toolchain paths are Homebrew's and Apple's real layouts (/opt/homebrew/opt/llvm, the Command Line
Tools SDK); nothing here runs a compiler, and no Mac was available to run one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gomedic.checks.macos import cc_mix
from gomedic.facts import Facts, Options
from gomedic.facts.go import GO_CONFIG, SRC_FILE, GoConfig
from gomedic.facts.macos import MACOS
from gomedic.macos.toolchains import APPLE, GCC, LLVM, flag_dirs, kind_of
from gomedic.model import Status
from tests.macos.test_macos import recording

LLVM_CC = "/opt/homebrew/opt/llvm/bin/clang"
SDK = "/Library/Developer/CommandLineTools/SDKs/MacOSX.sdk"
XCODE_SDK = "/Applications/Xcode.app/Contents/Developer/Platforms/MacOSX.platform/Developer/SDKs/MacOSX.sdk"


def facts(env: dict[str, str] | None = None, file: dict[str, str] | None = None, path: str = "/nonexistent") -> Facts:
    """go env on a Mac: CC=clang, CXX=clang++, CGO_ENABLED=1 unless the environment or GOENV file says otherwise."""
    e = {"HOME": "/Users/ana", "PATH": path, **(env or {})}
    f = Facts(Options(env=e, cwd=Path("/")))
    f.seed(MACOS, recording("macos-14.4.1-arm64-clt"))
    f.seed(GO_CONFIG, GoConfig(env=e, file=file or {}, goroot_file={},
                               defaults={"CC": "clang", "CXX": "clang++", "CGO_ENABLED": "1", "GOOS": "darwin"}))
    return f


def test_toolchain_of_a_path() -> None:
    assert kind_of(LLVM_CC) == LLVM and kind_of("/usr/local/opt/llvm@17/bin/clang") == LLVM
    assert kind_of("/opt/homebrew/Cellar/llvm/20.1.1/bin/clang++") == LLVM
    assert kind_of("/opt/homebrew/bin/gcc-14") == GCC and kind_of("gcc-13") == GCC
    assert kind_of("/usr/bin/clang") == APPLE and kind_of(f"{XCODE_SDK}/usr/include") == APPLE
    assert kind_of("/Applications/Xcode-16.2.app/Contents/Developer/usr/bin/clang") == APPLE
    assert kind_of("/usr/bin/ld") is None and kind_of("/opt/homebrew/opt/openssl@3/include") is None


def test_flag_directories_as_compilers_read_them() -> None:
    flags = ["-I/a", "-I", "/b", "-isystem", "/c", "-L/d", "-Wl,-L,/e,-rpath,/f", "-F/g", "-isysroot", SDK,
             "-Iinclude", "-O2", "-fno-common"]
    assert flag_dirs(flags) == [("-I", "/a"), ("-I", "/b"), ("-isystem", "/c"), ("-L", "/d"), ("-L", "/e"),
                                ("-F", "/g")]


def test_homebrew_llvm_with_apple_sdk_include_dirs_warns() -> None:
    r = cc_mix(facts({"CC": LLVM_CC, "CXX": LLVM_CC + "++", "CGO_CPPFLAGS": f"-isystem {XCODE_SDK}/usr/include",
                      "CGO_LDFLAGS": f"-L{SDK}/usr/lib"}))
    assert r.status is Status.WARN
    assert f"CC is Homebrew LLVM but CGO_CPPFLAGS -isystem{XCODE_SDK}/usr/include (Apple clang)" in r.summary
    assert f"CGO_LDFLAGS -L{SDK}/usr/lib (Apple clang)" in r.summary
    assert "tried including <stdlib.h> but didn't find libc++'s <stdlib.h> header" in r.summary
    assert r.fix is not None and "Homebrew LLVM finds the SDK itself" in r.fix
    assert r.evidence["CC"] == f"{LLVM_CC} (environment) -> {LLVM_CC} (Homebrew LLVM)"
    assert r.evidence["xcrun --find clang"] == "/Library/Developer/CommandLineTools/usr/bin/clang"


def test_homebrew_llvm_with_only_a_sysroot_is_one_toolchain() -> None:
    """Homebrew's own advice: its include and lib directories, Apple's SDK as the sysroot."""
    r = cc_mix(facts({"CC": LLVM_CC, "CGO_CFLAGS": f"-isysroot {SDK} -I/opt/homebrew/opt/llvm/include",
                      "CGO_LDFLAGS": "-L/opt/homebrew/opt/llvm/lib/c++ -Wl,-rpath,/opt/homebrew/opt/llvm/lib/c++"}))
    assert r.status is Status.OK and "no CGO_* directory belongs to another toolchain" in r.summary


def test_apple_clang_with_homebrew_llvm_dirs_warns() -> None:
    """CC unset: go's default `clang` is Apple's /usr/bin shim (not on this PATH here, as the evidence says)."""
    r = cc_mix(facts({"CGO_CPPFLAGS": "-I/opt/homebrew/opt/llvm/include",
                      "CGO_LDFLAGS": "-L/opt/homebrew/opt/llvm/lib/c++ -lc++"}))
    assert r.status is Status.WARN and r.summary.startswith("CC is Apple clang but CGO_CPPFLAGS -I/opt/homebrew")
    assert "CGO_LDFLAGS -L/opt/homebrew/opt/llvm/lib/c++ (Homebrew LLVM)" in r.summary
    assert r.evidence["CC"] == "clang (default) -> /usr/bin/clang (Apple clang)"
    assert r.fix is not None and "go env -u CC CXX" in r.fix


def test_homebrew_gcc_as_cc_warns_from_the_goenv_file() -> None:
    r = cc_mix(facts(file={"CC": "gcc-14"}))
    assert r.status is Status.WARN and "CC is Homebrew GCC" in r.summary
    assert "variably modified 'bytes' at file scope" in r.summary and "golang/go#24437" in r.summary
    assert r.evidence["CC"].startswith(f"gcc-14 ({SRC_FILE}) -> gcc-14 (Homebrew GCC)")


def test_flags_inside_cc_count() -> None:
    r = cc_mix(facts({"CC": f"{LLVM_CC} -I{SDK}/usr/include"}))
    assert r.status is Status.WARN and f"CC -I{SDK}/usr/include (Apple clang)" in r.summary
    assert r.evidence["CC"].endswith(f"-> {LLVM_CC} (Homebrew LLVM)")


def test_not_macos_skips_even_with_cgo_off() -> None:
    from gomedic.errors import FactUnavailable
    with pytest.raises(FactUnavailable, match="not macOS"):  # the runner makes this a skip
        cc_mix(Facts(Options(env={"CGO_ENABLED": "0"}, cwd=Path("/"))))


def test_cc_and_cxx_from_different_toolchains_warn() -> None:
    r = cc_mix(facts({"CC": LLVM_CC, "CXX": "clang++"}))
    assert r.status is Status.WARN and "CC is Homebrew LLVM but CXX is Apple clang" in r.summary


def test_cgo_off_and_a_clean_default_are_ok() -> None:
    assert cc_mix(facts({"CGO_ENABLED": "0", "CC": "gcc-14"})).status is Status.OK
    r = cc_mix(facts())
    assert r.status is Status.OK and "/usr/bin/clang (Apple clang)" in r.summary


def test_a_compiler_found_on_path_is_what_is_judged(tmp_path: Path) -> None:
    """A clang found on PATH decides (here a wrapper in a plain directory: no known toolchain, nothing to mix)."""
    wrapper = tmp_path / "clang"
    wrapper.write_text("#!/bin/sh\nexec /usr/bin/clang \"$@\"\n")
    wrapper.chmod(0o755)
    r = cc_mix(facts({"CGO_LDFLAGS": "-L/opt/homebrew/opt/llvm/lib"}, path=str(tmp_path)))
    assert r.status is Status.OK and r.evidence["CC"] == f"clang (default) -> {wrapper} (other)"
    assert os.path.isfile(wrapper)
