"""binary.vulns in-process: a real Database opened on a file:// mirror of the stored entries (tests/vulns/data),
BINARIES seeded with inspections of the vulns test programs, and VULN_HITS seeded with what gomedic's
matcher finds in them (the fact's own computation, without its on-disk scan cache). The end-to-end runs
of `gomedic binary --vulns` are in tests/vulns/."""

from __future__ import annotations

import datetime
from functools import partial
from pathlib import Path

import pytest

from gomedic.binfmt import gofuncs
from gomedic.binfmt.inspect import Inspection, inspect
from gomedic.checks.binary import BINARIES
from gomedic.checks.binary_vulns import vulns
from gomedic.facts import Facts
from gomedic.facts.vulnhits import VULN_HITS
from gomedic.model import Status
from gomedic.vulndb.db import Database, open_db
from gomedic.vulndb.ignore import Ignore
from gomedic.vulndb.scan import Hit, Matcher, Symbols, scan
from tests.support.seeded import all_of, facts, one
from tests.support.vulnmirror import build_mirror
from tests.vulns.programs import text_app

TODAY = datetime.date(2026, 9, 1)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    root = build_mirror(tmp_path_factory.mktemp("vulndb"), modified="2026-08-21T20:00:00Z")
    home = tmp_path_factory.mktemp("home")
    return open_db(f"file://{root}", {"HOME": str(home)})


def hits(db: Database, ins: Inspection) -> tuple[Hit, ...]:
    assert ins.buildinfo is not None
    syms = Symbols(partial(gofuncs.table, ins.path), ins.buildinfo.path)
    return tuple(scan(ins.buildinfo, ins.goos or "linux", ins.goarch or "amd64", db.entries, syms, Matcher()))


def seeded(db: Database, *bins: Inspection, ignore: tuple[Ignore, ...] = ()) -> Facts:
    f = facts({}, vulndb=db, vuln_ignore=ignore, today=TODAY)
    f.seed(BINARIES, bins)
    f.seed(VULN_HITS, {b.path: hits(db, b) for b in bins if b.buildinfo is not None})
    return f


def test_a_linked_vulnerable_symbol_fails_naming_advisory_and_fix(db: Database) -> None:
    ins = inspect(str(text_app("v0.3.6", go="1.22.10")))
    r = one(vulns(seeded(db, ins)))
    assert r.status is Status.FAIL and r.subject == ins.path
    assert "GO-2021-0113 (CVE-2021-38561)" in r.summary
    assert "golang.org/x/text/language.Parse" in r.evidence["GO-2021-0113"]
    assert "GO-2022-1059" in r.evidence["not_reachable"]
    assert r.fix is not None and "go get golang.org/x/text@v0.3.7" in r.fix
    assert r.evidence["database"] == db.describe()


def test_fixed_version_is_ok_and_lists_what_is_not_reachable(db: Database) -> None:
    ins = inspect(str(text_app("v0.3.8", go="1.27.3")))
    r = one(vulns(seeded(db, ins)))
    assert r.status is Status.OK and r.evidence["vulns_count"] == "0"
    assert r.summary.startswith(f"{ins.path}: no known vulnerability reaches code in the binary")
    assert r.evidence["not_reachable"] == "GO-2026-5970"


def test_an_ignore_accepts_until_its_date_then_fails(db: Database) -> None:
    ins = inspect(str(text_app("v0.3.6", go="1.22.10")))
    live = Ignore("CVE-2021-38561", datetime.date(2026, 12, 31), "not reachable from input")
    r = one(vulns(seeded(db, ins, ignore=(live,))))
    assert r.status is Status.OK and "1 accepted by ignore rules" in r.summary
    assert r.evidence["ignored"] == "CVE-2021-38561 (until 2026-12-31: not reachable from input)"
    old = Ignore("GO-2021-0113", datetime.date(2026, 1, 31), "upgrade planned")
    r = one(vulns(seeded(db, ins, ignore=(old,))))
    assert r.status is Status.FAIL and "ignore rules expired: GO-2021-0113 (until 2026-01-31" in r.summary


def test_without_a_database_or_build_info_it_skips(db: Database, tmp_path: Path) -> None:
    f = facts({})
    f.seed(BINARIES, (inspect(str(text_app("v0.3.8", go="1.27.3"))),))
    assert one(vulns(f)).summary == "vulnerability check not requested (pass --vulns)"
    script = tmp_path / "tool"
    script.write_text("#!/bin/sh\n")
    r = all_of(vulns(seeded(db, inspect(str(script)))))
    assert [x.status for x in r] == [Status.SKIP] and "not a Go binary with build info" in r[0].summary
