"""Hostile check files stay bounded (issue 12 item 10): variable amplification is capped after substitution
with file:line, regular expressions match in linear time (RE2) and what RE2 cannot do is refused by
`gomedic validate`; secrets that variables carry are hidden in every output format (item 9)."""

from __future__ import annotations

import json
import os
import tracemalloc
from pathlib import Path

import pytest

from gomedic.render import RENDERERS
from gomedic.userchecks.loader import validate
from gomedic.userchecks.matchers import Matcher, check
from gomedic.userchecks.variables import MAX_EXPANDED, MAX_EXPANDED_FILE
from tests.support.cli import validate_report
from tests.support.userchecks import gomedic


def _checks(n: int, run: str) -> str:
    return "".join(f"  - name: c{i}\n    kind: command\n    run: [echo, \"{run}\"]\n" for i in range(n))


def test_three_megabyte_variable_used_by_200_checks(tmp_path: Path) -> None:
    """The reported attack: one 3 MB variable referenced by 200 checks (6.8 GB before)."""
    varsfile = tmp_path / "vars.yaml"
    varsfile.write_text("big: " + "x" * (3 << 20) + "\n")
    f = tmp_path / "amp.yaml"
    f.write_text("version: 1\nchecks:\n" + _checks(200, "${big}"))
    tracemalloc.start()
    try:
        loaded = validate([f], vars_files=[varsfile], env={})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not loaded.checks and len(loaded.issues) == 200
    first = loaded.issues[0]
    assert (first.file, first.line, first.check) == (str(f), 5, "c0")
    assert first.message == f"the value expands to more than {MAX_EXPANDED >> 10} KiB (at ${{big}})"
    assert peak < 64 << 20, f"peak {peak >> 20} MiB"  # the 3 MB value and the file: never 200 copies


def test_total_expansion_per_file_is_capped_once(tmp_path: Path) -> None:
    f = tmp_path / "amp.yaml"
    f.write_text("version: 1\nvars:\n  v: " + "y" * (200 << 10) + "\nchecks:\n" + _checks(60, "${v}"))
    loaded = validate([f], env={})
    budget = [i for i in loaded.issues if "in total" in i.message]
    assert len(budget) == 1 and len(loaded.issues) == 1, loaded.issues
    n_ok = MAX_EXPANDED_FILE // (200 << 10)  # checks that fit in the budget
    assert budget[0].line == 7 + 3 * n_ok and budget[0].check == f"c{n_ok}"
    assert f"variables expand to more than {MAX_EXPANDED_FILE >> 20} MiB in total (this file)" in budget[0].message


def test_one_string_referencing_a_variable_many_times(tmp_path: Path) -> None:
    f = tmp_path / "amp.yaml"
    f.write_text("version: 1\nvars: {v: " + "z" * 4096 + "}\nchecks:\n" + _checks(1, "${v}" * 100))
    v = gomedic("validate", str(f))
    assert v.returncode == 2
    assert v.stdout.splitlines()[0].startswith(f"{f}:6:")
    assert "expands to more than 256 KiB (at ${v})" in v.stdout


# ---- regular expressions: RE2 ----------------------------------------------------------------------------

def test_catastrophic_pattern_ends() -> None:
    """`^(a+)+$` against 30 `a`s and a `!`: 2^30 steps with a backtracking engine; linear with RE2."""
    assert check(Matcher(matches="^(a+)+$"), "a" * 30 + "!") is False
    assert check(Matcher(matches="^(a+)+$"), "b\n" + "a" * 30) is True  # multi-line: `$` at each line end
    assert check(Matcher(matches="(x+x+)+y"), "x" * 5000) is False


def test_catastrophic_pattern_in_a_real_run(tmp_path: Path) -> None:
    f = tmp_path / "redos.yaml"
    f.write_text("version: 1\nchecks:\n  - name: redos\n    kind: command\n    timeout: 5s\n"
                 f"    run: [printf, '{'a' * 30}!']\n    stdout: {{matches: '^(a+)+$'}}\n")
    run = gomedic("run", str(f), "--format", "json")
    r = validate_report(json.loads(run.stdout))["results"][0]
    assert (run.returncode, r["status"]) == (1, "fail"), run.stderr
    assert "is not matches /^(a+)+$/" in r["summary"]


@pytest.mark.parametrize(("pattern", "why"), [
    (r"(a)\1", "invalid escape sequence"),
    ("(?=x)y", "invalid perl operator"),
    ("(?<!x)y", "invalid perl operator"),
    ("a{2000}", "invalid repetition size"),
])
def test_validate_rejects_what_re2_cannot_match(tmp_path: Path, pattern: str, why: str) -> None:
    f = tmp_path / "re.yaml"
    f.write_text(f"version: 1\nchecks:\n  - name: r\n    kind: command\n    run: [echo]\n"
                 f"    stdout: {{matches: '{pattern}'}}\n")
    v = gomedic("validate", str(f))
    assert v.returncode == 2 and not v.stderr.strip(), v.stderr  # RE2 logs nothing of its own
    line = v.stdout.splitlines()[0]
    assert line.startswith(f"{f}:6:") and f"invalid regular expression {pattern!r}" in line and why in line
    assert "RE2 syntax" in line


# ---- secrets carried by variables ------------------------------------------------------------------------

SECRETS = {"--var api_key": "cliVar-Planted-key1", "vars db_password": "yamlVar-Planted-pw2",
           "env SVC_PASS (5 chars)": "Pl4nt", "env API_TOKEN": "envTok-Planted-tok3"}


def _taint_file(tmp_path: Path) -> Path:
    f = tmp_path / "leaky.yaml"
    f.write_text("""version: 1
vars:
  db_password: yamlVar-Planted-pw2
  health: "http://127.0.0.1:9/health?k=${env:API_TOKEN}"
checks:
  - name: echo-secrets
    title: "echo ${api_key}"
    kind: command
    run: [sh, -c, "echo ${db_password} ${api_key}; echo ${env:SVC_PASS} ${env:API_TOKEN} >&2; exit 3"]
  - name: url
    kind: http
    url: "${health}"
    timeout: 2s
  - name: short
    kind: command
    run: [printf, "%s-ok", "${env:SVC_PASS}"]
    stdout: {eq: nope}
""")
    return f


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_variable_secrets_hidden_in_every_format(tmp_path: Path, fmt: str) -> None:
    f = _taint_file(tmp_path)
    env = {**os.environ, "SVC_PASS": SECRETS["env SVC_PASS (5 chars)"], "API_TOKEN": SECRETS["env API_TOKEN"]}
    run = gomedic("run", str(f), "--var", f"api_key={SECRETS['--var api_key']}", "--format", fmt, "-v", env=env)
    assert run.returncode in ((1, 2) if fmt == "nagios" else (1,)), run.stderr
    for name, secret in SECRETS.items():
        assert secret not in run.stdout + run.stderr, f"{name} leaked in run --format {fmt}"
    if fmt == "json":
        results = {r["id"]: r for r in validate_report(json.loads(run.stdout))["results"]}
        assert results["custom.echo-secrets"]["title"] == "echo ***"
        assert results["custom.short"]["evidence"]["stdout"] == "***-ok"  # evidence around it stays


def test_validate_messages_hide_variable_secrets(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("version: 1\nvars: {db_password: yamlVar-Planted-pw2}\nchecks:\n"
                 "  - name: s\n    kind: sysctl\n    key: 'x ${db_password}'\n    value: 1\n")
    v = gomedic("validate", str(f))
    assert v.returncode == 2 and "is not a sysctl name" in v.stdout
    assert "yamlVar-Planted-pw2" not in v.stdout and "'x ***'" in v.stdout


def test_pattern_with_a_lone_surrogate_is_a_problem(tmp_path: Path) -> None:
    """An environment variable holding undecodable bytes (kept as surrogates) substituted into a pattern."""
    f = tmp_path / "re.yaml"
    f.write_text('version: 1\nchecks:\n  - name: r\n    kind: command\n    run: [echo]\n'
                 '    stdout: {matches: "${env:PAT}"}\n')
    loaded = validate([f], env={"PAT": b"a\xff".decode("utf-8", "surrogateescape")})
    assert [(i.line, i.message.endswith("lone surrogate (not UTF-8)")) for i in loaded.issues] == [(6, True)]
