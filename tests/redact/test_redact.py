"""Redaction rules (pure), with property tests: hostile text never crashes them and planted secrets never
survive."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.model import Category, Report, Result, Severity, Status, frozen_map
from gomedic.redact import (
    _URL_CREDS,
    MASK,
    goauth_secrets,
    known_secrets,
    netrc_machines,
    netrc_secrets,
    netrc_tokens,
    redact_report,
    redact_result,
    redact_text,
    redact_value,
    url_secrets,
)


def test_url_credentials() -> None:
    assert redact_text("GOPROXY=https://u:p4ss@proxy.example/x,direct") == "GOPROXY=https://u:***@proxy.example/x,direct"
    assert redact_text("https://ghp_0123456789abcdefXYZ@github.com/") == "https://***@github.com/"
    assert (
        redact_text("git.corp.example/x,bob:t0ken99@git.corp.example") == "git.corp.example/x,bob:***@git.corp.example"
    )
    assert redact_text("git@github.com:org/repo") == "git@github.com:org/repo"  # no credential there


def test_secret_names_and_values() -> None:
    assert redact_text("FOO_TOKEN=abc123 PATH=/usr/bin") == "FOO_TOKEN=*** PATH=/usr/bin"
    assert redact_value("GOAUTH", "netrc") == MASK
    assert redact_value("GONOSUMDB", "a:b1@host.example") == "a:***@host.example"
    assert redact_value("GONOSUMDB", "corp.example/*") == "corp.example/*"
    assert redact_text("x verysecretvalue y", ("verysecretvalue",)) == f"x {MASK} y"


def test_netrc() -> None:
    text = "machine a.example login bob password hunter22\ndefault login anon password x\nmacdef init\nls\n"
    assert netrc_machines(text) == ["a.example"]
    assert "hunter22" in netrc_secrets(text)
    assert "machine a.example login *** password ***" in redact_text(text)


def test_goauth_secrets() -> None:
    assert goauth_secrets("netrc") == []
    s = goauth_secrets("netrc; token-helper --token ghp_abcdefghijklmnop")
    assert "token-helper --token ghp_abcdefghijklmnop" in s and "ghp_abcdefghijklmnop" in s


def test_known_secrets_reads_env_netrc_and_goenv_file(tmp_path: Path) -> None:
    (tmp_path / ".netrc").write_text("machine m.example login gopher password n3trcPW\n")
    (tmp_path / ".config" / "go").mkdir(parents=True)
    (tmp_path / ".config" / "go" / "env").write_text("GOPROXY=https://u:filePW123@p.example\n")
    env = {"HOME": str(tmp_path), "MY_SECRET": "s3cr3t-value", "GOAUTH": "helper tok_abcdefghijkl",
           "GOPROXY": "https://u:envPW456@p.example", "SSH_AUTH_SOCK": "/run/user/1/agent.sock"}
    found = known_secrets(env)
    for s in ("n3trcPW", "filePW123", "s3cr3t-value", "helper tok_abcdefghijkl", "envPW456"):
        assert s in found
    assert "/run/user/1/agent.sock" not in found and "gopher" not in found  # short login: not a secret


def _report(text: str) -> Report:
    r = Result("paths.gocache", "paths", Category.FILESYSTEM, Status.FAIL, Severity.HIGH, "t", text or "x",
               subject=text or None, evidence=frozen_map({"a": text, "API_KEY": text}), fix=text or None)
    return Report("check", (r,), "2026-01-01T00:00:00Z", 0.0, {"go_env": {"GOAUTH": text, "X": [text]}})


_SECRET = st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=8, max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), _SECRET)
def test_planted_secret_never_survives(noise: str, secret: str) -> None:
    text = noise[: len(noise) // 2] + secret + noise[len(noise) // 2:]
    out = redact_report(_report(text), (secret,))
    r = out.results[0]
    shown = [r.summary, r.subject or "", r.fix or "", *r.evidence.values(), *_values(dict(out.context))]
    assert all(secret not in v for v in shown)


def _values(v: object) -> list[str]:
    if isinstance(v, dict):
        return [x for item in v.values() for x in _values(item)]
    if isinstance(v, list):
        return [x for item in v for x in _values(item)]
    return [str(v)]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["ok", "https://u:hunter22@proxy", "DB_PASSWORD=xyz123", "key", "s3cr3tvalue",
                                 "-X main.apiKey=abc", "machine h login u password p", ""]), min_size=1, max_size=8))
def test_report_redaction_is_result_by_result(texts: list[str]) -> None:
    """redact_report redacts each distinct string once and keeps results with nothing to hide: what it
    gives is what redacting every result on its own gives, for repeated and secret-bearing strings alike."""
    results = tuple(
        Result(f"a.b{i}", "a", Category.FILESYSTEM, Status.OK, Severity.LOW, t or "t", t or "x", subject=t or None,
               evidence=frozen_map({"key": "API_TOKEN" if i % 2 else "GOOS", "value": t, "GOFLAGS": t}), fix=t or None)
        for i, t in enumerate(texts + texts))
    report = Report("binary", results, "2026-01-01T00:00:00Z", 0.0, {})
    secrets = ("s3cr3tvalue",)
    assert redact_report(report, secrets).results == tuple(redact_result(r, secrets) for r in results)
    clean = redact_report(report, secrets).results[0]
    assert (clean is results[0]) == (redact_result(results[0], secrets) == results[0])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=5000))
def test_hostile_text_never_crashes(text: str) -> None:
    out = redact_text(text)
    assert all(m["pw"] == MASK for m in _URL_CREDS.finditer(out))  # no URL password survives
    for s in url_secrets(text):
        assert f":{s}@" not in out
    tokens = netrc_tokens(text)
    assert netrc_machines(text) == [v for k, v in tokens if k == "machine"]
    assert all(s in text for s in goauth_secrets(text))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=3000))
def test_mutated_netrc_bytes(data: bytes) -> None:
    text = data.decode("utf-8", "replace")
    machines = netrc_machines("machine ok.example password pw12345 " + text)
    assert machines[0] == "ok.example"
    assert all(m not in ("pw12345",) for m in machines)


def test_oversized_input() -> None:
    # long runs of one character once made the URL patterns quadratic (minutes for 100 kB)
    big = ("https://u:pw@h.example " * 20000) + "password " + "x" * 100000 + " " + "%" * 50000 + ":" + "a" * 50000
    out = redact_text(big)
    assert "u:pw@" not in out and "x" * 100000 not in out
