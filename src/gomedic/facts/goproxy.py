"""GOPROXY and GOSUMDB values as cmd/go reads them (pure).

`proxy_list` follows cmd/go/internal/modfetch.proxyList: entries split on `,` (fall through on 404/410)
and `|` (fall through on any error); `off` and `direct` end the list; a dotted entry without a scheme
gets `https://`; any other entry must be an http, https or file URL.
"""

from __future__ import annotations

import os
import posixpath

from gomedic.values import frozen


@frozen
class ProxyEntry:
    url: str  # "direct", "off", or a URL
    fallback_on_error: bool  # followed by "|"


@frozen
class ProxyList:
    entries: tuple[ProxyEntry, ...]
    error: str | None = None  # cmd/go's own error when the list is rejected
    ignored: tuple[str, ...] = ()  # entries after `off`/`direct`, which cmd/go never reads

    @property
    def urls(self) -> list[str]:
        return [e.url for e in self.entries if e.url not in ("direct", "off")]

    @property
    def has_direct(self) -> bool:
        return any(e.url == "direct" for e in self.entries)

    @property
    def is_off(self) -> bool:
        return bool(self.entries) and self.entries[0].url == "off"


def _plain_http(url: str) -> bool:
    """An http(s) URL that urlsplit accepts whatever follows the scheme: ASCII (no NFKC check of the
    host) and no brackets (no IPv6 host check). The usual GOPROXY is judged without importing
    urllib.parse (with ipaddress, ~1.8 ms of `gomedic check`'s start-up)."""
    return url.isascii() and "[" not in url and "]" not in url and url[:8].lower().startswith(("http://", "https://"))


def _url_error(url: str) -> str | None:
    if _plain_http(url):
        return None
    from urllib.parse import urlsplit

    try:
        u = urlsplit(url)
    except ValueError as e:
        return f'parse "{url}": {e}'
    scheme = u.scheme.lower()
    if scheme in ("http", "https"):
        return None
    if scheme == "file":
        if u.netloc or u.query or u.fragment:
            return f"invalid file:// proxy URL with non-path elements: {url}"
        return None
    if scheme == "":
        return f"invalid proxy URL missing scheme: {url}"
    return f"invalid proxy URL scheme (must be https, http, file): {url}"


def proxy_list(value: str) -> ProxyList:
    entries: list[ProxyEntry] = []
    rest = value
    while rest:
        cut = min((i for i in (rest.find(","), rest.find("|")) if i >= 0), default=-1)
        if cut >= 0:
            url, fallback, rest = rest[:cut], rest[cut] == "|", rest[cut + 1 :]
        else:
            url, fallback, rest = rest, False, ""
        url = url.strip()
        if not url:
            continue
        if url in ("off", "direct"):
            entries.append(ProxyEntry(url, fallback))
            ignored = tuple(x.strip() for x in rest.replace("|", ",").split(",") if x.strip())
            return ProxyList(tuple(entries), None, ignored)
        if any(c in url for c in ".:/") and ":/" not in url and not os.path.isabs(url) and not posixpath.isabs(url):
            url = "https://" + url
        err = _url_error(url)
        if err:
            return ProxyList(tuple(entries), err)
        entries.append(ProxyEntry(url, fallback))
    if not entries and value:
        return ProxyList((), "GOPROXY list is not the empty string, but contains no entries")
    return ProxyList(tuple(entries))


@frozen
class SumDB:
    name: str  # "off", "sum.golang.org", ...
    url: str | None  # where it is fetched from; None when off


def sumdb(value: str) -> SumDB:
    """GOSUMDB: `off`, `name`, `name+key`, or `name+key url` (cmd/go/internal/modfetch/sumdb.go)."""
    value = value.strip()
    if value in ("", "sum.golang.org"):
        return SumDB("sum.golang.org", "https://sum.golang.org")
    if value == "off":
        return SumDB("off", None)
    if value == "sum.golang.google.cn":
        return SumDB(value, "https://sum.golang.google.cn")
    parts = value.split()
    name = parts[0].split("+", 1)[0]
    if len(parts) >= 2:
        url = parts[1]
        return SumDB(name, url if "://" in url else "https://" + url)
    return SumDB(name, "https://" + name)
