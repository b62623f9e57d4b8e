"""What counts as a secret: -X symbols, argv flags, variable-name suffixes (issue 12 item 9), and what does
not: field names such as `key` (issue 13 item 8)."""

from __future__ import annotations

import pytest

from gomedic.model import Category, Report, Result, Severity, Status, frozen_map
from gomedic.redact import MASK, known_secrets, redact_mapping, redact_report, redact_text
from gomedic.secretnames import is_secret_name, is_secret_var, xflag_secrets

SECRET = "s3cr3t-Planted-42"


@pytest.mark.parametrize("text", [
    f"GOFLAGS=-ldflags=-X=main.apiKey={SECRET}",
    f"GOFLAGS=-ldflags=-X main.apiKey={SECRET} -trimpath",
    f"GOFLAGS='-ldflags=-X main.dbPassword={SECRET} -s -w'",
    f"-ldflags='-X main.dbPassword={SECRET}'",
    f"go build -ldflags \"-X 'main.apiKey={SECRET} and more'\" .",
    f"-ldflags=\"-X=github.com/org/app/config.Token={SECRET}\"",
    f"-X main.secretKey={SECRET}",
    f"-X main.signingKey={SECRET}",
    f"-X main.dbPass={SECRET} -X main.dbPwd={SECRET}",
])
def test_secret_x_symbols(text: str) -> None:
    out = redact_text(text)
    assert SECRET not in out and "and more" not in out
    assert MASK in out


def test_non_secret_x_symbols_and_quotes_kept() -> None:
    text = "GOFLAGS=-ldflags=-X=main.version=1.2.3 -X main.commit=abc123"
    assert redact_text(text) == text
    assert redact_text(f"-ldflags=\"-X 'main.apiKey={SECRET} x'\" -v") == "-ldflags=\"-X 'main.apiKey=***'\" -v"
    assert xflag_secrets(f"-ldflags=-X=main.apiKey={SECRET} -X main.version=1") == [SECRET]


@pytest.mark.parametrize("name", ["DB_PASS", "MYSQL_PWD", "GPG_PASSPHRASE", "GOOGLE_CREDENTIALS",
                                  "AWS_SECRET_ACCESS_KEY", "GITHUB_TOKEN", "GOAUTH", "API_KEY", "apiKey",
                                  "dbPassword", "db-password", "SIGNING_KEY", "BASIC_AUTH"])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)
    assert SECRET not in redact_text(f"{name}={SECRET}")


@pytest.mark.parametrize("name", ["key", "KEY", "name", "sysctl", "PWD", "OLDPWD", "GIT_AUTHOR_NAME", "XAUTHORITY",
                                  "SSH_AUTH_SOCK", "TOKEN_FILE", "GITHUB_TOKEN_PATH", "password-file", "auth-mode",
                                  "NO_AUTH", "GOSUMDB", "GOTOOLCHAIN", "PASSWORD_URL"])
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)
    assert redact_text(f"{name}=value1234") == f"{name}=value1234"


def test_evidence_keys_are_not_secrets() -> None:
    assert not is_secret_var("GOENV key") and not is_secret_var("key") and is_secret_var("FOO_TOKEN")
    assert is_secret_var("GOAUTH (GOENV file)") and not is_secret_var("file value")
    ev = {"key": "GOFOO", "GOENV key": "GOFLAGS", "sysctl": "vm.max_map_count", "name": "net.core.somaxconn",
          "value": "262144"}
    assert redact_mapping(ev) == ev
    # the entry a variable's name names is masked by what it is: the value of a secret-named variable
    assert redact_mapping({"key": "GOAUTH", "file value": "helper tok", "environment value": "x"}) == {
        "key": "GOAUTH", "file value": MASK, "environment value": MASK}
    assert redact_mapping({"key": "vm.swappiness", "value": "60"}) == {"key": "vm.swappiness", "value": "60"}
    assert redact_text("GOAUTH='' GOPROXY=''") == "GOAUTH='' GOPROXY=''"  # empty: nothing to hide
    text = "GODEBUG entry 'http2client' is not key=value: the runtime ignores it"
    assert redact_text(text) == text


ARGV = (f"/usr/local/bin/app --password {SECRET} --listen :8080 --token={SECRET}x --db-password \"{SECRET} y\" "
        f"-api-key {SECRET}z -p 8080 --no-auth --verbose --password-file /run/secrets/db --auth-mode basic")


def test_argv_flags() -> None:
    out = redact_text(ARGV)
    assert SECRET not in out and " y\"" not in out
    for kept in ("--listen :8080", "-p 8080", "--no-auth --verbose", "--password-file /run/secrets/db",
                 "--auth-mode basic", "/usr/local/bin/app --password ***"):
        assert kept in out, out
    assert redact_text("--token --port 80") == "--token --port 80"  # the next flag is not a value


def test_cut_short_known_secret() -> None:
    long_secret = "tok_" + "Q" * 200
    shown = "stdout: " + (long_secret + " tail")[:117] + "..."
    out = redact_text(shown, (long_secret,))
    assert "QQQQ" not in out and out == "stdout: ***..."


def test_goflags_x_values_are_known_secrets() -> None:
    env = {"HOME": "/nonexistent", "GOFLAGS": f"-ldflags=-X=main.apiKey={SECRET}", "DB_PASS": "dbpass-Planted"}
    found = known_secrets(env)
    assert SECRET in found and "dbpass-Planted" in found


def test_title_is_redacted() -> None:
    r = Result("custom.x", "custom", Category.CUSTOM, Status.FAIL, Severity.HIGH, f"GET https://u:{SECRET}@h/",
               "s", evidence=frozen_map({}))
    out = redact_report(Report("run", (r,), "2026-01-01T00:00:00Z", 0.0, {}), ())
    assert SECRET not in out.results[0].title
