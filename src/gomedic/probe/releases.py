"""Which Go releases are supported, in the shape the probe judges them, and a pure verdict.

The data is gomedic's one release file, targets/data/go-releases.json (validated by targets.gorelease);
`parse` validates the same schema for documents given directly (tests, callers with their own data).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from gomedic.binfmt import goversion
from gomedic.errors import ConfigError
from gomedic.values import frozen

DATA = "go-releases.json"


@frozen
class ReleaseData:
    as_of: str
    supported_minors: int
    latest: Mapping[int, str]  # minor (27) -> latest patch release ("1.27.3")

    @property
    def supported(self) -> tuple[int, ...]:
        return tuple(sorted(self.latest, reverse=True)[: self.supported_minors])


def parse(doc: Any, *, source: str = DATA) -> ReleaseData:
    """Validate the release data; ConfigError names the file and the key."""
    if not isinstance(doc, dict) or doc.get("schema") != "gomedic/go-releases/v1":
        raise ConfigError(f"{source}: not a gomedic/go-releases/v1 document")
    n = doc.get("supported_minors")
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 10:
        raise ConfigError(f"{source}: supported_minors: expected an integer 1..10")
    latest = doc.get("latest")
    if not isinstance(latest, dict) or not latest:
        raise ConfigError(f"{source}: latest: expected a non-empty object")
    out: dict[int, str] = {}
    for k, v in latest.items():
        m = goversion.minor("go" + str(k))
        if m is None or not isinstance(v, str) or goversion.minor("go" + v) != m or not goversion.is_valid("go" + v):
            raise ConfigError(f"{source}: latest.{k}: expected a release of 1.{k} like \"{k}.0\", got {v!r}")
        out[m] = v
    as_of = doc.get("as_of")
    if not isinstance(as_of, str):
        raise ConfigError(f"{source}: as_of: expected a date")
    return ReleaseData(as_of, n, MappingProxyType(out))


@lru_cache(maxsize=1)
def load() -> ReleaseData:
    """targets/data/go-releases.json, keyed by minor number: one source for the binary and the probe."""
    from gomedic.targets.gorelease import releases

    rel = releases()
    return parse({"schema": "gomedic/go-releases/v1", "as_of": rel.as_of, "supported_minors": rel.supported_minors,
                  "latest": dict(rel.latest)}, source="targets/data/go-releases.json")


class Support(str, Enum):
    CURRENT = "current"  # a supported minor at its latest known patch (or newer than the data)
    OLD_PATCH = "old-patch"  # a supported minor, not at its latest patch
    UNSUPPORTED = "unsupported"
    UNKNOWN = "unknown"  # not a release version (devel, garbage)


@frozen
class Verdict:
    support: Support
    version: str
    latest: str | None  # the release to move to, when there is one


def judge(version: str, data: ReleaseData) -> Verdict:
    """`go1.25.3` against the data: CURRENT, OLD_PATCH (rebuild with 1.25.5) or UNSUPPORTED."""
    v = version.split()[0] if version.strip() else version
    m = goversion.minor(v)
    if m is None or not goversion.is_valid(v):
        return Verdict(Support.UNKNOWN, version, None)
    newest = max(data.latest)
    if m > newest:
        return Verdict(Support.CURRENT, version, None)
    if m not in data.supported:
        return Verdict(Support.UNSUPPORTED, version, data.latest[newest])
    latest = data.latest[m]
    if goversion.compare(v, "go" + latest) < 0:
        return Verdict(Support.OLD_PATCH, version, latest)
    return Verdict(Support.CURRENT, version, latest)
