"""tls.* and net.* checks in-process over a recorded tree: the CA bundle and directories, zone data and the
resolver files are given as files (real certificates from this machine's bundle, one made expired here);
nothing else is read."""

from __future__ import annotations

import datetime as dt
from functools import cache

from gomedic.facts.trust import BEGIN
from gomedic.model import Status
from tests.support.recorded import one, recorded_facts

BUNDLE_PATH = "/etc/ssl/certs/ca-certificates.crt"
DEFAULT_FILES = ("/etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt, /etc/ssl/ca-bundle.pem, "
                 "/etc/pki/tls/cacert.pem, /etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem, /etc/ssl/cert.pem")


@cache
def real_certs() -> list[bytes]:
    """PEM blocks of this machine's CA bundle (real roots, parsed by cryptography as Go would)."""
    with open(BUNDLE_PATH, "rb") as fh:
        data = fh.read()
    return [BEGIN + b.split(b"-----END CERTIFICATE-----")[0] + b"-----END CERTIFICATE-----\n"
            for b in data.split(BEGIN)[1:5]]


@cache
def expired_cert() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "gomedic expired root")])
    start = dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(start).not_valid_after(start + dt.timedelta(days=365))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


BAD_BLOCK = BEGIN + b"\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"


def test_ca_bundle_ok_with_the_first_default_file() -> None:
    f = recorded_facts({BUNDLE_PATH: b"".join(real_certs()[:3]), "/etc/ssl/cert.pem": b"".join(real_certs())})
    r = one("tls.ca-bundle", f)
    assert (r.status, r.summary) == (Status.OK, f"{BUNDLE_PATH}: 3 certificates")
    assert dict(r.evidence) == {"SSL_CERT_FILE": "", "SSL_CERT_DIR": "", "file": BUNDLE_PATH, "certificates": "3",
                                "unparsable": "0", "expired": "0"}


def test_ca_bundle_counts_expired_and_unparsable_blocks() -> None:
    f = recorded_facts({"/etc/pki/tls/certs/ca-bundle.crt": real_certs()[0] + expired_cert() + BAD_BLOCK})
    r = one("tls.ca-bundle", f)
    assert (r.status, r.summary) == (
        Status.OK,
        "/etc/pki/tls/certs/ca-bundle.crt: 2 certificates (1 expired, 1 unparsable)",
    )


def test_ca_bundle_from_the_directories_only() -> None:
    f = recorded_facts({"/etc/ssl/certs/a.pem": real_certs()[0], "/etc/ssl/certs/b.pem": b"".join(real_certs()[1:3]),
                        "/etc/ssl/certs/README": b"not a certificate"})
    r = one("tls.ca-bundle", f)
    assert (r.status, r.summary) == (Status.OK, "3 certificates in /etc/ssl/certs, /etc/pki/tls/certs")
    assert r.evidence["dir certificates"] == "3" and "file" not in r.evidence


def test_ca_bundle_fails_without_any_roots() -> None:
    r = one("tls.ca-bundle", recorded_facts({"/etc/hostname": "box\n"}))
    assert r.status is Status.FAIL
    assert r.summary == (f"no CA bundle: none of {DEFAULT_FILES} exists and /etc/ssl/certs, /etc/pki/tls/certs "
                         "hold no certificates")
    assert r.fix == "install ca-certificates, or copy /etc/ssl/certs/ca-certificates.crt into the image"
    assert r.evidence["dir certificates"] == "0"


def test_ca_bundle_fails_on_a_default_file_without_certificates() -> None:
    r = one("tls.ca-bundle", recorded_facts({"/etc/ssl/ca-bundle.pem": BAD_BLOCK}))
    assert r.status is Status.FAIL
    assert r.summary == ("/etc/ssl/ca-bundle.pem holds no parsable certificate (1 bad PEM blocks) and /etc/ssl/certs, "
                         "/etc/pki/tls/certs hold none either: every TLS handshake fails with `x509: certificate "
                         "signed by unknown authority`")


def test_ca_bundle_in_the_certs_directory_is_not_counted_again() -> None:
    """Debian's bundle lives in /etc/ssl/certs, which Go also reads: garbage there gives no roots twice."""
    r = one("tls.ca-bundle", recorded_facts({BUNDLE_PATH: BAD_BLOCK}))
    assert r.status is Status.FAIL
    assert r.summary == (f"{BUNDLE_PATH} holds no parsable certificate (1 bad PEM blocks) and /etc/ssl/certs, "
                         "/etc/pki/tls/certs hold none either: every TLS handshake fails with `x509: certificate "
                         "signed by unknown authority`")
    assert (r.evidence["file"], r.evidence["certificates"], r.evidence["dir certificates"]) == (BUNDLE_PATH, "0", "0")
    r = one("tls.ca-bundle", recorded_facts({BUNDLE_PATH: BAD_BLOCK, "/etc/ssl/certs/a.pem": real_certs()[0]}))
    assert (r.status, r.summary) == (Status.OK, f"{BUNDLE_PATH}: 0 certificates (0 expired, 1 unparsable); "
                                                "1 certificates in /etc/ssl/certs, /etc/pki/tls/certs")


def test_ca_bundle_ssl_cert_file_missing_or_garbage() -> None:
    env = {"SSL_CERT_FILE": "/srv/roots.pem"}
    r = one("tls.ca-bundle", recorded_facts({BUNDLE_PATH: real_certs()[0]}, env=env))
    assert r.status is Status.FAIL
    assert r.summary == "SSL_CERT_FILE=/srv/roots.pem does not exist or is empty; Go loads no roots from it"
    assert r.evidence["SSL_CERT_FILE"] == "/srv/roots.pem"
    assert r.evidence["dir certificates"] == "1"  # the bundle in /etc/ssl/certs, parsed: Go reads the directory
    files = {"/srv/roots.pem": b"garbage" + BAD_BLOCK, "/etc/ssl/certs/a.pem": real_certs()[0],
             "/etc/ssl/certs/b.pem": real_certs()[1]}
    r = one("tls.ca-bundle", recorded_facts(files, env=env))
    assert r.summary == ("SSL_CERT_FILE=/srv/roots.pem holds no parsable certificate (1 bad PEM blocks); Go is left "
                         "with the 2 certificates in /etc/ssl/certs, /etc/pki/tls/certs")
    r = one("tls.ca-bundle", recorded_facts(files, env=env | {"SSL_CERT_DIR": ""}))
    assert r.summary.endswith("Go has no roots: `x509: certificate signed by unknown authority`")


def test_tzdata_ok_and_warn() -> None:
    r = one("tls.tzdata", recorded_facts({"/usr/share/zoneinfo/Etc/UTC": b"TZif2"}))
    assert (r.status, r.summary, dict(r.evidence)) == (Status.OK, "zone data in /usr/share/zoneinfo",
                                                        {"dir": "/usr/share/zoneinfo"})
    r = one("tls.tzdata", recorded_facts({}))
    assert r.status is Status.WARN
    assert r.summary == "no zone data in /usr/share/zoneinfo and ZONEINFO unset: `unknown time zone` for named zones"
    env = {"ZONEINFO": "/opt/zoneinfo.zip"}
    r = one("tls.tzdata", recorded_facts({"/opt/zoneinfo.zip": b"PK"}, env=env))
    assert (r.status, r.summary) == (Status.OK, "ZONEINFO=/opt/zoneinfo.zip exists")
    r = one("tls.tzdata", recorded_facts({"/usr/share/zoneinfo/UTC": b"TZif2"}, env=env))
    assert (r.status, dict(r.evidence)) == (Status.WARN, {"ZONEINFO": "/opt/zoneinfo.zip"})
    assert r.summary == "ZONEINFO=/opt/zoneinfo.zip does not exist: time.LoadLocation reports `unknown time zone`"


RESOLV = "search example.com\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n"


def test_resolver_ok() -> None:
    f = recorded_facts({"/etc/nsswitch.conf": "passwd: files\nhosts: files dns # default\n",
                        "/etc/hosts": "127.0.0.1 localhost\n", "/etc/resolv.conf": RESOLV})
    r = one("net.resolver", f)
    assert (r.status, r.summary) == (Status.OK, "hosts: files dns; /etc/hosts present; nameservers 10.0.0.2 10.0.0.3")
    assert dict(r.evidence) == {"hosts:": "files dns", "/etc/hosts": "present", "nameservers": "10.0.0.2 10.0.0.3"}


def test_resolver_warns_for_each_missing_piece() -> None:
    r = one("net.resolver", recorded_facts({}))
    assert r.status is Status.WARN
    assert r.summary == ("/etc/nsswitch.conf missing (older Go then asks DNS before /etc/hosts); /etc/hosts missing; "
                         "/etc/resolv.conf missing (Go falls back to 127.0.0.1:53)")
    assert dict(r.evidence) == {"hosts:": "(no nsswitch.conf)", "/etc/hosts": "missing", "nameservers": ""}
    f = recorded_facts({"/etc/nsswitch.conf": "hosts: dns files\n", "/etc/hosts": "", "/etc/resolv.conf": "search x\n"})
    r = one("net.resolver", f)
    assert r.summary == "hosts: dns files asks DNS before /etc/hosts; /etc/resolv.conf lists no nameserver"
    f = recorded_facts({"/etc/nsswitch.conf": "passwd: files\n", "/etc/hosts": "", "/etc/resolv.conf": RESOLV})
    r = one("net.resolver", f)
    assert (r.summary, r.evidence["hosts:"]) == ("/etc/nsswitch.conf has no hosts: line", "(no hosts line)")
    assert r.fix == "add `hosts: files dns` to /etc/nsswitch.conf and provide /etc/hosts and /etc/resolv.conf"
