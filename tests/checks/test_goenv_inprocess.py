"""goenv.* in-process: the GOENV file, `go env -json` and go's verdict on GOFLAGS seeded from real captures of
the cached toolchains; go's own error for each bad setting is captured once and compared with the summary."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from gomedic.checks.goenv import go111module, goenv_file, goenv_shadowed, goflags
from gomedic.facts.go import GOENV_FILE, GoEnvFile
from gomedic.facts.gorun import GOFLAGS_VERDICT
from gomedic.model import Status
from tests.support.seeded import (
    GoRun,
    envfile,
    facts,
    failed_probe,
    go_facts,
    module,
    one,
    prefetch,
    run_area,
)
from tests.support.toolchains import NEWEST

ENVFILE = "/home/gmseeded/.config/go/env"


BAD_GOPATH = "GOFLAGS=-v\nGOPATH=go\n"
BAD_EXPERIMENT = "GOEXPERIMENT=nosuchexp\n"
SPLIT = '-ldflags="-s -w"'
Real = dict[str, dict[str, Any]]
RUNS = {
    "bad-gopath": GoRun(NEWEST, ("env", "GOPATH"), {"GOENV": "$DIR/env"}, {"env": BAD_GOPATH}),
    "bad-experiment": GoRun(NEWEST, ("env", "-json", "GOOS"), {"GOENV": "$DIR/env"}, {"env": BAD_EXPERIMENT}),
    "go111module-yes": GoRun(NEWEST, ("env", "GOVERSION"), {"GO111MODULE": "yes"}),
    **{
        f"goflags {v}": GoRun(NEWEST, ("version",), {"GOFLAGS": v})
        for v in (SPLIT, "-trimpath -mod=mod", "-mod=vendor")
    },
}


@pytest.fixture(scope="module", autouse=True)
def real() -> Real:
    """What the real go says for RUNS (captured once per machine: go runs here, never in a test body)."""
    return prefetch(RUNS)


def verdict(real: Real, value: str) -> str | None:
    """go's own verdict on GOFLAGS=value, as GOFLAGS_VERDICT computes it: the first line of a failing
    `go version` when it is about GOFLAGS."""
    r = real[f"goflags {value}"]
    first = next((ln.strip() for ln in (r["stderr"] + "\n" + r["stdout"]).splitlines() if ln.strip()), "")
    return first if r["returncode"] != 0 and "GOFLAGS" in first else None


def test_no_goenv_file_is_ok_and_says_why() -> None:
    r = one(goenv_file(go_facts()))
    assert r.status is Status.OK and r.summary == "no GOENV file is used (GOENV=off)"
    assert r.evidence == {"GOENV file": "(none)", "chosen by": "GOENV=off"}
    r = one(goenv_file(go_facts(goenv=envfile(ENVFILE, None))))
    assert r.status is Status.OK and r.summary == f"no GOENV file at {ENVFILE} (nothing was set with go env -w)"


def test_valid_goenv_file_lists_its_keys() -> None:
    r = one(goenv_file(go_facts(goenv=envfile(ENVFILE, "GOPROXY=https://goproxy.io,direct\nGOFLAGS=-mod=mod\n"))))
    assert r.status is Status.OK and r.summary == f"GOENV file {ENVFILE} is valid (GOFLAGS, GOPROXY)"


def test_bad_entry_fails_with_file_line_and_the_go_env_u_fix(real: Real) -> None:
    said = real["bad-gopath"]
    assert said["returncode"] != 0 and 'GOPATH entry is relative; must be absolute path: "go"' in said["stderr"]
    f = go_facts(goenv=envfile(ENVFILE, BAD_GOPATH), probe=failed_probe(NEWEST, said))
    r = one(goenv_file(f))
    assert r.status is Status.FAIL
    assert r.summary == f"{ENVFILE}:2: GOPATH: GOPATH entry is relative; must be absolute path: 'go'"
    assert r.fix == f"go env -u GOPATH  (or delete line 2 of {ENVFILE})"
    assert r.subject == f"{ENVFILE}:2" and r.evidence["file"] == ENVFILE and r.evidence["line"] == "2"


def test_an_entry_only_go_rejects_is_reported_with_gos_words(real: Real) -> None:
    said = real["bad-experiment"]
    assert said["returncode"] == 1
    first = said["stderr"].strip().splitlines()[0]
    assert first.startswith("go: unknown GOEXPERIMENT")
    r = one(goenv_file(go_facts(goenv=envfile(ENVFILE, BAD_EXPERIMENT), probe=failed_probe(NEWEST, said))))
    assert r.status is Status.FAIL
    assert r.summary == f"every go command fails with the GOENV file {ENVFILE} in place: {first}"
    assert r.fix == f"move {ENVFILE} aside and run the go command again; then re-add entries one by one"


def test_a_fifo_as_goenv_file_fails_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "env"
    os.mkfifo(fifo)
    ef = GOENV_FILE.gather(facts({"GOENV": str(fifo), "HOME": "/home/gmseeded"}))  # the real reader, once
    assert ef.special
    r = one(goenv_file(go_facts(goenv=ef)))
    assert r.status is Status.FAIL and "every go command blocks reading it" in r.summary
    assert r.fix == f"remove {fifo} or point GOENV at a regular file (or GOENV=off)"


def test_shadowed_entry_warns_and_names_both_values() -> None:
    assert one(goenv_shadowed(go_facts())).status is Status.SKIP
    ef = envfile(ENVFILE, "GOPROXY=https://goproxy.io,direct\nGOPRIVATE=git.corp.example\n")
    assert one(goenv_shadowed(go_facts(goenv=ef, env={"GOPRIVATE": "git.corp.example"}))).status is Status.OK
    r = one(goenv_shadowed(go_facts(goenv=ef, env={"GOPROXY": "off"})))
    assert r.status is Status.WARN
    assert r.summary == f"GOPROXY=https://goproxy.io,direct in {ENVFILE}:1 is ignored: the environment sets GOPROXY=off"
    assert r.fix == "unset GOPROXY in your shell/CI (to use the file value), or `go env -u GOPROXY`"
    assert r.evidence["file value"] == "https://goproxy.io,direct" and r.evidence["environment value"] == "off"


def test_goflags_split_inside_quotes_fails_with_gos_verdict(real: Real) -> None:
    value = SPLIT
    said = verdict(real, value)
    assert said == 'go: parsing $GOFLAGS: unknown flag -w"'
    f = go_facts(env={"GOFLAGS": value})
    f.seed(GOFLAGS_VERDICT, said)
    r = one(goflags(f))
    assert r.status is Status.FAIL and r.summary == f"GOFLAGS={value} (environment) is rejected by go: `{said}`"
    assert r.evidence["go says"] == said and "quote entries that contain spaces" in (r.fix or "")


def test_goflags_ok_non_flag_and_unbalanced_quotes(real: Real) -> None:
    f = go_facts(env={"GOFLAGS": "-trimpath -mod=mod"})
    f.seed(GOFLAGS_VERDICT, verdict(real, "-trimpath -mod=mod"))
    r = one(goflags(f))
    assert r.status is Status.OK and r.summary == "GOFLAGS=-trimpath -mod=mod (environment) parses: -trimpath, -mod=mod"
    r = one(goflags(go_facts(goenv=envfile(ENVFILE, "GOFLAGS=trimpath\n"))))
    assert r.status is Status.FAIL
    assert r.summary == ("GOFLAGS=trimpath (GOENV file): 'trimpath' is not a flag: go reports "
                         "`go: parsing $GOFLAGS: non-flag \"trimpath\"`")
    r = one(goflags(go_facts(env={"GOFLAGS": "'-ldflags=-s"})))
    assert r.status is Status.FAIL and r.fix == "balance the quotes in GOFLAGS"
    assert one(goflags(go_facts())).summary == "GOFLAGS is empty"


def test_go111module_values() -> None:
    assert one(go111module(go_facts())).status is Status.OK
    r = one(go111module(go_facts(env={"GO111MODULE": "off"})))
    assert r.status is Status.WARN and r.fix == "unset GO111MODULE"
    assert "go: modules disabled by GO111MODULE=off" in r.summary
    r = one(go111module(go_facts(goenv=envfile(ENVFILE, "GO111MODULE=off\n"))))
    assert r.status is Status.WARN and r.fix == "go env -u GO111MODULE" and r.evidence["source"] == "GOENV file"


def test_go111module_invalid_value_fails_as_go_does(real: Real) -> None:
    assert "go: unknown environment setting GO111MODULE=yes" in real["go111module-yes"]["stderr"]
    r = one(go111module(go_facts(env={"GO111MODULE": "yes"})))
    assert r.status is Status.FAIL and "`go: unknown environment setting GO111MODULE=yes`" in r.summary


def test_go111module_auto_inside_gopath_src_warns() -> None:
    inside = module("/home/gmseeded/go/src/example.com/app/go.mod", "module example.com/app\n\ngo 1.22\n")
    r = one(go111module(go_facts(env={"GO111MODULE": "auto"}, mod=inside)))
    assert r.status is Status.WARN and "is inside GOPATH/src: go ignores its go.mod" in r.summary
    assert r.evidence["go.mod"] == "/home/gmseeded/go/src/example.com/app/go.mod"
    outside = module("/src/app/go.mod", "module example.com/app\n\ngo 1.22\n")
    assert one(go111module(go_facts(env={"GO111MODULE": "auto"}, mod=outside))).status is Status.OK


def test_the_whole_area_through_the_runner(real: Real) -> None:
    f = go_facts(goenv=envfile(ENVFILE, "GOFLAGS=-mod=mod\n"), env={"GOFLAGS": "-mod=vendor"})
    f.seed(GOFLAGS_VERDICT, verdict(real, "-mod=vendor"))
    got = {cid: [r.status for r in rs] for cid, rs in run_area("goenv", f).items()}
    assert got == {"goenv.file": [Status.OK], "goenv.shadowed": [Status.WARN], "goenv.goflags": [Status.OK],
                   "goenv.go111module": [Status.OK]}


def test_unreadable_goenv_file_fails_with_the_reason() -> None:
    ef = GoEnvFile(ENVFILE, "default location", exists=True, error="Permission denied")
    r = one(goenv_file(go_facts(goenv=ef)))
    assert r.status is Status.FAIL
    assert r.summary == f"GOENV file {ENVFILE} cannot be read: Permission denied; every go command ignores it"
    assert r.fix == f"fix the permissions of {ENVFILE} (it must be readable by you)"
