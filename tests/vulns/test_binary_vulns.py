"""binary.vulns on real binaries built in the tests (vendor mode) and on Debian's packaged Go programs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.vulns.conftest import Gomedic, ids
from tests.vulns.programs import net_app, plain_app, text_app

NODE_EXPORTER = Path("/usr/bin/prometheus-node-exporter")


def _vulns(gomedic: Gomedic, mirror: Path, *bins: Path, extra: tuple[str, ...] = ()) -> object:
    return gomedic("binary", "--vulns", "--vulndb", f"file://{mirror}", *extra, *bins, "--format", "json")


def test_vulnerable_symbol_present_fails_naming_it(gomedic: Gomedic, mirror: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    run = _vulns(gomedic, mirror, exe)
    r = run.result("binary.vulns", exe)
    assert run.returncode == 1, run.stderr
    assert r["status"] == "fail"
    ev = r["evidence"]
    assert ids(ev, "vulns") == {"GO-2021-0113"}  # language.Parse is linked in
    assert "golang.org/x/text/language.Parse" in ev["GO-2021-0113"]
    assert "CVE-2021-38561" in ev["GO-2021-0113"] and "GHSA-ppp9-7jff-5vj2" in ev["GO-2021-0113"]
    # GO-2022-1059 lists only MatchStrings/ParseAcceptLanguage: affected version, symbols absent
    assert {"GO-2022-1059", "GO-2026-5970"} <= ids(ev, "not_reachable")
    assert "GO-2020-0015" not in ids(ev, "not_reachable") | ids(ev, "vulns")  # fixed in 0.3.3 < 0.3.6
    assert "go get golang.org/x/text@v0.3.7" in r["fix"]
    assert "GO-2021-0113 (CVE-2021-38561)" in r["summary"]


def test_stripped_binary_still_symbol_level(gomedic: Gomedic, mirror: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10", flags=("-ldflags=-s -w",))
    r = _vulns(gomedic, mirror, exe).result("binary.vulns", exe)
    assert ids(r["evidence"], "vulns") == {"GO-2021-0113"}


def test_fixed_version_is_ok_with_unreachable_listed(gomedic: Gomedic, mirror: Path) -> None:
    exe = text_app("v0.3.8", go="1.27.3")
    run = _vulns(gomedic, mirror, exe)
    r = run.result("binary.vulns", exe)
    assert r["status"] == "ok", r
    assert ids(r["evidence"], "not_reachable") == {"GO-2026-5970"}  # unicode/norm is not in the binary
    assert r["evidence"]["vulns_count"] == "0"
    assert "GO-2021-0113" not in r["evidence"]


def test_replacement_is_what_is_matched(gomedic: Gomedic, mirror: Path) -> None:
    """dep golang.org/x/text v0.3.8 => golang.org/x/text v0.3.5: the code in the binary is v0.3.5."""
    exe = text_app("v0.3.8", go="1.27.3", replace_to="v0.3.5")
    r = _vulns(gomedic, mirror, exe).result("binary.vulns", exe)
    assert r["status"] == "fail"
    assert ids(r["evidence"], "vulns") == {"GO-2021-0113"}
    assert "=> golang.org/x/text v0.3.5" in r["evidence"]["GO-2021-0113"]
    assert "replace directive" in r["fix"]


def test_pseudo_versions_and_methods(gomedic: Gomedic, mirror: Path) -> None:
    old = net_app("v0.0.0-20210405180319-a5a99cb37ef4")
    newer = net_app("v0.0.0-20220906165146-f3363e06e74c")  # the fix of GO-2022-0969, before v0.4.0
    run = _vulns(gomedic, mirror, old, newer)
    a = run.result("binary.vulns", old)["evidence"]
    b = run.result("binary.vulns", newer)["evidence"]
    assert {"GO-2022-0236", "GO-2022-0288", "GO-2022-0969", "GO-2022-1144"} <= ids(a, "vulns")
    assert "golang.org/x/net/http2.Server.ServeConn" in a["GO-2022-1144"]  # method (*Server).ServeConn
    assert not {"GO-2022-0236", "GO-2022-0288", "GO-2022-0969"} & ids(b, "vulns")
    assert "GO-2022-1144" in ids(b, "vulns")  # fixed only in v0.4.0
    assert "GO-2021-0238" in ids(a, "not_reachable")  # x/net/html is not linked in


def test_go_release_advisories_on_debian_binary(gomedic: Gomedic, mirror: Path) -> None:
    """prometheus-node-exporter from Debian 12: Go 1.19.8, stripped (pclntab only)."""
    if not NODE_EXPORTER.exists():
        pytest.skip("prometheus-node-exporter (.ci/apt-packages.txt) is not installed")
    r = _vulns(gomedic, mirror, NODE_EXPORTER).result("binary.vulns", NODE_EXPORTER)
    ev = r["evidence"]
    assert r["status"] == "fail"
    assert "GO-2023-2382" in ids(ev, "vulns")  # net/http chunked encoding, fixed in go1.20.12/go1.21.5
    assert "go1.19.8 (fixed in v1.20.12)" in ev["GO-2023-2382"]
    assert "upgrade Go to go1." in r["fix"]


def test_recursive_scan_and_root(gomedic: Gomedic, mirror: Path, tmp_path: Path) -> None:
    d = tmp_path / "bin"
    d.mkdir()
    shutil.copy(text_app("v0.3.6", go="1.22.10"), d / "old")
    shutil.copy(plain_app("1.27.3"), d / "new")
    (d / "notes.txt").write_text("not a binary")
    root = tmp_path / "root"
    root.mkdir()
    run = _vulns(gomedic, mirror, d, extra=("-r", "--root", str(root)))
    assert run.result("binary.vulns", d / "old")["status"] == "fail"
    new = run.result("binary.vulns", d / "new")
    assert new["status"] == "ok" and new["evidence"]["not_reachable"] == "none"


def test_without_vulns_flag_no_result(gomedic: Gomedic) -> None:
    exe = plain_app("1.27.3")
    run = gomedic("binary", exe, "--format", "json")
    assert "binary.vulns" not in {r["id"] for r in run.report["results"]}


def test_legacy_layout_gives_the_same_findings(gomedic: Gomedic, mirror: Path, legacy_mirror: Path) -> None:
    exes = [text_app("v0.3.6", go="1.22.10"), net_app("v0.0.0-20210405180319-a5a99cb37ef4")]
    a = _vulns(gomedic, mirror, *exes)
    b = _vulns(gomedic, legacy_mirror, *exes)
    for exe in exes:
        ra, rb = a.result("binary.vulns", exe), b.result("binary.vulns", exe)
        assert "v1 layout" in ra["evidence"]["database"] and "legacy layout" in rb["evidence"]["database"]
        for key in ("vulns", "not_reachable"):
            assert ids(ra["evidence"], key) == ids(rb["evidence"], key)


def test_kept_findings_follow_the_file(gomedic: Gomedic, mirror: Path, tmp_path: Path, home: Path) -> None:
    """Findings kept between runs (scans.json) are reused only for the very same file and database."""
    from tests.vulns.conftest import cache_files

    app = tmp_path / "app"
    shutil.copy(text_app("v0.3.6", go="1.22.10"), app)
    assert _vulns(gomedic, mirror, app).result("binary.vulns", app)["status"] == "fail"
    assert any(p.name == "scans.json" for p in cache_files(home))
    assert _vulns(gomedic, mirror, app).result("binary.vulns", app)["status"] == "fail"  # reused
    shutil.copy(text_app("v0.3.8", go="1.27.3"), tmp_path / "new")
    (tmp_path / "new").replace(app)  # a deploy: same path, new file
    r = _vulns(gomedic, mirror, app).result("binary.vulns", app)
    assert r["status"] == "ok" and ids(r["evidence"], "not_reachable") == {"GO-2026-5970"}


def test_corpus_go_releases(gomedic: Gomedic, mirror: Path) -> None:
    """The differential corpus (tests/support/gobuild.py): a result for every binary of every platform;
    stdlib advisories follow the Go release (go1.22.10 has many, go1.27.3 none in the stored data)."""
    from tests.support.gobuild import CORPUS, corpus

    exes = {n: corpus(n) for n in CORPUS if n in ("go1.22", "go1.25", "linux-arm64", "windows-amd64", "darwin-arm64")}
    run = _vulns(gomedic, mirror, *exes.values())
    res = {n: run.result("binary.vulns", p) for n, p in exes.items()}
    assert all(r["status"] in ("ok", "fail") for r in res.values()), res
    old = ids(res["go1.22"]["evidence"], "vulns") | ids(res["go1.22"]["evidence"], "not_reachable")
    assert "GO-2025-3373" in old  # crypto/x509, fixed in go1.22.11
    newest = res["linux-arm64"]["evidence"]
    assert newest["vulns"] == "none" and newest["not_reachable"] == "none"


def test_debian_cgo_binary_without_gopclntab_section(gomedic: Gomedic, mirror: Path) -> None:
    """Debian's age: cgo, linked externally and stripped, so the pclntab has no section of its own; gomedic
    finds it in .rodata and still judges symbol by symbol (Debian builds in GOPATH mode: no module lines)."""
    from tests.support.debgo import Unavailable, debian_age

    try:
        age = debian_age()
    except Unavailable as e:
        pytest.skip(str(e))
    r = _vulns(gomedic, mirror, age).result("binary.vulns", age)
    ev = r["evidence"]
    assert r["status"] == "fail"
    assert "crypto/x509.ParsePKCS1PrivateKey" in ev["GO-2025-3373"]  # age parses keys
    assert "GO-2023-1751" in ids(ev, "not_reachable")  # html/template is not linked into age
    assert "symbols not known" not in " ".join(ev.values())


def test_function_tables_of_the_corpus() -> None:
    """Every ELF member of the differential corpus has a readable function table with main.main in it."""
    from gomedic.binfmt import gofuncs
    from tests.support.gobuild import CORPUS, corpus

    for name in CORPUS:
        if name.startswith(("windows", "darwin")):
            continue
        table = gofuncs.table(corpus(name))
        assert table is not None and b"\0main.main\0" in b"\0" + table + b"\0", name
