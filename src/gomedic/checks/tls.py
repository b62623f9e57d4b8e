"""tls.*: the trust store and zone data a Go program reads at run time.

Paths are read under the evaluated root (`/`, or `--root DIR` for an unpacked container); the
environment is the evaluated process's (SSL_CERT_FILE, SSL_CERT_DIR, ZONEINFO).
"""

from __future__ import annotations

import os
import warnings
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from gomedic import safeio
from gomedic.facts import Facts
from gomedic.facts.proc import target_env, target_root
from gomedic.finding import Finding, fail, ok, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

# crypto/x509 root_linux.go: the first of these files that exists, then these directories.
CERT_FILES = (
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/tls/cacert.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
)
CERT_DIRS = ("/etc/ssl/certs", "/etc/pki/tls/certs")
BEGIN = b"-----BEGIN CERTIFICATE-----"
MAX_BUNDLE = 32 << 20
MAX_DIR_FILES = 4096


def count_certs(data: bytes, now: datetime) -> tuple[int, int, int]:
    """(certificates parsed, PEM blocks that failed to parse, expired) in a PEM bundle."""
    from cryptography import x509

    good = bad = expired = 0
    for block in data.split(BEGIN)[1:]:
        end = block.find(b"-----END CERTIFICATE-----")
        if end < 0:
            bad += 1
            continue
        try:
            with warnings.catch_warnings():  # negative serials in old roots: still loaded by Go
                warnings.simplefilter("ignore")
                cert = x509.load_pem_x509_certificate(BEGIN + block[: end + 25])
        except ValueError:
            bad += 1
            continue
        good += 1
        if cert.not_valid_after_utc < now:
            expired += 1
    return good, bad, expired


def _read(p: Path) -> bytes | None:
    try:
        with safeio.open_binary(p) as fh:
            return fh.read(MAX_BUNDLE)
    except OSError:
        return None


@check("tls.ca-bundle", category=Category.TLS, severity=Severity.HIGH,
       title="The CA bundle Go loads exists and holds certificates")
def ca_bundle(f: Facts) -> Finding:
    """Finds the CA bundle Go's crypto/x509 loads on Linux: SSL_CERT_FILE (and SSL_CERT_DIR) when set,
    else the first existing file of /etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt,
    ... plus /etc/ssl/certs and /etc/pki/tls/certs; then parses it. Without certificates every HTTPS call
    fails with `tls: failed to verify certificate: x509: certificate signed by unknown authority`.
    Fix: install ca-certificates (or `COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`
    in a scratch image), or point SSL_CERT_FILE at a real PEM bundle."""
    root = target_root(f)
    env = target_env(f)
    now = datetime.now(timezone.utc)
    files = [env["SSL_CERT_FILE"]] if env.get("SSL_CERT_FILE") else list(CERT_FILES)
    dirs = [d for d in env["SSL_CERT_DIR"].split(":") if d] if "SSL_CERT_DIR" in env else list(CERT_DIRS)
    chosen = None
    for name in files:
        data = _read(root / name.lstrip("/"))
        if data:
            chosen = (name, data)
            break
    ev: dict[str, Any] = {"SSL_CERT_FILE": env.get("SSL_CERT_FILE", ""), "SSL_CERT_DIR": env.get("SSL_CERT_DIR", "")}
    good = bad = expired = 0
    if chosen is not None:
        good, bad, expired = count_certs(chosen[1], now)
        ev.update({"file": chosen[0], "certificates": good, "unparsable": bad, "expired": expired})
    dir_certs = 0
    for d in dirs if chosen is None or good == 0 else ():  # the directories matter when the file gives nothing
        try:
            names = sorted(os.listdir(root / d.lstrip("/")))[:MAX_DIR_FILES]
        except OSError:
            continue
        for n in names:
            data = _read(root / d.lstrip("/") / n)
            if data and BEGIN in data:
                dir_certs += count_certs(data, now)[0] if chosen is None else 1
    if chosen is None or good == 0:
        ev["dir certificates"] = dir_certs
    if env.get("SSL_CERT_FILE") and chosen is None:
        return fail(f"SSL_CERT_FILE={env['SSL_CERT_FILE']} does not exist or is empty; Go loads no roots from it",
                    fix="point SSL_CERT_FILE at a PEM bundle (e.g. /etc/ssl/certs/ca-certificates.crt) or unset it", **ev)
    if env.get("SSL_CERT_FILE") and chosen is not None and good == 0:
        rest = f"Go is left with the {dir_certs} certificate files in {', '.join(dirs)}" if dir_certs else \
            "Go has no roots: `x509: certificate signed by unknown authority`"
        return fail(f"SSL_CERT_FILE={env['SSL_CERT_FILE']} holds no parsable certificate ({bad} bad PEM blocks); {rest}",
                    fix="point SSL_CERT_FILE at a PEM bundle (e.g. /etc/ssl/certs/ca-certificates.crt) or unset it", **ev)
    if chosen is not None and good == 0 and dir_certs == 0:
        return fail(f"{chosen[0]} holds no parsable certificate ({bad} bad PEM blocks): every TLS handshake "
                    "fails with `x509: certificate signed by unknown authority`",
                    fix="replace it with a PEM bundle (apt-get install --reinstall ca-certificates) or unset SSL_CERT_FILE", **ev)
    if chosen is None and dir_certs == 0:
        return fail(f"no CA bundle: none of {', '.join(files)} exists and {', '.join(dirs)} hold no certificates",
                    fix="install ca-certificates, or copy /etc/ssl/certs/ca-certificates.crt into the image", **ev)
    where = f"{chosen[0]}: {good} certificates" if chosen else f"{dir_certs} certificates in {', '.join(dirs)}"
    extra = f" ({expired} expired, {bad} unparsable)" if expired or bad else ""
    return ok(f"{where}{extra}", **ev)


@check("tls.tzdata", category=Category.TLS, severity=Severity.MEDIUM, title="Time zone data is available")
def tzdata(f: Facts) -> Finding:
    """Checks that time.LoadLocation can find zone data: ZONEINFO when set, else /usr/share/zoneinfo
    (also /usr/share/lib/zoneinfo, /usr/lib/locale/TZ). Without it Go fails with
    `unknown time zone Europe/Berlin` (unless the binary embeds time/tzdata).
    Fix: install tzdata, copy /usr/share/zoneinfo into the image, or build with `-tags timetzdata`."""
    root = target_root(f)
    env = target_env(f)
    zi = env.get("ZONEINFO")
    if zi:
        if (root / zi.lstrip("/")).exists():
            return ok(f"ZONEINFO={zi} exists", ZONEINFO=zi)
        return warn(f"ZONEINFO={zi} does not exist: time.LoadLocation reports `unknown time zone`",
                    fix="point ZONEINFO at a zoneinfo directory or zip, or unset it", ZONEINFO=zi)
    for d in ("/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ"):
        if (root / d.lstrip("/") / "UTC").exists() or (root / d.lstrip("/") / "Etc/UTC").exists():
            return ok(f"zone data in {d}", dir=d)
    return warn("no zone data in /usr/share/zoneinfo and ZONEINFO unset: `unknown time zone` for named zones",
                fix="apt-get install tzdata (or apk add tzdata), or build with -tags timetzdata")
