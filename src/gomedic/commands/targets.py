"""`gomedic targets`: the named target profiles `gomedic binary --target` accepts."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "targets",
        help=SUMMARIES["targets"],
        description="List the named targets (distribution releases, container bases, macOS releases) and what each "
        "provides. "
        "Combine a profile with key=value overrides: --target rhel-8,cpu=x86-64-v3.",
    )
    p.add_argument("--format", default="text", choices=["text", "json"], help="output format (default: %(default)s)")
    p.set_defaults(run=run)


def rows() -> list[dict[str, Any]]:
    from gomedic.targets.model import vstr
    from gomedic.targets.profiles import profiles

    out = []
    for p in profiles().values():
        out.append({
            "name": p.name,
            "os": "linux",
            "description": p.description,
            "libc": p.libc.value + (f" {vstr(p.libc_version)}" if p.libc_version else ""),
            "kernel": vstr(p.kernel) if p.kernel else None,
            "cpu": f"x86-64-v{p.cpu}",
            "arches": list(p.arches),
            "ca_bundle": p.ca_bundle,
            "zoneinfo": p.zoneinfo,
            "nsswitch": p.nsswitch,
            "passwd": p.passwd,
        })
    return out + mac_rows()


def mac_rows() -> list[dict[str, Any]]:
    """macOS targets (data/macos.json): judged by the Mach-O's arch, minos, code signature and dylibs."""
    from gomedic.targets.macos import macos_targets
    return [{"name": name, "description": f"macOS {rel.label} {rel.name} ({arch})", "os": "darwin",
             "macos": rel.label, "arches": [arch], "source": rel.source}
            for name, (rel, arch) in macos_targets().items()]


def run(args: argparse.Namespace) -> int:
    data = rows()
    if args.format == "json":
        sys.stdout.write(json.dumps({"targets": data}, indent=2) + "\n")
        return 0
    lines = [f"{'NAME':<18} {'LIBC':<12} {'KERNEL':<7} {'CPU':<10} {'CA BUNDLE':<36} ARCHES"]
    for r in data:
        if r.get("os") == "darwin":
            continue
        lines.append(f"{r['name']:<18} {r['libc']:<12} {r['kernel'] or 'host':<7} {r['cpu']:<10} "
                     f"{r['ca_bundle'] or '-':<36} {','.join(r['arches'])}")
    lines.append("")
    lines.append(f"{'NAME':<18} {'MACOS':<7} ARCH (Mach-O: LC_BUILD_VERSION minos, code signature, dylibs)")
    lines += [f"{r['name']:<18} {r['macos']:<7} {r['arches'][0]}" for r in data if r.get("os") == "darwin"]
    lines.append("")
    lines.append("host (the default) is this machine. Overrides: --target rhel-8,cpu=x86-64-v3 | glibc=2.31 | "
                 "kernel=4.18 | libc=musl | arch=arm64; --root DIR|TAR judges against an unpacked root.")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
