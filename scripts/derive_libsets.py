"""Derive a target profile's library set from the distribution's real package contents (maintainers only).

    python3 scripts/derive_libsets.py debian-12 [--write]

debian-12 is read on a Debian 12 machine: the packages of priority required or important in the apt
package lists (`apt-cache dumpavail`, amd64 and all), plus everything they depend on (Depends and
Pre-Depends, first installable alternative, virtual packages through Provides) is the set a minimal Debian
install has. Each package's file list comes from `dpkg -L` when that version is installed here, else from
the .deb itself (`apt-get download`, `dpkg-deb -c`). Every shared object name under the library
directories (lib*.so.N...) is the library set. With --write the set and its provenance (seed packages, the
closure, the method, the date) go into src/gomedic/targets/data/profiles.json.

Only distributions whose package lists this machine reads can be derived: the other profiles keep
hand-written sets, and the data file says so.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "gomedic" / "targets" / "data" / "profiles.json"
LIB_DIRS = re.compile(r"^/(usr/)?lib(64|32|x32)?(/(?P<trip>[a-z0-9_]+-linux-gnu[a-z0-9_]*))?/")
SONAME = re.compile(r"^(lib[^/]+\.so(\.[0-9]+)+|ld-linux[^/]*\.so\.[0-9]+)$")
PRIVATE = re.compile(r"^lib[^/]+\.so(\.[0-9]+)*$")  # in a private directory a DT_RUNPATH names
SUITES = {"debian-12": ("bookworm", "12")}


def run(argv: list[str], cwd: str | None = None) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True, cwd=cwd, timeout=600).stdout


def paragraphs(arch: str) -> dict[str, dict[str, str]]:
    """The newest paragraph per package name for this arch (and arch all)."""
    out: dict[str, dict[str, str]] = {}
    for para in run(["apt-cache", "dumpavail"]).split("\n\n"):
        d = dict(line.split(": ", 1) for line in para.splitlines() if ": " in line and not line.startswith(" "))
        if d.get("Architecture") in (arch, "all") and "Package" in d:
            out.setdefault(d["Package"], d)
    return out


def closure(pkgs: dict[str, dict[str, str]], seeds: list[str]) -> list[str]:
    provides: dict[str, str] = {}
    for name, d in pkgs.items():
        for p in d.get("Provides", "").split(","):
            provides.setdefault(p.split("(")[0].strip(), name)
    todo, seen = list(seeds), set(seeds)
    while todo:
        d = pkgs[todo.pop()]
        for field in ("Pre-Depends", "Depends"):
            for dep in filter(None, (x.strip() for x in d.get(field, "").split(","))):
                for alt in dep.split("|"):
                    name = alt.split("(")[0].strip().split(":")[0]
                    name = name if name in pkgs else provides.get(name, "")
                    if name:
                        if name not in seen:
                            seen.add(name)
                            todo.append(name)
                        break
    return sorted(seen)


def file_list(name: str, version: str, tmp: str) -> list[str]:
    st = subprocess.run(["dpkg-query", "-W", "-f=${Version} ${db:Status-Abbrev}", name], capture_output=True,
                        text=True)
    if st.returncode == 0 and st.stdout.split()[:2] == [version, "ii"]:
        return run(["dpkg", "-L", name]).splitlines()
    run(["apt-get", "-q", "download", f"{name}={version}"], cwd=tmp)
    deb = next(Path(tmp).glob(f"{name}_*.deb"))
    listing = run(["dpkg-deb", "-c", str(deb)]).splitlines()
    files = [line.split(None, 5)[-1].split(" -> ")[0].lstrip(".") for line in listing]
    deb.unlink()
    return files


def lib_names(path: str, package: str = "") -> list[str]:
    """`/lib/x86_64-linux-gnu/libz.so.1` -> libz.so.1; a library in a private subdirectory keeps its path
    with the multiarch triplet as `{multiarch}` (the profile holds it at that path for every arch)."""
    m = LIB_DIRS.match(path)
    if not m:
        return []
    rest = path[m.end():]
    if "/" not in rest:
        # libdb-5.3.so is a soname; a bare libfoo.so in a -dev package is only the linker's symlink
        ok = SONAME.match(rest) or (PRIVATE.match(rest) and not package.endswith("-dev"))
        return [rest] if ok else []
    if not PRIVATE.match(rest.rsplit("/", 1)[-1]):
        return []
    if m.group("trip"):
        return [path[: m.start("trip")] + "{multiarch}" + path[m.end("trip"):]]
    return [path]  # /usr/lib/man-db/libman-2.11.2.so: the same path on every arch


def seeds_of(pkgs: dict[str, dict[str, str]]) -> list[str]:
    """Required and important in the package lists, and as dpkg recorded them for what is installed here."""
    listed = {n for n, d in pkgs.items() if d.get("Priority") in ("required", "important")}
    for line in run(["dpkg-query", "-W", "-f=${Package} ${Priority}\n"]).splitlines():
        name, _, prio = line.partition(" ")
        if prio in ("required", "important") and name in pkgs:
            listed.add(name)
    return sorted(listed)


def derive(profile: str) -> tuple[list[str], dict[str, object]]:
    suite, release = SUITES[profile]
    here = Path("/etc/debian_version").read_text().strip()
    if here.split(".")[0] != release:
        raise SystemExit(f"{profile} is derived on a Debian {release} machine (this is {here})")
    arch = run(["dpkg", "--print-architecture"]).strip()
    pkgs = paragraphs(arch)
    seeds = seeds_of(pkgs)
    names = closure(pkgs, seeds)
    libs: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        for n in names:
            for path in file_list(n, pkgs[n]["Version"], tmp):
                libs.update(lib_names(path, n))
    prov = {
        "distribution": f"Debian {release} ({suite}), {arch}",
        "method": "shared objects (lib*.so.N) under the library directories (and lib*.so in private "
                  "subdirectories, as /usr/lib/{multiarch}/...) of the packages of priority required or important "
                  "(in the package lists, or as dpkg recorded them here) and everything they depend on "
                  "(Depends, Pre-Depends; first installable alternative); file lists from dpkg -L or the .deb "
                  "(apt-get download)",
        "command": f"python3 scripts/derive_libsets.py {profile} --write",
        "derived": datetime.date.today().isoformat(),
        "seed_packages": seeds,
        "packages": [f"{n}={pkgs[n]['Version']}" for n in names],
    }
    return sorted(libs), prov


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("profile", choices=sorted(SUITES))
    ap.add_argument("--write", action="store_true", help="update profiles.json")
    a = ap.parse_args()
    libs, prov = derive(a.profile)
    print(f"{a.profile}: {len(libs)} libraries from {len(prov['packages'])} packages "  # type: ignore[arg-type]
          f"({len(prov['seed_packages'])} required/important)", file=sys.stderr)  # type: ignore[arg-type]
    if not a.write:
        print(json.dumps(libs, indent=1))
        return
    doc = json.loads(DATA.read_text())
    doc["libsets"][a.profile] = libs
    doc.setdefault("libset_sources", {})[a.profile] = prov
    for p in doc["profiles"]:
        if p["name"] == a.profile:
            p["libs"] = a.profile
    DATA.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
