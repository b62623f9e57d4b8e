"""OSV entries of the Go vulnerability database, parsed into typed values.

The fields used (https://go.dev/security/vuln/database#schema): id, modified, withdrawn, aliases, summary,
affected[].package.name (a module path, or `stdlib` / `toolchain`), affected[].ranges[] of type SEMVER with
`introduced`/`fixed` events (versions without the `v`), affected[].ecosystem_specific.imports[] with path,
symbols, goos, goarch, and database_specific.url. Anything else is ignored; a field of the wrong type makes
the whole entry corrupt (CorruptEntry naming its id), never a guess.
"""

from __future__ import annotations

import json
from typing import Any

from gomedic.values import frozen
from gomedic.vulndb.errors import CorruptEntry

MAX_LIST = 100_000


@frozen
class Event:
    introduced: str = ""  # "0" = from the beginning
    fixed: str = ""


@frozen
class Range:
    type: str
    events: tuple[Event, ...]


@frozen
class Package:
    """A package of the module and the symbols in it that carry the vulnerability (empty: the whole package)."""

    path: str
    symbols: tuple[str, ...] = ()
    goos: tuple[str, ...] = ()
    goarch: tuple[str, ...] = ()


@frozen
class Affected:
    module: str
    ranges: tuple[Range, ...] = ()
    packages: tuple[Package, ...] = ()


@frozen
class Entry:
    id: str
    modified: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    withdrawn: str = ""
    affected: tuple[Affected, ...] = ()
    url: str = ""

    @property
    def cves(self) -> tuple[str, ...]:
        return tuple(a for a in self.aliases if a.startswith("CVE-"))


def _obj(v: Any, what: str, eid: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise CorruptEntry(f"vulnerability entry {eid}: {what} is not a JSON object")
    return v


def _list(v: Any, what: str, eid: str) -> list[Any]:
    if v is None:
        return []
    if not isinstance(v, list) or len(v) > MAX_LIST:
        raise CorruptEntry(f"vulnerability entry {eid}: {what} is not a list")
    return v


def _str(v: Any, what: str, eid: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        raise CorruptEntry(f"vulnerability entry {eid}: {what} is not a string")
    return v


def _strs(v: Any, what: str, eid: str) -> tuple[str, ...]:
    return tuple(_str(x, what, eid) for x in _list(v, what, eid))


def _range(r: Any, eid: str) -> Range:
    d = _obj(r, "a range", eid)
    events = []
    for e in _list(d.get("events"), "range events", eid):
        ev = _obj(e, "a range event", eid)
        events.append(Event(_str(ev.get("introduced"), "introduced", eid), _str(ev.get("fixed"), "fixed", eid)))
    return Range(_str(d.get("type"), "range type", eid), tuple(events))


def _package(i: Any, eid: str) -> Package:
    d = _obj(i, "an import", eid)
    return Package(_str(d.get("path"), "import path", eid), _strs(d.get("symbols"), "symbols", eid),
                   _strs(d.get("goos"), "goos", eid), _strs(d.get("goarch"), "goarch", eid))


def _affected(a: Any, eid: str) -> Affected:
    d = _obj(a, "an affected item", eid)
    pkg = _obj(d.get("package"), "affected.package", eid)
    eco = _obj(d.get("ecosystem_specific") or {}, "ecosystem_specific", eid)
    name = _str(pkg.get("name"), "package name", eid)
    if not name:
        raise CorruptEntry(f"vulnerability entry {eid}: an affected item names no module")
    return Affected(name, tuple(_range(r, eid) for r in _list(d.get("ranges"), "ranges", eid)),
                    tuple(_package(i, eid) for i in _list(eco.get("imports"), "imports", eid)))


def from_dict(d: Any, expect_id: str | None = None) -> Entry:
    """An Entry from decoded JSON; raises CorruptEntry naming the id (the expected one if the entry has none)."""
    eid = expect_id or "?"
    d = _obj(d, "the entry", eid)
    got = _str(d.get("id"), "id", eid)
    if not got or (expect_id is not None and got != expect_id):
        raise CorruptEntry(f"vulnerability entry {eid}: its id is {got or 'missing'!r}")
    eid = got
    spec = _obj(d.get("database_specific") or {}, "database_specific", eid)
    return Entry(eid, _str(d.get("modified"), "modified", eid), _str(d.get("summary"), "summary", eid),
                 _strs(d.get("aliases"), "aliases", eid), _str(d.get("withdrawn"), "withdrawn", eid),
                 tuple(_affected(a, eid) for a in _list(d.get("affected"), "affected", eid)),
                 _str(spec.get("url"), "database_specific.url", eid))


def parse(data: bytes, expect_id: str | None = None) -> Entry:
    """One entry (ID/<id>.json); raises CorruptEntry naming the id."""
    try:
        d = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise CorruptEntry(f"vulnerability entry {expect_id or '?'}: not valid JSON ({e})") from None
    return from_dict(d, expect_id)


def parse_list(data: bytes, what: str) -> list[Entry]:
    """An array of entries (the older layout's <module>.json)."""
    try:
        d = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise CorruptEntry(f"{what}: not valid JSON ({e})") from None
    if not isinstance(d, list):
        raise CorruptEntry(f"{what}: not a list of entries")
    out = []
    for x in d:
        eid = x.get("id") if isinstance(x, dict) and isinstance(x.get("id"), str) else None
        out.append(from_dict(x, eid))
    return out
