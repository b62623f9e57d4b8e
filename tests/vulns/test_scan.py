"""The symbol lookups of vulndb/scan.py against the straightforward ones they replace, on real function tables."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from gomedic.binfmt import gofuncs
from gomedic.vulndb.scan import Symbols, bracketed, generic_bases
from tests.vulns.conftest import Gomedic, ids
from tests.vulns.programs import text_app

_GENERIC = re.compile(rb"\x00([^\x00\[]*\[[^\x00]*)")  # what every name with type arguments was found by


def _tables() -> list[bytes]:
    from tests.support.gobuild import corpus

    out = [gofuncs.table(corpus(n)) for n in ("go1.22", "linux-amd64")]
    out.append(gofuncs.table(text_app("v0.3.6", go="1.22.10")))
    return [t for t in out if t is not None]


def test_bracketed_finds_what_the_regex_found() -> None:
    for table in [*_tables(), b"a[x]\0b\0c[y", b"plain\0names", b"[\0]\0x[[y]]"]:
        assert bracketed(table) == _GENERIC.findall(b"\0" + table)


def test_present_answers_as_a_set_of_every_name() -> None:
    for table in _tables():
        names = table.split(b"\0")
        generic = generic_bases(b"\0".join(_GENERIC.findall(b"\0" + table)))
        wanted = {*names[::50], *sorted(generic)[::3], b"net/http.(*Server).Serve", b"no/such.Func"}
        syms = Symbols(lambda t=table: t)
        assert syms.present(wanted) == {w for w in wanted if w in set(names) or w in generic}
        assert syms.generic == generic


def test_package_of_the_first_name_is_found() -> None:
    """The table has no NUL before its first name: that name's package still counts."""
    syms = Symbols(lambda: b"golang.org/x/text/language.Parse\0main.main")
    assert syms.has_package("golang.org/x/text/language") and syms.has_package("main")
    assert not syms.has_package("golang.org/x/text")


def test_hard_links_judged_alike_and_kept(gomedic: Gomedic, mirror: Path, tmp_path: Path) -> None:
    """Names of one file (scanned once per run) get the same findings, again from scans.json next run."""
    app = tmp_path / "app"
    shutil.copy(text_app("v0.3.6", go="1.22.10"), app)
    os.link(app, tmp_path / "link")
    runs = [gomedic("binary", "--vulns", "--vulndb", f"file://{mirror}", str(app), str(tmp_path / "link"),
                    "--format", "json") for _ in range(2)]
    for run in runs:
        a, b = run.result("binary.vulns", app), run.result("binary.vulns", tmp_path / "link")
        assert a["status"] == b["status"] == "fail"
        assert ids(a["evidence"], "vulns") == ids(b["evidence"], "vulns") == {"GO-2021-0113"}
        assert ids(a["evidence"], "not_reachable") == ids(b["evidence"], "not_reachable")
    assert runs[0].result("binary.vulns", app)["evidence"]["GO-2021-0113"] == \
        runs[1].result("binary.vulns", tmp_path / "link")["evidence"]["GO-2021-0113"]
