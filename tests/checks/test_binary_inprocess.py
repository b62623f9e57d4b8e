"""binary.* in-process: BINARIES seeded with inspections of real executables (the build corpus, parsed once),
TARGET with the named profiles (and overrides) as `--target` resolves them. The end-to-end runs of
`gomedic binary` are in tests/binary/."""

from __future__ import annotations

import functools
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from gomedic.binfmt.inspect import Inspection, inspect
from gomedic.checks.binary import BINARIES
from gomedic.facts import Facts
from gomedic.facts.host import HostInfo
from gomedic.finding import Finding
from gomedic.model import Status
from gomedic.registry import REGISTRY, load_areas
from gomedic.targets import TARGET, Target
from gomedic.targets.resolve import resolve
from tests.support.gobuild import HELLO, build, corpus, go_env
from tests.support.seeded import HOST_AMD64, facts, one, run_area
from tests.support.toolchains import NEWEST, cache_dir, toolchain

load_areas(["binary"])


@functools.cache
def parsed(name: str) -> Inspection:
    """A member of the build corpus, inspected once per test process."""
    return inspect(str(corpus(name)))


def seeded(target: str, *bins: Inspection) -> Facts:
    return seeded_with(resolve(target, None, HOST_AMD64, None, None, {}), *bins)


def seeded_with(target: Target, *bins: Inspection) -> Facts:
    f = facts({})
    f.seed(BINARIES, bins)
    f.seed(TARGET, target)
    return f


def check(cid: str, target: str, name: str) -> Finding:
    ins = parsed(name)
    r = one(REGISTRY.get(cid).fn(seeded(target, ins)))
    assert r.subject == ins.path
    return r


def test_format_ok_not_go_and_not_an_executable(tmp_path: Path) -> None:
    r = check("binary.format", "debian-12", "linux-amd64")
    assert r.status is Status.OK and r.summary.endswith("linux ELF 64-bit amd64 Go binary built with go1.27.3, "
                                                        "main module example.com/linux-amd64 (devel)")
    true = inspect("/usr/bin/true")  # a real executable nobody here built: not Go
    r = one(REGISTRY.get("binary.format").fn(seeded("debian-12", true)))
    assert r.status is Status.WARN and r.summary.startswith(
        "/usr/bin/true is a linux ELF 64-bit amd64 executable but not a Go binary"
    )
    assert r.fix == "only the loader-level checks apply; rebuild it with `go build` for full results"
    text = tmp_path / "app"
    text.write_text("#!/bin/sh\necho hi\n")
    bad = inspect(str(text))
    got = one(REGISTRY.get("binary.format").fn(seeded("debian-12", bad)))
    assert got.status is Status.FAIL and got.summary == f"{text}: {bad.error}"
    others = [one(REGISTRY.get(c).fn(seeded("debian-12", bad))) for c in ("binary.arch", "binary.glibc")]
    assert all(x.status is Status.SKIP and "see binary.format" in x.summary for x in others)


def test_arch_arm64_on_an_amd64_target_fails() -> None:
    r = check("binary.arch", "debian-12", "linux-arm64")
    assert r.status is Status.FAIL and r.summary.endswith(
        "is linux/arm64 but debian-12 is linux/amd64: exec fails with `exec format error`"
    )
    assert r.fix == "rebuild for the target: GOOS=linux GOARCH=amd64 go build"
    assert check("binary.arch", "debian-12", "linux-amd64").status is Status.OK


def test_interpreter_libs_and_glibc_of_a_musl_binary_on_debian() -> None:
    r = check("binary.interpreter", "debian-12", "cgo-musl")
    assert r.status is Status.FAIL and "the interpreter /lib/ld-musl-x86_64.so.1 of" in r.summary
    assert "does not exist on debian-12: running it fails with `No such file or directory`" in r.summary
    r = check("binary.libs", "debian-12", "cgo-musl")
    assert (
        r.status is Status.FAIL
        and "`error while loading shared libraries: libc.so: cannot open shared object file`" in r.summary
    )
    r = check("binary.glibc", "debian-12", "cgo-musl")
    assert r.status is Status.FAIL and r.summary.endswith(
        "is linked against musl but debian-12 has glibc 2.36: it does not start"
    )
    assert check("binary.interpreter", "alpine-3.20", "cgo-musl").status is Status.OK
    assert check("binary.libs", "debian-12", "cgo-glibc").summary.endswith(
        "resolve on debian-12 (libc.so.6=/lib/x86_64-linux-gnu/libc.so.6)")


def test_glibc_too_old_on_rhel_8() -> None:
    r = check("binary.glibc", "rhel-8", "cgo-glibc")
    assert r.status is Status.FAIL
    assert r.summary.endswith(
        "needs GLIBC_2.34 but rhel-8 has glibc 2.28: it fails with `version 'GLIBC_2.34' not found`"
    )
    assert r.evidence["glibc_needed"] == "2.34"
    ok = check("binary.glibc", "debian-12", "cgo-glibc")
    assert ok.status is Status.OK and ok.summary.endswith("needs glibc >= 2.34; debian-12 has 2.36")
    assert check("binary.glibc", "debian-12", "linux-amd64").summary.endswith("is static: it needs no C library")


def test_cpu_level_baseline_warns_and_a_declared_level_fails() -> None:
    r = check("binary.cpu-level", "debian-12", "amd64-v4")
    assert r.status is Status.WARN and "needs x86-64-v4 (GOAMD64=v4) but debian-12 has x86-64-v1" in r.summary
    assert r.fix is not None and r.fix.startswith("rebuild with GOAMD64=v1 (or lower)")
    r = check("binary.cpu-level", "rhel-8,cpu=x86-64-v3", "amd64-v4")
    assert r.status is Status.FAIL and "This program can only be run on AMD64 processors with v4" in r.summary
    assert check("binary.cpu-level", "debian-12", "linux-arm64").status is Status.SKIP


def test_kernel_too_old_and_unknown() -> None:
    r = check("binary.kernel", "debian-12,kernel=2.6.32", "linux-amd64")
    assert r.status is Status.FAIL and "needs Linux >= 3.2 (Go 1.27) but debian-12 runs 2.6.32" in r.summary
    r = check("binary.kernel", "debian-12", "go1.22")
    assert r.status is Status.OK and r.summary.endswith("needs Linux >= 2.6.32 (Go 1.22); debian-12 runs 6.1")
    assert check("binary.kernel", "distroless-static", "linux-amd64").status is Status.SKIP


def test_go_release_unsupported_warns() -> None:
    r = check("binary.go-release", "debian-12", "go1.22")
    assert r.status is Status.WARN and "was built with go1.22.10; Go 1.22 is no longer supported" in r.summary
    assert r.fix is not None and r.fix.startswith("rebuild with go1.")
    r = check("binary.go-release", "debian-12", "linux-amd64")
    assert r.status is Status.OK and r.summary.endswith(
        "was built with go1.27.3, the latest patch of supported Go 1.27"
    )


def test_runtime_files_missing_on_alpine_and_scratch() -> None:
    r = check("binary.runtime-files", "alpine-3.20", "cgo-glibc")
    assert r.status is Status.WARN and "no zoneinfo: time.LoadLocation fails with `unknown time zone`" in r.summary
    r = check("binary.runtime-files", "scratch", "static-net")
    assert r.status is Status.WARN and "no CA bundle" in r.summary
    r = check("binary.runtime-files", "alpine-3.20", "linux-amd64")
    assert r.status is Status.OK and "lacks some runtime files (zoneinfo) but" in r.summary


def test_hardening_reports_what_the_binary_has() -> None:
    r = check("binary.hardening", "debian-12", "pie-nocgo")
    assert r.status is Status.OK and "pie=yes" in r.summary and "nx=yes" in r.summary
    r = check("binary.hardening", "debian-12", "stripped")
    assert "stripped=yes" in r.summary


@pytest.fixture(scope="module")
def dirty_checkout_binary() -> Path:
    """A real Go program built (once per machine) from a git checkout with an uncommitted change:
    its build info says vcs.modified=true."""
    exe = cache_dir() / "seeded" / "dirty-checkout" / "app"
    if exe.exists():
        return exe
    exe.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gmdirty.") as d:
        env = {**go_env(NEWEST), "GOFLAGS": "-buildvcs=true", "GIT_CONFIG_GLOBAL": "/dev/null",
               "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@example.invalid"}
        Path(d, "go.mod").write_text("module example.com/dirty\n\ngo 1.22\n")
        Path(d, "main.go").write_text(HELLO)
        for argv in (["git", "init", "-q"], ["git", "add", "."], ["git", "commit", "-qm", "init"]):
            subprocess.run(argv, cwd=d, env=env, check=True, capture_output=True)
        Path(d, "main.go").write_text(HELLO + "\n// edited\n")
        subprocess.run([str(toolchain(NEWEST) / "bin" / "go"), "build", "-o", str(exe) + ".tmp", "."], cwd=d,
                       env=env, check=True, capture_output=True)
        os.replace(str(exe) + ".tmp", exe)
    return exe


def test_hardening_warns_for_a_build_from_a_modified_checkout(dirty_checkout_binary: Path) -> None:
    ins = inspect(str(dirty_checkout_binary))
    assert ins.setting("vcs.modified") == "true"
    r = one(REGISTRY.get("binary.hardening").fn(seeded("debian-12", ins)))
    assert r.status is Status.WARN and r.summary.startswith(f"{ins.path} was built from a modified checkout (")
    assert r.fix == "build releases from a clean checkout" and r.evidence["vcs_modified"] == "true"


def test_foreign_os_binary_skips_the_linux_only_checks() -> None:
    r = check("binary.interpreter", "debian-12", "windows-amd64")
    assert r.status is Status.SKIP


def test_the_area_through_the_runner_one_result_per_binary() -> None:
    results = run_area("binary", seeded("debian-12", parsed("linux-amd64"), parsed("cgo-musl")))
    # binary.vulns registers in area binary once its module is loaded (by another test here): opt-in, it skips
    vulns = results.pop("binary.vulns", None)
    assert vulns is None or {r.summary for r in vulns} == {"vulnerability check not requested (pass --vulns)"}
    for cid, rs in results.items():
        assert [r.subject for r in rs] == [parsed("linux-amd64").path, parsed("cgo-musl").path], cid
        assert rs[0].status in (Status.OK, Status.SKIP), (cid, rs[0].summary)
    bad = {cid for cid, rs in results.items() if rs[1].status is Status.FAIL}
    assert bad == {"binary.interpreter", "binary.libs", "binary.glibc"}


def test_no_binary_given_skips_with_the_reason() -> None:
    f = facts({})
    f.seed(TARGET, resolve("debian-12", None, HOST_AMD64, None, None, {}))
    r = run_area("binary", f)["binary.format"]
    assert [(x.status, x.summary) for x in r] == [
        (Status.SKIP, "not evaluated: no binary given (run `gomedic binary PATH...`)")]


def test_arch_of_other_oses_elf_files_and_a_32_bit_binary() -> None:
    r = check("binary.arch", "debian-12", "freebsd-amd64")
    assert r.status is Status.FAIL and "is a freebsd/amd64 binary (its ABI note); it is a static binary, so Linux " \
        "starts it but its first freebsd system call does not mean the same on Linux" in r.summary
    r = check("binary.arch", "debian-12", "openbsd-amd64")
    assert r.status is Status.FAIL and "its interpreter /usr/libexec/ld.so does not exist on debian-12" in r.summary
    assert r.evidence["interpreter"] == "/usr/libexec/ld.so"
    r = check("binary.arch", "debian-12", "linux-386")
    assert r.status is Status.WARN and "on amd64 it runs only if the kernel has IA32 emulation" in r.summary
    r = check("binary.arch", "debian-12", "windows-amd64")
    assert r.status is Status.FAIL and "is a windows/amd64 binary; debian-12 runs linux/amd64" in r.summary
    r = check("binary.interpreter", "debian-12", "darwin-arm64")
    assert r.status is Status.SKIP and r.summary.startswith("not applicable: ")
    assert "is a darwin binary (Mach-O) and debian-12 runs linux" in r.summary


def test_hardening_warns_for_an_executable_stack() -> None:
    r = check("binary.hardening", "debian-12", "openbsd-amd64")  # Go's openbsd/amd64 link has no PT_GNU_STACK
    assert r.status is Status.WARN and "executable stack (" in r.summary and r.evidence["nx"] == "no"
    assert r.fix == "link with -z noexecstack"


def _host(goos: str, goarch: str, machine: str, kernel: str) -> Target:
    return resolve("host", None, HostInfo(goos, goarch, machine, kernel, ""), None, None, {})


def test_kernel_of_mach_o_and_pe_binaries_on_their_own_os() -> None:
    mac = _host("darwin", "arm64", "arm64", "23.4.0")
    new = one(REGISTRY.get("binary.kernel").fn(seeded_with(mac, parsed("darwin-arm64"))))
    assert new.status is Status.OK and new.summary.endswith(
        "(Mach-O) has LC_UUID and needs macOS >= 13.0; the target's macOS version is unknown (pass --target "
        "macos-14-arm64)")
    old = inspect(str(build(HELLO, version="1.22.10", env={"GOOS": "darwin", "GOARCH": "arm64", "CGO_ENABLED": "0"})))
    r = one(REGISTRY.get("binary.kernel").fn(seeded_with(mac, old)))
    assert r.status is Status.FAIL and "has no LC_UUID load command: macOS 15 and later refuse it" in r.summary
    assert r.fix == "rebuild with Go >= 1.24 or with -ldflags=-B=gobuildid" and r.evidence["macos_min"] == "11.0"
    win = _host("windows", "amd64", "x86_64", "10.0")
    r = one(REGISTRY.get("binary.kernel").fn(seeded_with(win, parsed("windows-amd64"))))
    assert r.status is Status.SKIP and r.evidence["windows_min"] == "10 / Server 2016"
