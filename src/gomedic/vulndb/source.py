"""Where the database is read from: an http(s) URL or a file:/// mirror directory (as govulncheck's -db).

`GOVULNDB` (or `--vulndb`) names it; the default is https://vuln.go.dev. Every read is bounded: a timeout
per request and a size cap enforced while reading, so a hostile or broken server cannot hang or flood us.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Mapping
from typing import Protocol

from gomedic.errors import UsageError
from gomedic.values import frozen
from gomedic.vulndb.errors import NotFound, Unreachable

DEFAULT = "https://vuln.go.dev"
TIMEOUT_S = 15.0
MAX_BYTES = 64 << 20  # the largest file of vuln.go.dev (index/modules.json) is a few MB


@frozen
class Got:
    """A file's bytes, or not_modified when the server answered 304 to If-Modified-Since."""

    data: bytes = b""
    not_modified: bool = False


class Source(Protocol):
    url: str

    def get(self, rel: str, if_modified_since: str | None = None) -> Got: ...


class FileSource:
    """A local mirror: file:///srv/vulndb reads /srv/vulndb/<rel>."""

    def __init__(self, url: str, root: str) -> None:
        self.url = url
        self.root = root

    def get(self, rel: str, if_modified_since: str | None = None) -> Got:
        path = os.path.join(self.root, *rel.split("/"))
        try:
            with open(path, "rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise NotFound(f"{self.url}/{rel}: no such file in the mirror") from None
        except OSError as e:
            if not os.path.isdir(self.root):
                raise Unreachable(f"{self.url}: the mirror directory {self.root} does not exist") from None
            raise Unreachable(f"{self.url}/{rel}: {e.strerror or e}") from None
        if len(data) > MAX_BYTES:
            raise Unreachable(f"{self.url}/{rel}: larger than {MAX_BYTES} bytes")
        return Got(data)


class HttpSource:
    """vuln.go.dev or a mirror served over HTTP(S); no retries, no environment proxies."""

    def __init__(self, url: str, timeout: float = TIMEOUT_S, max_bytes: int = MAX_BYTES) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self._pool: object | None = None

    def _manager(self) -> object:
        if self._pool is None:
            import urllib3

            self._pool = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(self.timeout, self.timeout))
        return self._pool

    def get(self, rel: str, if_modified_since: str | None = None) -> Got:
        import urllib3

        url = f"{self.url}/{rel}"
        headers: Mapping[str, str] = {"If-Modified-Since": if_modified_since} if if_modified_since else {}
        pool = self._manager()
        assert isinstance(pool, urllib3.PoolManager)
        try:
            r = pool.request("GET", url, headers=dict(headers), preload_content=False, redirect=False)
        except urllib3.exceptions.HTTPError as e:
            raise Unreachable(f"{url}: {_reason(e)}") from None
        try:
            if r.status == 304:
                return Got(not_modified=True)
            if r.status == 404:
                raise NotFound(f"{url}: 404 Not Found")
            if r.status != 200:
                raise Unreachable(f"{url}: HTTP {r.status}")
            return Got(_read_capped(r, url, self.max_bytes))
        except urllib3.exceptions.HTTPError as e:
            raise Unreachable(f"{url}: {_reason(e)}") from None
        finally:
            r.release_conn()


def _read_capped(r: object, url: str, cap: int) -> bytes:
    import urllib3

    assert isinstance(r, urllib3.BaseHTTPResponse)
    out = bytearray()
    for chunk in r.stream(1 << 16):
        out += chunk
        if len(out) > cap:
            raise Unreachable(f"{url}: larger than {cap} bytes")
    return bytes(out)


def _reason(e: Exception) -> str:
    inner = getattr(e, "reason", None)
    return str(inner or e)


def configured(explicit: str | None, env: Mapping[str, str]) -> str:
    """--vulndb, else GOVULNDB, else vuln.go.dev."""
    return (explicit or env.get("GOVULNDB") or DEFAULT).strip()


def open_source(url: str) -> Source:
    """An https://, http:// or file:/// source; anything else is a usage error (exit 2)."""
    u = urllib.parse.urlsplit(url)
    if u.scheme in ("https", "http") and u.hostname:
        if u.username or u.password:
            raise UsageError(f"{u.scheme}://{u.hostname}...: credentials in the vulnerability database URL are "
                             "not supported (they would be written to the cache key and to reports)")
        return HttpSource(url)
    if u.scheme == "file" and u.netloc in ("", "localhost") and u.path.startswith("/"):
        return FileSource(url.rstrip("/"), urllib.parse.unquote(u.path))
    raise UsageError(f"{url!r} is not a vulnerability database source: give an https:// URL or a "
                     "file:///absolute/path mirror (as govulncheck's -db takes)")
