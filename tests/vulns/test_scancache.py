"""scans.json: the findings of binaries built alike are listed once ("founds"), and only those a kept row names;
an advisory's symbols once for all platforms ("lists")."""

from __future__ import annotations

import json
from pathlib import Path

from gomedic.vulndb.cache import Cache
from gomedic.vulndb.osv import Entry
from gomedic.vulndb.scan import Hit, Mod, Reach
from gomedic.vulndb.scancache import FILE, ScanCache

PLATFORM = ("linux", "amd64")
MOD = Mod("stdlib", "v1.22.10", "go1.22.10")
A, B = Entry("GO-2025-0001", "2025-01-01T00:00:00Z", "a"), Entry("GO-2025-0002", "2025-01-01T00:00:00Z", "b")


def _hits(found: tuple[str, ...]) -> tuple[Hit, ...]:
    return (Hit(A, MOD, "v1.22.11", ("net/http.Get", "net/http.Post"), found, Reach.FOUND if found else Reach.ABSENT),
            Hit(B, MOD, None, (), (), Reach.UNKNOWN))


def _doc(cache: Cache) -> dict[str, object]:
    raw = cache.read(FILE)
    assert raw is not None
    return json.loads(raw)  # type: ignore[no-any-return]


def test_findings_alike_are_listed_once_and_dropped_when_unnamed(tmp_path: Path) -> None:
    cache = Cache(str(tmp_path / "cache"), "file:///db")
    bins = [tmp_path / n for n in ("one", "two", "three")]
    for i, b in enumerate(bins):
        b.write_bytes(b"x" * (i + 1))  # distinct files, so none is taken for another's hard link
    saved = ScanCache(cache, "k")
    for b in bins:
        saved.put(str(b), PLATFORM, _hits(("net/http.Get",)) if b.name != "three" else _hits(()))
    saved.save()
    doc = _doc(cache)
    assert len(doc["founds"]) == 2 and len(doc["lists"]) == 2  # type: ignore[arg-type]

    again = ScanCache(cache, "k")
    assert [again.get(str(b), PLATFORM) for b in bins] == [_hits(("net/http.Get",))] * 2 + [_hits(())]
    again.put(str(bins[0]), PLATFORM, _hits(("net/http.Post",)))  # scanned again: its old findings
    again.put(str(bins[1]), PLATFORM, _hits(("net/http.Post",)))  # are named by no row any more
    again.save()
    doc = _doc(cache)
    assert len(doc["founds"]) == 2 and len(doc["lists"]) == 2  # type: ignore[arg-type]
    third = ScanCache(cache, "k")
    assert [third.get(str(b), PLATFORM) for b in bins] == [_hits(("net/http.Post",))] * 2 + [_hits(())]


def test_a_row_naming_no_findings_is_scanned_again(tmp_path: Path) -> None:
    cache = Cache(str(tmp_path / "cache"), "file:///db")
    b = tmp_path / "one"
    b.write_bytes(b"x")
    saved = ScanCache(cache, "k")
    saved.put(str(b), PLATFORM, _hits(("net/http.Get",)))
    saved.save()
    doc = _doc(cache)
    doc["paths"][str(b)]["found"] = 7  # type: ignore[index]
    cache.write(FILE, json.dumps(doc).encode())
    assert ScanCache(cache, "k").get(str(b), PLATFORM) is None
