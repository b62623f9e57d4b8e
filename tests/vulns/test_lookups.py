"""The cold-scan paths of vulndb/scan.py and vulndb/lookups.py against the straightforward ones, on real binaries:
the regex pass over the wanted packages (Symbols.present with prefixes) and the lookups done ahead in a
forked worker (look_up_new) must find exactly what a split of the whole table and a scan of each binary find."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest

from gomedic.binfmt import gofuncs
from gomedic.binfmt.inspect import inspect
from gomedic.vulndb import lookups
from gomedic.vulndb.db import Database, open_db
from gomedic.vulndb.scan import Matcher, Symbols, _pkg_sym, bracketed, forms, generic_bases, scan
from tests.support.vulnmirror import build_mirror
from tests.vulns.programs import net_app, text_app


def _binaries() -> list[Path]:
    from tests.support.gobuild import corpus

    return [corpus("go1.22"), corpus("linux-amd64"), text_app("v0.3.6", go="1.22.10"),
            net_app("v0.0.0-20210405180319-a5a99cb37ef4")]


def _split(name: str) -> tuple[str, str] | None:
    """pkg.Symbol -> (pkg, Symbol), the package ending at the first dot after its last slash."""
    dot = name.find(".", name.rfind("/") + 1)
    return (name[:dot], name[dot + 1:]) if dot > 0 and not name.startswith(("go:", "type:")) else None


def test_the_regex_pass_finds_what_the_whole_table_holds() -> None:
    generic_only = 0  # found only as the base of an instantiation: the test must exercise that path
    for path in _binaries():
        table = gofuncs.table(path)
        assert table is not None
        plain = [n.decode() for n in table.split(b"\0") if b"[" not in n and b"(" not in n]
        bases = [b.decode() for b in generic_bases(b"\0".join(bracketed(table))) if b]
        pairs = {p for n in [*plain[::9], *bases] if (p := _split(n)) is not None}
        pairs |= {("net/http", "Server.Serve"), ("no/such", "Func"), ("golang.org/x/text/language", "Parse")}
        wanted = frozenset(f for pkg, sym in pairs for f in forms(pkg, sym))
        prefixes = frozenset(_pkg_sym(pkg).encode() for pkg, _ in pairs)
        packages = sorted({"runtime", "cmd/go", "no/such", "net/http", *(pkg for pkg, _ in sorted(pairs)[::5])})
        fast, slow = Symbols(lambda t=table: t), Symbols(lambda t=table: t)
        held = fast.present(wanted, prefixes, packages)
        assert held == slow.present(wanted), path
        assert {p: fast.has_package(p) for p in packages} == {p: slow.has_package(p) for p in packages}, path
        generic_only += len(held - set(table.split(b"\0")))
    assert generic_only > 0


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    root = build_mirror(tmp_path_factory.mktemp("vulndb"), modified="2026-08-21T20:00:00Z")
    return open_db(f"file://{root}", {"HOME": str(tmp_path_factory.mktemp("home"))})


def test_lookups_in_a_worker_give_the_scans_findings(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the threshold at one binary and two CPUs taken as idle, look_up_new forks; every binary's findings
    from its answers equal a scan that reads the table itself."""
    monkeypatch.setattr(lookups, "PARALLEL_MIN", 1)
    monkeypatch.setattr(lookups, "idle_cpus", lambda: 2)
    monkeypatch.setattr("gomedic.binfmt.scan.idle_cpus", lambda: 2)  # fork_map's own count
    bins = [inspect(p) for p in _binaries()]
    pending = [(ins, (ins.goos or "linux", ins.goarch or "amd64")) for ins in bins if ins.buildinfo is not None]
    matcher = Matcher()
    parent = os.getpid()
    looked = lookups.look_up_new(pending, matcher, db.entries)
    assert os.getpid() == parent and set(looked) == {ins.path for ins, _ in pending}
    for ins, platform in pending:
        assert ins.buildinfo is not None
        direct = scan(ins.buildinfo, *platform, db.entries,
                      Symbols(partial(gofuncs.table, ins.path), ins.buildinfo.path), Matcher())
        assert scan(ins.buildinfo, *platform, db.entries, looked[ins.path], matcher) == direct, ins.path
