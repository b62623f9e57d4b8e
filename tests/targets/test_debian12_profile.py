"""--target debian-12 is true to Debian 12 (issue 13.7): its library set comes from the distribution's own
packages, so Debian 12's own programs pass binary.libs against it, and a library outside it still fails.

Read on this machine (Debian 12): every ELF in /usr/bin and /usr/sbin that a package of priority required or
important ships (dpkg-query, dpkg -L; /bin and /sbin are /usr/bin and /usr/sbin on merged-/usr Debian).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gomedic.binfmt.inspect import inspect
from gomedic.targets.profiles import profiles

SRC = str(Path(__file__).resolve().parents[2] / "src")
DATA = Path(SRC) / "gomedic" / "targets" / "data" / "profiles.json"


def _debian12() -> bool:
    try:
        return Path("/etc/debian_version").read_text().split(".")[0] == "12"
    except OSError:
        return False


pytestmark = [pytest.mark.slow, pytest.mark.skipif(not _debian12(), reason="reads a Debian 12 machine's packages")]


def _run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=300).stdout


def required_important_elves() -> dict[str, str]:
    """/usr/bin and /usr/sbin ELF files shipped by packages of priority required or important -> package."""
    pkgs = [line.split()[0] for line in _run("dpkg-query", "-W", "-f=${Package} ${Priority} ${db:Status-Abbrev}\n")
            .splitlines() if line.split()[1:3] in (["required", "ii"], ["important", "ii"])]
    out: dict[str, str] = {}
    for pkg in pkgs:
        for path in _run("dpkg", "-L", pkg).splitlines():
            for old, new in (("/bin/", "/usr/bin/"), ("/sbin/", "/usr/sbin/")):
                if path.startswith(old):
                    path = new + path[len(old):]
            p = Path(path)
            if path.startswith(("/usr/bin/", "/usr/sbin/")) and p.is_file() and not p.is_symlink():
                with open(p, "rb") as f:
                    if f.read(4) == b"\x7fELF":
                        out[path] = pkg
    return out


def libs_results(paths: list[str], target: str) -> dict[str, dict[str, object]]:
    env = {**os.environ, "PYTHONPATH": SRC}
    p = subprocess.run([sys.executable, "-m", "gomedic", "binary", "--format", "json", "--target", target, *paths],
                       env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode in (0, 1), p.stderr
    return {r["subject"]: r for r in json.loads(p.stdout)["results"] if r["id"] == "binary.libs"}


def test_debian12_own_programs_find_their_libraries_in_the_profile() -> None:
    elves = required_important_elves()
    assert len(elves) >= 100 and "/usr/bin/ls" in elves, sorted(elves)[:10]
    results = libs_results(sorted(elves), "debian-12")
    assert set(results) == set(elves)
    failing = {p: (elves[p], r["summary"]) for p, r in results.items() if r["status"] == "fail"}
    assert not failing, failing
    assert results["/usr/bin/ls"]["status"] == "ok" and "libselinux.so.1" in str(results["/usr/bin/ls"]["summary"])


def test_a_library_outside_debian12_base_still_fails() -> None:
    """A program from an optional package whose library no required/important package brings in."""
    libs = set(profiles()["debian-12"].libs)
    for cand in ("/usr/sbin/sshd", "/usr/bin/python3", "/usr/bin/zsh", "/usr/bin/fish", "/usr/bin/git"):
        ins = inspect(cand)
        if ins.elf is not None and (outside := [n for n in ins.elf.dynamic.needed if n not in libs]):
            break
    else:
        pytest.skip("no program outside Debian 12's base with a library outside it is installed")
    r = libs_results([cand], "debian-12")[cand]
    assert r["status"] == "fail" and outside[0] in str(r["summary"]), r


def test_the_data_file_says_where_each_set_comes_from() -> None:
    doc = json.loads(DATA.read_text())
    src = doc["libset_sources"]["debian-12"]
    assert "required or important" in src["method"] and src["command"].startswith("python3 scripts/derive_libsets.py")
    pkgs = {p.split("=")[0] for p in src["packages"]}
    assert {"libc6", "libselinux1", "coreutils", "libseccomp2"} <= pkgs
    installed = {line.split()[0] for line in _run("dpkg-query", "-W", "-f=${Package} ${Priority}\n").splitlines()
                 if line.split()[1:] in (["required"], ["important"])}
    assert installed <= set(src["seed_packages"]), installed - set(src["seed_packages"])
    for p in doc["profiles"]:
        assert p["libs_from"] and p["libs"] in doc["libset_sources"], p["name"]


def test_debian12_go_packages_from_the_registry_corpus_pass_libs() -> None:
    """runc (libseccomp.so.2) and the other Debian 12 Go packages of the corpus, fetched with apt-get download."""
    from tests.support.corpus import ensure

    m = ensure()
    exes = sorted({str(e.path) for e in m.executables if e.source.endswith("_amd64") and e.path.parts[-2] in
                   ("bin", "sbin")})
    runc = [p for p in exes if p.endswith("/usr/sbin/runc")]
    if not runc:
        pytest.skip(f"runc could not be fetched: {m.failed.get('runc_amd64')}")
    assert "libseccomp.so.2" in inspect(runc[0]).elf.dynamic.needed  # type: ignore[union-attr]
    results = libs_results(exes, "debian-12")
    assert {p: r["summary"] for p, r in results.items() if r["status"] != "ok"} == {}
    assert len(results) >= 20
