"""`vulns: true` in a YAML `binary` check: binary.vulns' judgement for each binary the check names."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

from gomedic.finding import Finding
from gomedic.vulndb.ignore import Ignore

_ID = re.compile(r"^(GO-\d{4}-\d{4,}|CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3})$")
Problem = tuple[tuple[str | int, ...], str]


def vuln_problems(vulns: bool, vulndb: str, ignores: Sequence[tuple[str, datetime.date | None]]) -> list[Problem]:
    out: list[Problem] = []
    if (vulndb or ignores) and not vulns:
        out.append((("vulns",), "vulndb: and ignore: apply only with vulns: true"))
    if vulndb:
        from gomedic.errors import UsageError
        from gomedic.vulndb.source import open_source

        try:
            open_source(vulndb)
        except UsageError as e:
            out.append((("vulndb",), str(e)))
    for i, (vid, _until) in enumerate(ignores):
        if not _ID.match(vid):
            out.append((("ignore", i, "id"), f"{vid!r} is not an advisory id (GO-2022-1059, CVE-..., GHSA-...)"))
    return out


def vuln_findings(infos: Sequence[Any], vulndb: str, offline: bool,
                  ignores: Sequence[tuple[str, datetime.date | None, str]], facts: Any) -> list[Finding]:
    """One finding per Go binary; raises VulnDBError when the database cannot be read (an error result)."""
    from gomedic.binfmt import gofuncs
    from gomedic.checks.binary_vulns import judge
    from gomedic.vulndb.db import open_db
    from gomedic.vulndb.scan import Matcher, Symbols, paused_gc, scan
    from gomedic.vulndb.source import configured

    env = facts.env if getattr(facts, "env", None) is not None else os.environ
    db = open_db(configured(vulndb or None, env), env, offline=offline)
    igs = tuple(Ignore(i, u, r) for i, u, r in ignores)
    today = datetime.date.today()
    matcher = Matcher()
    out = []
    with paused_gc():
        for ins in infos:
            if ins.buildinfo is None:
                continue
            hits = tuple(scan(ins.buildinfo, ins.goos or "linux", ins.goarch or "amd64", db.entries,
                              Symbols(partial(gofuncs.table, ins.path), ins.buildinfo.path), matcher))
            f = judge(ins, hits, igs, today, db.describe())
            out.append(Finding(f.status, f.summary, f.evidence, f.fix, ins.path, f.file, f.line))
    return out
