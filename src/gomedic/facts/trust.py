"""What a Go program trusts and reads at run time: the CA bundle crypto/x509 loads, the zone data.

Read under the evaluated root (`/`, or --root) with the evaluated process's environment (SSL_CERT_FILE,
SSL_CERT_DIR, ZONEINFO). `count_certs` is the pure parser of a PEM bundle.
"""

from __future__ import annotations

import warnings
from datetime import datetime, timezone
from pathlib import Path

from gomedic.facts import Facts, fact
from gomedic.facts.door import Reader
from gomedic.facts.proc import target_env, target_root
from gomedic.values import frozen

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
ZONE_DIRS = ("/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ")
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


@frozen
class Bundle:
    """The CA file Go loads (the first non-empty one) and what it holds."""

    path: str
    certificates: int
    unparsable: int
    expired: int


@frozen
class CaStore:
    cert_file: str  # SSL_CERT_FILE of the evaluated process ("" when unset)
    cert_dir: str  # SSL_CERT_DIR ("" when unset)
    files: tuple[str, ...]  # the files Go tries, in order
    dirs: tuple[str, ...]  # the directories it reads
    bundle: Bundle | None  # None: none of `files` exists or is non-empty
    dir_certs: int | None  # certificates in `dirs`; None: not read (the bundle gives certificates)


def first_bundle(reader: Reader, root: Path, files: tuple[str, ...], now: datetime) -> Bundle | None:
    for name in files:
        data = reader.data(root, name, MAX_BUNDLE)
        if data:
            return Bundle(name, *count_certs(data, now))
    return None


def dir_certificates(reader: Reader, root: Path, dirs: tuple[str, ...], now: datetime) -> int:
    """Certificates parsed from the directories' files, as Go appends each file it reads there (the bundle
    itself is often one of them: /etc/ssl/certs/ca-certificates.crt; unparsable, it gives nothing)."""
    found = 0
    for d in dirs:
        try:
            names = sorted(reader.listdir(root, d))[:MAX_DIR_FILES]
        except OSError:
            continue
        for n in names:
            data = reader.data(root, f"{d.rstrip('/')}/{n}", MAX_BUNDLE)
            if data and BEGIN in data:
                found += count_certs(data, now)[0]
    return found


@fact("tls.ca-store")
def CA_STORE(f: Facts) -> CaStore:
    root, env, now = target_root(f), target_env(f), datetime.now(timezone.utc)
    files = (env["SSL_CERT_FILE"],) if env.get("SSL_CERT_FILE") else CERT_FILES
    dirs = tuple(d for d in env["SSL_CERT_DIR"].split(":") if d) if "SSL_CERT_DIR" in env else CERT_DIRS
    bundle = first_bundle(f.reader, root, files, now)
    dir_certs = None
    if bundle is None or bundle.certificates == 0:  # the directories matter when the file gives nothing
        dir_certs = dir_certificates(f.reader, root, dirs, now)
    return CaStore(env.get("SSL_CERT_FILE", ""), env.get("SSL_CERT_DIR", ""), files, dirs, bundle, dir_certs)


@frozen
class ZoneData:
    zoneinfo: str  # ZONEINFO of the evaluated process ("" when unset)
    zoneinfo_exists: bool
    dir: str | None  # the first of ZONE_DIRS with UTC or Etc/UTC; None when none (or ZONEINFO is set)


@fact("tls.zone-data")
def ZONE_DATA(f: Facts) -> ZoneData:
    root, zi, r = target_root(f), target_env(f).get("ZONEINFO") or "", f.reader
    if zi:
        return ZoneData(zi, r.exists(root, zi), None)
    found = next((d for d in ZONE_DIRS if r.exists(root, d + "/UTC") or r.exists(root, d + "/Etc/UTC")), None)
    return ZoneData("", False, found)
