"""The database client against a real HTTP server on 127.0.0.1 and real mirror directories."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.vulndb import osv
from gomedic.vulndb.errors import CorruptEntry
from tests.support.vulnmirror import DATA, build_mirror, stored_ids
from tests.support.vulnserver import VulnServer
from tests.vulns.conftest import MODIFIED, Gomedic, cache_files, ids
from tests.vulns.programs import text_app

ENTRY = "/ID/GO-2021-0113.json"


def _run(gomedic: Gomedic, url: str, exe: Path, *extra: str) -> object:
    return gomedic("binary", "--vulns", "--vulndb", url, *extra, exe, "--format", "json")


def test_refresh_not_modified_and_change(gomedic: Gomedic, mirror: Path, home: Path, tmp_path: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    root = build_mirror(tmp_path / "served", modified=MODIFIED)
    with VulnServer(root, MODIFIED) as srv:
        first = _run(gomedic, srv.url, exe)
        r = first.result("binary.vulns", exe)
        assert r["status"] == "fail" and "GO-2021-0113" in ids(r["evidence"], "vulns"), first.stderr
        assert "refreshed" in r["evidence"]["database"] and f"modified {MODIFIED}" in r["evidence"]["database"]
        assert srv.hits["/index/modules.json"] == 1 and srv.hits[ENTRY] == 1
        assert any(p.name == "GO-2021-0113.json" for p in cache_files(home))

        second = _run(gomedic, srv.url, exe).result("binary.vulns", exe)
        assert "not-modified" in second["evidence"]["database"]
        assert srv.not_modified == 1  # If-Modified-Since answered 304
        assert srv.hits["/index/modules.json"] == 1 and srv.hits[ENTRY] == 1  # nothing else read again
        assert second["evidence"]["vulns"] == r["evidence"]["vulns"]

        newer = "2026-09-01T00:00:00Z"  # the database changes: a new index, entries re-read only if changed
        (root / "index" / "db.json").write_text(json.dumps({"modified": newer}))
        srv.last_modified = newer
        third = _run(gomedic, srv.url, exe).result("binary.vulns", exe)
        assert "refreshed" in third["evidence"]["database"] and newer in third["evidence"]["database"]
        assert srv.hits["/index/modules.json"] == 2 and srv.hits[ENTRY] == 1

    # the server is gone: --offline reads the cache and says how old it is
    off = _run(gomedic, srv.url, exe, "--offline")
    ro = off.result("binary.vulns", exe)
    assert off.returncode == 1
    assert "offline" in ro["evidence"]["database"] and "checked" in ro["evidence"]["database"]
    assert ro["evidence"]["vulns"] == r["evidence"]["vulns"]
    # without --offline, an unreachable source falls back to the cache and says so
    stale = _run(gomedic, srv.url, exe).result("binary.vulns", exe)
    assert "stale: source unreachable" in stale["evidence"]["database"]


def test_unreachable_without_cache_is_exit_3(gomedic: Gomedic, tmp_path: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    with VulnServer(tmp_path, MODIFIED) as srv:
        url = srv.url
    run = _run(gomedic, url, exe)
    assert run.returncode == 3
    assert "cannot be read" in run.stderr and "no cached copy" in run.stderr and url in run.stderr
    assert not run.stdout
    off = _run(gomedic, url, exe, "--offline")
    assert off.returncode == 3 and "no cached copy" in off.stderr


def test_not_a_database_is_exit_3(gomedic: Gomedic, tmp_path: Path) -> None:
    run = _run(gomedic, f"file://{tmp_path}", text_app("v0.3.6", go="1.22.10"))
    assert run.returncode == 3 and "not a Go vulnerability database" in run.stderr


def test_corrupt_entry_names_its_id(gomedic: Gomedic, tmp_path: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    root = build_mirror(tmp_path / "served", modified=MODIFIED)
    data = (root / "ID" / "GO-2021-0113.json").read_bytes()
    (root / "ID" / "GO-2021-0113.json").write_bytes(data[: len(data) // 2])
    with VulnServer(root, MODIFIED) as srv:
        run = _run(gomedic, srv.url, exe)
    assert run.returncode == 3
    assert "GO-2021-0113" in run.stderr and "not valid JSON" in run.stderr
    (root / "ID" / "GO-2021-0113.json").write_text(json.dumps({"id": "GO-2099-0001", "modified": MODIFIED}))
    run = _run(gomedic, f"file://{root}", exe)
    assert run.returncode == 3 and "GO-2021-0113" in run.stderr and "GO-2099-0001" in run.stderr


def test_source_must_be_a_url(gomedic: Gomedic) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    for bad in ("/srv/vulndb", "ftp://example.org/db", "https://user:tok@vuln.example/"):
        run = _run(gomedic, bad, exe)
        assert run.returncode == 2, (bad, run.stderr)
        assert "tok" not in run.stderr


def test_govulndb_environment_names_the_source(gomedic: Gomedic, mirror: Path) -> None:
    exe = text_app("v0.3.6", go="1.22.10")
    run = gomedic("binary", "--vulns", exe, "--format", "json", env={"GOVULNDB": f"file://{mirror}"})
    assert f"file://{mirror}" in run.result("binary.vulns", exe)["evidence"]["database"]


def test_every_stored_entry_parses() -> None:
    for eid in stored_ids():
        e = osv.parse((DATA / f"{eid}.json").read_bytes(), eid)
        assert e.id == eid and e.affected
    e = osv.parse((DATA / "GO-2022-1059.json").read_bytes(), "GO-2022-1059")
    assert e.cves == ("CVE-2022-32149",)
    assert e.affected[0].packages[0].symbols == ("MatchStrings", "ParseAcceptLanguage")


def test_legacy_module_file_holds_the_same_entries(legacy_mirror: Path) -> None:
    got = osv.parse_list((legacy_mirror / "golang.org" / "x" / "text.json").read_bytes(), "text.json")
    assert sorted(e.id for e in got) == ["GO-2020-0015", "GO-2021-0113", "GO-2022-1059", "GO-2026-5970"]


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda c: st.lists(c, max_size=4) | st.dictionaries(
                         st.sampled_from(["id", "affected", "package", "name", "ranges", "events", "introduced",
                                          "fixed", "ecosystem_specific", "imports", "path", "symbols", "aliases",
                                          "modified", "database_specific"]), c, max_size=5), max_leaves=30)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(_json)
def test_hostile_entries_only_raise_corrupt_entry(doc: object) -> None:
    try:
        osv.parse(json.dumps(doc).encode(), "GO-2000-0001")
    except CorruptEntry as e:
        assert "GO-2000-0001" in str(e)


@given(st.binary(max_size=200))
def test_garbage_bytes(data: bytes) -> None:
    try:
        osv.parse(data, "GO-2000-0002")
    except CorruptEntry as e:
        assert "GO-2000-0002" in str(e)


def test_mirror_fixture_is_real(mirror: Path) -> None:
    for p in (mirror / "ID").glob("GO-*.json"):
        assert p.read_bytes() == (DATA / p.name).read_bytes()


def test_database_options_need_vulns(gomedic: Gomedic, mirror: Path) -> None:
    run = gomedic("binary", "--vulndb", f"file://{mirror}", text_app("v0.3.6", go="1.22.10"))
    assert run.returncode == 2 and "--vulns" in run.stderr
