"""Redaction does not hide what is not a secret."""

from __future__ import annotations

from gomedic.redact import redact_text


def test_paths_named_passwd_are_not_secrets() -> None:
    text = "SSL_CERT_FILE=/etc/passwd holds no certificate"
    assert redact_text(text) == text
    assert redact_text("login bob password hunter2") == "login bob password ***"
