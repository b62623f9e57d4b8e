"""Target profiles (validated data), --target specs, and root file systems (directory, tar, profile)."""

from __future__ import annotations

import json
import os
import tarfile
from importlib import resources
from pathlib import Path

import pytest

from gomedic.errors import ConfigError, UsageError
from gomedic.facts.host import HostInfo
from gomedic.targets import Libc
from gomedic.targets.gorelease import load_text as load_releases
from gomedic.targets.gorelease import releases
from gomedic.targets.profiles import load_text, profiles
from gomedic.targets.resolve import parse_spec, resolve
from gomedic.targets.rootfs import DirRoot, TarRoot, VirtualRoot

HOST = HostInfo("linux", "amd64", "x86_64", "6.1.0-13-amd64", "glibc 2.36")
DATA = resources.files("gomedic.targets").joinpath("data/profiles.json").read_text()


def target(spec: str, root: str | None = None):  # type: ignore[no-untyped-def]
    return resolve(spec, root, HOST, frozenset({"avx2"}), 3, {})


def test_profiles_load_and_carry_what_the_checks_need() -> None:
    p = profiles()
    assert p["rhel-8"].libc_version == (2, 28, 0) and p["rhel-8"].kernel == (4, 18, 0)
    assert p["alpine-3.20"].libc is Libc.MUSL and p["distroless-static"].libc is Libc.NONE
    rhel = target("rhel-8")
    assert rhel.fs.exists("/lib64/ld-linux-x86-64.so.2") and rhel.fs.exists("/etc/pki/tls/certs/ca-bundle.crt")
    alpine = target("alpine-3.20,arch=arm64")
    assert alpine.fs.exists("/lib/ld-musl-aarch64.so.1") and not alpine.fs.exists("/lib64/ld-linux-x86-64.so.2")
    assert not target("scratch").fs.listdir("/")


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["profiles"][0].pop("kernel"), "missing field 'kernel'"),
    (lambda d: d["profiles"][0].update(libc="bionic"), "libc 'bionic'"),
    (lambda d: d["profiles"][0].update(cpu="v7"), "cpu 'v7'"),
    (lambda d: d["profiles"][0].update(arches=["vax"]), "unknown or no arches"),
    (lambda d: d["profiles"].append(dict(d["profiles"][0])), "defined twice"),
    (lambda d: d["profiles"][0].update(extra=1), "unknown field"),
    (lambda d: d.update(schema="v0"), "expected schema"),
    (lambda d: d["libset_sources"].pop("glibc-base"), "libset_sources must say"),
    (lambda d: d["profiles"][0].pop("libs_from"), "missing field 'libs_from'"),
])
def test_bad_profile_data_is_a_config_error(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(DATA)
    mutate(doc)
    with pytest.raises(ConfigError, match=message):
        load_text(json.dumps(doc))


def test_release_data_validates() -> None:
    r = releases()
    assert r.supported() == ["1.27", "1.26"]
    assert r.min_kernel("go1.24.0", "amd64") == (3, 2, 0) and r.min_kernel("go1.23.9", "amd64") == (2, 6, 32)
    with pytest.raises(ConfigError):
        load_releases('{"schema": "gomedic/go-releases/v1", "latest": {"1.27": "1.26.1"}, "supported_minors": 2}')


def test_specs() -> None:
    assert parse_spec("rhel-8,cpu=x86-64-v3") == ("rhel-8", {"cpu": "x86-64-v3"})
    assert parse_spec("glibc=2.31") == ("host", {"libc": "glibc", "libc_version": "2.31"})
    t = target("rhel-8,cpu=x86-64-v3,kernel=5.14")
    assert t.cpu_level == 3 and t.kernel == (5, 14, 0) and t.source("cpu") == "override"
    assert target("glibc=2.31").libc_version == (2, 31, 0) and target("libc=musl").libc is Libc.MUSL
    for bad in ("nope", "rhel-8,color=red", "cpu=x86-64-v5", "kernel=", "rhel-8,arch=riscv64"):
        with pytest.raises(UsageError):
            target(bad)


def test_dir_root_symlinks_stay_inside(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "real").write_text("x")
    (tmp_path / "etc" / "abs").symlink_to("/etc/real")  # absolute: relative to the root, not the host
    (tmp_path / "etc" / "up").symlink_to("../../../../etc/passwd")  # .. never leaves the root
    (tmp_path / "loop").symlink_to("loop")
    fs = DirRoot(str(tmp_path))
    assert fs.is_file("/etc/abs") and fs.read_text("/etc/abs") == "x"
    assert not fs.exists("/etc/up") and not fs.exists("/loop") and not fs.exists("/etc/real/x")


def test_tar_root(tmp_path: Path) -> None:
    d = tmp_path / "r"
    (d / "lib").mkdir(parents=True)
    (d / "lib" / "ld-musl-x86_64.so.1").write_bytes(Path("/bin/true").read_bytes())
    os.symlink("ld-musl-x86_64.so.1", d / "lib" / "libc.musl-x86_64.so.1")
    (d / "etc").mkdir()
    (d / "etc" / "os-release").write_text('PRETTY_NAME="Alpine Linux v3.20"\n')
    tar = tmp_path / "r.tar"
    with tarfile.open(tar, "w") as t:
        t.add(d, arcname=".")
    fs = TarRoot(str(tar))
    assert fs.is_file("/lib/libc.musl-x86_64.so.1") and fs.listdir("/lib")
    t = target("host", str(tar))
    assert t.libc is Libc.MUSL and "Alpine Linux v3.20" in t.description and t.goarch == "amd64"
    with pytest.raises(UsageError):
        target("host", str(tmp_path / "missing"))
    (tmp_path / "bad.tar").write_text("not a tar")
    with pytest.raises(UsageError):
        TarRoot(str(tmp_path / "bad.tar"))


def test_virtual_root() -> None:
    fs = VirtualRoot(["/lib/x/libc.so.6", "//etc/ssl/cert.pem"], links={"/lib64": "/lib/x"},
                     texts={"/etc/nsswitch.conf": "hosts: files dns\n"})
    assert fs.is_file("/lib64/libc.so.6") and fs.is_dir("/etc/ssl") and fs.listdir("/etc") == ["nsswitch.conf", "ssl"]
    assert fs.read_text("/etc/nsswitch.conf") == "hosts: files dns\n" and fs.read_text("/etc/ssl/cert.pem") is None
