"""Property tests over every output format: a secret planted in any of the forms gomedic hides never
survives rendering, and evidence that is not a secret (a sysctl name, a GOENV key: fields called `key`,
`sysctl`, `GOENV key`, `name`) survives unchanged."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.model import Category, Report, Result, Severity, Status, frozen_map
from gomedic.redact import redact_report
from gomedic.render import RENDERERS, RenderOptions, render

FORMATS = sorted(RENDERERS)
# Formats that print evidence (nagios prints one status line, prom only metrics).
EVIDENCE_FORMATS = ("json", "junit", "markdown", "sarif", "tap", "text")

# How a secret appears in what gomedic reads: a URL password, a secret-named variable, a -X symbol of
# GOFLAGS, a command-line flag of an ExecStart or a process, a variable's value given by its name.
FORMS = (
    "https://gopher:{s}@proxy.corp.example/mod",
    "corp.example,ci:{s}@git.corp.example",
    "FOO_TOKEN={s}", "DB_PASS={s}", "MYSQL_PWD={s}", "GPG_PASSPHRASE={s}", "APP_CREDENTIALS={s}",
    "GOFLAGS=-ldflags=-X=main.apiKey={s}", "GOFLAGS='-ldflags=-X main.dbPassword={s} -s'",
    "-ldflags=\"-X 'main.apiKey={s}'\"", "-X main.Token={s}",
    "/usr/bin/app --password {s} --port 80", "/usr/bin/app --token={s}", "/usr/bin/app --db-password {s} -v",
    "/usr/bin/app -api-key {s}", "login bob password {s}",
)

_SECRET = st.builds(lambda tail: "Zq9" + tail,
                    st.text(alphabet=string.ascii_letters + string.digits + "-_.", min_size=5, max_size=30))
_NOISE = st.text(max_size=200)
_SYSCTL = st.from_regex(r"\A[a-z]{2,8}(\.[a-z_]{2,12}){1,3}\Z")
_GOENV_KEY = st.sampled_from(["GOFOO", "GOPROXY", "GOFLAGS", "GOPRIVATE", "GOTOOLCHAIN", "GOAMD64"])


def _report(texts: list[str], evidence: dict[str, str]) -> Report:
    a, b, c, d = texts
    r = Result(
        "goenv.file",
        "goenv",
        Category.TOOLCHAIN,
        Status.FAIL,
        Severity.HIGH,
        f"title {a}",
        f"summary {b}",
        subject=f"/etc/app {c}",
        evidence=frozen_map({**evidence, "seen": d, "API_TOKEN": d, "file": "/home/u/.config/go/env", "line": "3"}),
        fix=f"fix {c}",
        file="/home/u/.config/go/env",
        line=3,
    )
    return Report("check", (r,), "2026-01-01T00:00:00Z", 0.0, {"go_env": {"GOFLAGS": a, "AUTH_HEADER_VALUE": b}})


@settings(max_examples=60, deadline=None)
@given(_SECRET, st.lists(st.sampled_from(FORMS), min_size=4, max_size=4), _NOISE, _SYSCTL, _GOENV_KEY)
def test_no_secret_survives_any_format(secret: str, forms: list[str], noise: str, sysctl: str, key: str) -> None:
    texts = [f"{noise} {form.format(s=secret)} {noise[::-1]}" for form in forms]
    evidence = {"key": key, "sysctl": sysctl, "GOENV key": key, "name": sysctl}
    report = _report(texts, evidence)
    shown = redact_report(report, ())
    ev = shown.results[0].evidence
    assert {k: ev[k] for k in evidence} == evidence  # evidence is not a secret: unchanged
    for fmt in FORMATS:
        out = render(redact_report(report), fmt, RenderOptions(verbose=True))  # as the report is built
        assert secret not in out, f"{fmt}: {secret!r} leaked"
        if fmt in EVIDENCE_FORMATS:
            assert sysctl in out and key in out, f"{fmt}: evidence hidden"
            assert "key: ***" not in out and '"key": "***"' not in out


@settings(max_examples=40, deadline=None)
@given(_SECRET, _NOISE)
def test_known_secret_verbatim_in_every_format(secret: str, noise: str) -> None:
    """A value known to be secret (an environment variable's, a check file variable's) is hidden wherever
    it appears, even in text with no name next to it."""
    text = f"{noise}{secret}{noise}"
    report = _report([text] * 4, {"key": "vm.max_map_count"})
    for fmt in FORMATS:
        out = render(redact_report(report, (secret,)), fmt, RenderOptions(verbose=True))
        assert secret not in out, fmt
