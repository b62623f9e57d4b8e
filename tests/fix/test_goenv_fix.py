"""`gomedic fix` on a real GOENV file with an invalid entry, a shadowed entry and a persistent GOOS."""

from __future__ import annotations

import os
from pathlib import Path

from tests.fix.conftest import plan_for, plans, settle, snapshot
from tests.support.goenv import GoEnv

BROKEN = "GOPROXY=off\nGOFOO=bar\nGOOS=windows\nGOFLAGS=-mod=mod\nGOPATH=relative/dir\n"


def _broken(goenv: GoEnv) -> Path:
    settle(goenv)
    p = goenv.write_goenv(BROKEN)
    os.chmod(p, 0o600)
    goenv.env["GOFLAGS"] = "-trimpath"  # shadows the file's GOFLAGS
    return p


def test_dry_run_changes_nothing(goenv: GoEnv) -> None:
    _broken(goenv)
    before = snapshot(goenv.root)
    run = goenv.gomedic("fix", "--format", "json")
    assert run.returncode == 1, run.stderr
    assert snapshot(goenv.root) == before
    by_check = {p["check"]: p for p in plans(run)}
    assert {"goenv.file", "goenv.shadowed", "toolchain.host-target"} <= set(by_check)
    assert all(p["state"] == "planned" for p in by_check.values() if p["actions"])
    bad = [p for p in plans(run) if p["check"] == "goenv.file"]
    assert {p["subject"].rsplit(":", 1)[1] for p in bad} == {"2", "5"}  # GOFOO and GOPATH
    assert "GOFOO=bar" in bad[0]["actions"][0]["change"] or "GOFOO=bar" in bad[1]["actions"][0]["change"]
    text = goenv.gomedic("fix")
    assert "dry run: nothing is changed" in text.stdout and "apply with: gomedic fix --yes" in text.stdout
    assert snapshot(goenv.root) == before


def test_apply_recheck_idempotent_and_restorable(goenv: GoEnv) -> None:
    envfile = _broken(goenv)
    original = envfile.read_bytes()
    run = goenv.gomedic("fix", "--yes", "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    for p in plans(run):
        if p["check"] in ("goenv.file", "goenv.shadowed", "toolchain.host-target"):
            assert p["state"] in ("applied", "nothing"), p
            assert p["status_after"] == "ok", p
    assert envfile.read_text() == "GOPROXY=off\n"
    assert os.stat(envfile).st_mode & 0o777 == 0o600  # the mode is kept
    backups = sorted(envfile.parent.glob("env.gomedic-*.bak"))
    assert len(backups) == 1 and backups[0].read_bytes() == original  # one backup per file per run
    # go itself agrees
    assert goenv.go("env", "GOOS").stdout.strip() == "linux"
    # a second run changes nothing at all
    before = snapshot(goenv.root)
    again = goenv.gomedic("fix", "--yes", "--format", "json")
    assert again.returncode == 0
    assert [p for p in plans(again) if p["actions"]] == []
    assert snapshot(goenv.root) == before
    # the backup restores the original
    os.replace(backups[0], envfile)
    assert envfile.read_bytes() == original
    assert plan_for(goenv.gomedic("fix", "--format", "json"), "goenv.file")["state"] == "planned"


def test_only_named_ids(goenv: GoEnv) -> None:
    envfile = _broken(goenv)
    run = goenv.gomedic("fix", "--yes", "--format", "json", "toolchain.host-target")
    assert {p["check"] for p in plans(run)} == {"toolchain.host-target"}
    assert "GOOS" not in envfile.read_text() and "GOFOO=bar" in envfile.read_text()


def test_unknown_id_is_usage_error(goenv: GoEnv) -> None:
    run = goenv.gomedic("fix", "nope.nothing")
    assert run.returncode == 2 and "unknown check id" in run.stderr
