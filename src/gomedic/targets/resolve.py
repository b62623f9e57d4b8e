"""Turn `--target SPEC` and `--root DIR|TAR` into a Target.

SPEC is `host` (the default), a profile name, or either followed by `,key=value` overrides:
`rhel-8,cpu=x86-64-v3`, `glibc=2.31` (this host with an older glibc), `alpine-3.20,arch=arm64`.
Keys: arch, cpu, libc, glibc, musl, kernel; macOS targets (`macos-14-arm64`, data/macos.json): arch, macos.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import MappingProxyType

from gomedic.binfmt import dynamic, elf
from gomedic.errors import FormatError, UsageError
from gomedic.facts.host import HostInfo
from gomedic.targets.macos import macos_targets
from gomedic.targets.macos import target_of as macos_target
from gomedic.targets.model import GLIBC_LOADERS, MUSL_ARCH, TRIPLETS, Libc, Target, parse_version
from gomedic.targets.profiles import parse_cpu, profiles, target_of
from gomedic.targets.rootfs import DirRoot, RootFS, TarRoot
from gomedic.values import replace

KEYS = ("arch", "cpu", "libc", "glibc", "musl", "kernel", "macos")


def parse_spec(spec: str) -> tuple[str, dict[str, str]]:
    """`rhel-8,cpu=x86-64-v3` -> ("rhel-8", {"cpu": "x86-64-v3"}); validated, normalised."""
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    base = "host"
    if parts and "=" not in parts[0]:
        base = parts.pop(0)
    if base != "host" and base not in profiles() and base not in macos_targets():
        raise UsageError(f"--target {spec}: unknown target {base!r} (see `gomedic targets`)")
    out: dict[str, str] = {}
    for p in parts:
        key, sep, value = p.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or key not in KEYS or not value:
            raise UsageError(f"--target {spec}: {p!r} is not one of {', '.join(k + '=...' for k in KEYS)}")
        if key == "arch" and value not in GLIBC_LOADERS and value not in MUSL_ARCH:
            raise UsageError(f"--target {spec}: arch={value} is not a GOARCH gomedic knows")
        if key == "cpu" and parse_cpu(value) is None:
            raise UsageError(f"--target {spec}: cpu={value}: expected x86-64-v1, -v2, -v3 or -v4")
        if key == "libc" and value not in {x.value for x in Libc}:
            raise UsageError(f"--target {spec}: libc={value}: expected glibc, musl or none")
        if key == "macos" and base not in macos_targets():
            raise UsageError(f"--target {spec}: macos= applies to a macOS target (macos-14-arm64,macos=14.5)")
        if key in ("glibc", "musl", "kernel", "macos") and parse_version(value) is None:
            raise UsageError(f"--target {spec}: {key}={value} is not a version")
        if key in ("glibc", "musl"):
            out["libc"], out["libc_version"] = key, value
        else:
            out[key] = value
    return base, out


def _apply(t: Target, o: Mapping[str, str]) -> Target:
    src = dict(t.sources)
    for k in o:
        src["libc" if k == "libc_version" else k] = "override"
    libc = Libc(o["libc"]) if "libc" in o else t.libc
    ver = parse_version(o["libc_version"]) if "libc_version" in o else (t.libc_version if libc is t.libc else None)
    arch = o.get("arch", t.goarch)
    cpu = parse_cpu(o["cpu"]) if "cpu" in o else t.cpu_level
    return replace(
        t, goarch=arch, libc=libc, libc_version=ver,
        kernel=parse_version(o["kernel"]) if "kernel" in o else t.kernel,
        cpu_level=cpu if arch == "amd64" else None,
        cpu_flags=None if "cpu" in o or arch != t.goarch else t.cpu_flags,
        sources=MappingProxyType(src),
    )


def emulated_arches(binfmt_dir: str = "/proc/sys/fs/binfmt_misc") -> frozenset[str]:
    """GOARCHes the kernel hands to an emulator (qemu-user via binfmt_misc), from the enabled handlers."""
    names = {"aarch64": "arm64", "arm": "arm", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64",
             "i386": "386", "x86_64": "amd64", "loongarch64": "loong64", "mips64el": "mips64le"}
    out = set()
    for qemu, goarch in names.items():
        try:
            with open(os.path.join(binfmt_dir, f"qemu-{qemu}"), encoding="utf-8") as fh:
                if fh.readline().strip() == "enabled":
                    out.add(goarch)
        except OSError:
            continue
    return frozenset(out)


def _mac_version() -> tuple[int, ...] | None:
    import platform

    return parse_version(platform.mac_ver()[0])


def host_target(host: HostInfo, cpu_flags: frozenset[str] | None, cpu_level: int | None,
                env: Mapping[str, str]) -> Target:
    libc, ver = Libc.NONE, None
    if host.libc.startswith("glibc"):
        libc, ver = Libc.GLIBC, parse_version(host.libc.split()[-1])
    elif host.libc.startswith("musl"):
        libc = Libc.MUSL
    layout = "alpine" if libc is Libc.MUSL else ("debian" if os.path.isdir("/usr/lib/" + TRIPLETS.get(host.goarch, "-"))
                                                 else "rhel")
    return Target(
        name="host",
        description=f"this host ({host.goos}/{host.goarch}, kernel {host.kernel}, {host.libc or 'libc unknown'})",
        goarch=host.goarch,
        libc=libc,
        libc_version=ver,
        kernel=parse_version(host.kernel),
        cpu_level=cpu_level if host.goarch == "amd64" else None,
        fs=DirRoot("/"),
        layout=layout,
        goos=host.goos,
        cpu_flags=cpu_flags,
        env=MappingProxyType(dict(env)),
        emulated=emulated_arches(),
        is_host=True,
        macos_version=_mac_version() if host.goos == "darwin" else None,
        sources=MappingProxyType(
            {"arch": "uname", "libc": "confstr(CS_GNU_LIBC_VERSION)", "kernel": "uname -r", "cpu": "/proc/cpuinfo"}
        ),
    )


def _elf_arch(fs: RootFS, paths: list[str]) -> str | None:
    for p in paths:
        src = fs.source(p)
        if src is None:
            continue
        try:
            if src.read(0, min(4, src.size)) == elf.ELF_MAGIC:
                return elf.parse(src).goarch
        except FormatError:
            continue
        finally:
            getattr(src, "close", lambda: None)()
    return None


def glibc_version_of(fs: RootFS, libc_path: str) -> tuple[int, ...] | None:
    """The newest GLIBC_x.y a libc.so.6 defines (its DT_VERDEF): the glibc version of that root."""
    src = fs.source(libc_path)
    if src is None:
        return None
    try:
        defs = dynamic.parse(elf.parse(src)).version_defs
    except (FormatError, ValueError):
        return None
    finally:
        getattr(src, "close", lambda: None)()
    best = max((dynamic.glibc_tuple(d) for d in defs), default=(0, 0, 0))
    return (*best[:2], 0) if best != (0, 0, 0) else None


def root_target(path: str, host: HostInfo, cpu_flags: frozenset[str] | None, cpu_level: int | None) -> Target:
    if os.path.isdir(path):
        fs: RootFS = DirRoot(path)
    elif os.path.isfile(path):
        fs = TarRoot(path)
    else:
        raise UsageError(f"--root {path}: no such directory or tar file")
    musl = [n for n in fs.listdir("/lib") if n.startswith("ld-musl-") and n.endswith(".so.1")]
    arch = _elf_arch(fs, ["/bin/busybox", "/bin/sh", "/usr/bin/env", *GLIBC_LOADERS.values(),
                          *(f"/lib/{n}" for n in musl)]) or host.goarch
    libc, ver, layout = Libc.NONE, None, "distroless"
    if musl:
        libc, layout = Libc.MUSL, "alpine"
    else:
        for lay, d in (("debian", f"/lib/{TRIPLETS.get(arch, arch)}"), ("rhel", "/lib64"), ("rhel", "/lib"),
                       ("debian", f"/usr/lib/{TRIPLETS.get(arch, arch)}"), ("rhel", "/usr/lib64")):
            if fs.is_file(f"{d}/libc.so.6"):
                libc, layout, ver = Libc.GLIBC, lay, glibc_version_of(fs, f"{d}/libc.so.6")
                break
    pretty = ""
    osrel = fs.read_text("/etc/os-release") or fs.read_text("/usr/lib/os-release") or ""
    for line in osrel.splitlines():
        if line.startswith("PRETTY_NAME="):
            pretty = line.partition("=")[2].strip().strip('"')
    same_arch = arch == host.goarch
    return Target(
        name=f"root:{path}", description=f"{pretty or 'a root file system'} at {path}", goarch=arch, libc=libc,
        libc_version=ver, kernel=parse_version(host.kernel),
        cpu_level=cpu_level if arch == "amd64" and same_arch else None, fs=fs, layout=layout,
        cpu_flags=cpu_flags if same_arch else None,
        sources=MappingProxyType({"arch": "the root's own executables", "libc": "the root's libc.so.6 / ld-musl",
                                  "kernel": "this host's kernel (a container shares it)", "cpu": "/proc/cpuinfo"}),
    )


def resolve(spec: str, root: str | None, host: HostInfo, cpu_flags: frozenset[str] | None,
            cpu_level: int | None, env: Mapping[str, str]) -> Target:
    base, overrides = parse_spec(spec or "host")
    if root is not None:
        if base != "host":
            raise UsageError("--root and a named --target cannot be combined (use --root with key=value overrides)")
        return _apply(root_target(root, host, cpu_flags, cpu_level), overrides)
    if base == "host":
        return _apply(host_target(host, cpu_flags, cpu_level, env), overrides)
    if base in macos_targets():
        return macos_target(base, overrides)
    return target_of(profiles()[base], overrides, {k if k != "libc_version" else "libc": "override" for k in overrides})
