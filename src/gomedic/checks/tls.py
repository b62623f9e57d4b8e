"""tls.*: the trust store and zone data a Go program reads at run time.

Paths are read under the evaluated root (`/`, or `--root DIR` for an unpacked container); the
environment is the evaluated process's (SSL_CERT_FILE, SSL_CERT_DIR, ZONEINFO).
"""

from __future__ import annotations

from typing import Any

from gomedic.facts import Facts
from gomedic.facts.trust import CA_STORE, ZONE_DATA, CaStore
from gomedic.finding import Finding, fail, ok, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

SET_FILE_FIX = "point SSL_CERT_FILE at a PEM bundle (e.g. /etc/ssl/certs/ca-certificates.crt) or unset it"


@check("tls.ca-bundle", category=Category.TLS, severity=Severity.HIGH,
       title="The CA bundle Go loads exists and holds certificates")
def ca_bundle(f: Facts) -> Finding:
    """Finds the CA bundle Go's crypto/x509 loads on Linux: SSL_CERT_FILE (and SSL_CERT_DIR) when set,
    else the first existing file of /etc/ssl/certs/ca-certificates.crt, /etc/pki/tls/certs/ca-bundle.crt,
    ... plus /etc/ssl/certs and /etc/pki/tls/certs; then parses it. Without certificates every HTTPS call
    fails with `tls: failed to verify certificate: x509: certificate signed by unknown authority`.
    Fix: install ca-certificates (or `COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`
    in a scratch image), or point SSL_CERT_FILE at a real PEM bundle."""
    store = f.get(CA_STORE)
    ev = _evidence(store)
    return _no_roots(store, ev) or _loaded(store, ev)


def _evidence(store: CaStore) -> dict[str, Any]:
    ev: dict[str, Any] = {"SSL_CERT_FILE": store.cert_file, "SSL_CERT_DIR": store.cert_dir}
    b = store.bundle
    if b is not None:
        ev.update({"file": b.path, "certificates": b.certificates, "unparsable": b.unparsable, "expired": b.expired})
    if store.dir_certs is not None:
        ev["dir certificates"] = store.dir_certs
    return ev


def _no_roots(store: CaStore, ev: dict[str, Any]) -> Finding | None:
    """The failure when Go would load no usable roots, else None."""
    b, dir_certs, dirs = store.bundle, store.dir_certs or 0, ", ".join(store.dirs)
    if store.cert_file and b is None:
        return fail(f"SSL_CERT_FILE={store.cert_file} does not exist or is empty; Go loads no roots from it",
                    fix=SET_FILE_FIX, **ev)
    if store.cert_file and b is not None and b.certificates == 0:
        rest = f"Go is left with the {dir_certs} certificates in {dirs}" if dir_certs else \
            "Go has no roots: `x509: certificate signed by unknown authority`"
        return fail(f"SSL_CERT_FILE={store.cert_file} holds no parsable certificate ({b.unparsable} bad PEM blocks); "
                    f"{rest}", fix=SET_FILE_FIX, **ev)
    if b is not None and b.certificates == 0 and dir_certs == 0:
        return fail(
            f"{b.path} holds no parsable certificate ({b.unparsable} bad PEM blocks) and {dirs} hold none either: "
            "every TLS handshake fails with `x509: certificate signed by unknown authority`",
            fix="replace it with a PEM bundle (apt-get install --reinstall ca-certificates) or unset SSL_CERT_FILE",
            **ev,
        )
    if b is None and dir_certs == 0:
        return fail(f"no CA bundle: none of {', '.join(store.files)} exists and {dirs} hold no certificates",
                    fix="install ca-certificates, or copy /etc/ssl/certs/ca-certificates.crt into the image", **ev)
    return None


def _loaded(store: CaStore, ev: dict[str, Any]) -> Finding:
    b, dirs = store.bundle, ", ".join(store.dirs)
    where = f"{b.path}: {b.certificates} certificates" if b else f"{store.dir_certs} certificates in {dirs}"
    extra = f" ({b.expired} expired, {b.unparsable} unparsable)" if b and (b.expired or b.unparsable) else ""
    if b and not b.certificates:  # Go's roots come from the directories
        extra += f"; {store.dir_certs} certificates in {dirs}"
    return ok(f"{where}{extra}", **ev)


@check("tls.tzdata", category=Category.TLS, severity=Severity.MEDIUM, title="Time zone data is available")
def tzdata(f: Facts) -> Finding:
    """Checks that time.LoadLocation can find zone data: ZONEINFO when set, else /usr/share/zoneinfo
    (also /usr/share/lib/zoneinfo, /usr/lib/locale/TZ). Without it Go fails with
    `unknown time zone Europe/Berlin` (unless the binary embeds time/tzdata).
    Fix: install tzdata, copy /usr/share/zoneinfo into the image, or build with `-tags timetzdata`."""
    z = f.get(ZONE_DATA)
    zi = z.zoneinfo
    if zi:
        if z.zoneinfo_exists:
            return ok(f"ZONEINFO={zi} exists", ZONEINFO=zi)
        return warn(f"ZONEINFO={zi} does not exist: time.LoadLocation reports `unknown time zone`",
                    fix="point ZONEINFO at a zoneinfo directory or zip, or unset it", ZONEINFO=zi)
    if z.dir is not None:
        return ok(f"zone data in {z.dir}", dir=z.dir)
    return warn("no zone data in /usr/share/zoneinfo and ZONEINFO unset: `unknown time zone` for named zones",
                fix="apt-get install tzdata (or apk add tzdata), or build with -tags timetzdata")
