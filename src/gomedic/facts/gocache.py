"""The Go build cache on disk (GOCACHE): a structural verification, without running go.

Layout (cmd/go/internal/cache): 256 directories `00`..`ff`; `<actionID>-a` entry files of exactly
175 bytes, `v1 <actionID hex> <outputID hex> <size, 20 wide> <unixnano, 20 wide>\\n`; `<outputID>-d`
output files whose SHA-256 is their output ID. go treats a malformed entry or an output of the wrong
size as a miss, but an output with the right size and the wrong content is used as is: that is the
corruption that breaks builds.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from dataclasses import field as dc_field

from gomedic import safeio
from gomedic.facts import Facts, fact
from gomedic.values import frozen

ENTRY_SIZE = 175
_ENTRY = re.compile(rb"^v1 ([0-9a-f]{64}) ([0-9a-f]{64}) ([ 0-9]{20}) ([ 0-9]{20})\n$")
_HEX2 = re.compile(r"^[0-9a-f]{2}$")


@frozen
class Entry:
    action: str
    output: str
    size: int
    time_ns: int


def parse_entry(data: bytes) -> Entry | None:
    """An action entry file's contents, or None when malformed (pure)."""
    if len(data) != ENTRY_SIZE:
        return None
    m = _ENTRY.match(data)
    if not m:
        return None
    try:
        size, t = int(m.group(3).strip() or b"x"), int(m.group(4).strip() or b"x")
    except ValueError:
        return None
    return Entry(m.group(1).decode(), m.group(2).decode(), size, t)


@dataclass
class CacheScan:
    root: str
    entries: int = 0
    outputs_checked: int = 0
    bytes_hashed: int = 0
    corrupt: list[str] = dc_field(default_factory=list)  # outputs whose content does not match their ID
    malformed: list[str] = dc_field(default_factory=list)  # entries go ignores (and rebuilds)
    truncated: bool = False  # stopped at a limit


def _sha256(path: str) -> str:
    import hashlib

    h = hashlib.sha256()
    with safeio.open_binary(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def scan(root: str, *, max_entries: int, max_bytes: int) -> CacheScan:
    """Verify up to max_entries entries and max_bytes of outputs under root (I/O, bounded)."""
    res = CacheScan(root)
    seen: set[str] = set()
    try:
        subdirs = sorted(d for d in os.listdir(root) if _HEX2.match(d))
    except OSError:
        return res
    for sub in subdirs:
        try:
            names = sorted(os.listdir(os.path.join(root, sub)))
        except OSError:
            continue
        for name in names:
            if not name.endswith("-a"):
                continue
            if res.entries >= max_entries or res.bytes_hashed >= max_bytes:
                res.truncated = True
                return res
            res.entries += 1
            path = os.path.join(root, sub, name)
            try:
                with safeio.open_binary(path) as fh:
                    data = fh.read(ENTRY_SIZE + 1)
            except OSError:
                continue
            e = parse_entry(data)
            if e is None or name != e.action + "-a":
                res.malformed.append(path)
                continue
            if e.output in seen:
                continue
            seen.add(e.output)
            out = os.path.join(root, e.output[:2], e.output + "-d")
            try:
                size = os.path.getsize(out)
            except OSError:
                continue  # a missing output is a miss: go rebuilds it
            if size != e.size:
                res.malformed.append(out)
                continue
            res.outputs_checked += 1
            res.bytes_hashed += size
            try:
                if _sha256(out) != e.output:
                    res.corrupt.append(out)
            except OSError:
                continue
    return res


@fact("build.cache-scan")
def CACHE_SCAN(f: Facts) -> CacheScan:
    """GOCACHE verified up to the limits of build.cache (build.cache.max_entries, build.cache.max_mib)."""
    from gomedic.facts.go import GO_CONFIG

    return scan(f.get(GO_CONFIG).value("GOCACHE"), max_entries=int(f.threshold("build.cache.max_entries")),
                max_bytes=int(f.threshold("build.cache.max_mib")) << 20)
