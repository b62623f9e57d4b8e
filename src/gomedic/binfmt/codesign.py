"""The embedded code signature of a Mach-O slice (LC_CODE_SIGNATURE): its CodeDirectory and whether the page
hashes still match the file. macOS on Apple Silicon kills an arm64 program whose signature is missing or whose
pages no longer match (golang/go#42684); the Go linker signs darwin/arm64 binaries ad hoc.

Only the structure and the code page hashes are checked, as the kernel checks pages when it maps them; a real
certificate chain (Developer ID) is not validated. Blobs are big-endian whatever the slice's byte order.
"""

from __future__ import annotations

import struct

from gomedic.binfmt.macho import MachoFile
from gomedic.values import frozen

SUPERBLOB, CODEDIRECTORY = 0xFADE0CC0, 0xFADE0C02
CD_SLOT = 0  # the index type of the primary CodeDirectory in the SuperBlob
HASHES = {1: ("sha1", 20), 2: ("sha256", 32), 3: ("sha256", 20), 4: ("sha384", 48)}
FULL_SIZE = {"sha1": 20, "sha256": 32, "sha384": 48}  # digest sizes: type 3 keeps 20 bytes of a sha256
CS_ADHOC, CS_LINKER_SIGNED = 0x2, 0x20000
MAX_SIG = 64 << 20
MAX_PAGES = 1 << 20  # 4 GiB of 4 KiB pages


@frozen
class Signature:
    identifier: str
    hash_type: str
    ad_hoc: bool
    linker_signed: bool
    pages: int
    bad_page: int | None  # the first code page whose hash differs (None: all match, or not compared)
    error: str | None = None  # the signature cannot be read: as good as none to the kernel
    checked: bool = True  # the page hashes were compared (read(verify=False) only parses the structure)

    @property
    def valid(self) -> bool:
        return self.error is None and self.bad_page is None

    def describe(self) -> str:
        kind = "ad hoc" + (", linker-signed" if self.linker_signed else "") if self.ad_hoc else "certificate"
        return f"{kind}, identifier {self.identifier or '(none)'}, {self.pages} pages {self.hash_type}"


def _broken(why: str) -> Signature:
    return Signature("", "", False, False, 0, None, why)


def read(f: MachoFile, verify: bool = True) -> Signature | None:
    """The slice's signature (None without LC_CODE_SIGNATURE); never raises on a malformed one. With `verify`,
    every code page is read and hashed (the whole slice: a scan of a tree leaves that to the check)."""
    if f.signature is None:
        return None
    off, size = f.signature
    if size < 12 or size > MAX_SIG or off + size > f.src.size - f.base:
        return _broken(f"LC_CODE_SIGNATURE points outside the file ({size} bytes at {off})")
    blob = f.src.read(f.base + off, size)
    try:
        return _superblob(f, blob, off, verify)
    except struct.error as e:
        return _broken(f"truncated code signature: {e}")


def _superblob(f: MachoFile, blob: bytes, sig_off: int, verify: bool) -> Signature:
    magic, _length, count = struct.unpack_from(">III", blob, 0)
    if magic != SUPERBLOB:
        return _broken(f"code signature magic {magic:#x} is not an embedded signature")
    for i in range(min(count, 64)):
        typ, at = struct.unpack_from(">II", blob, 12 + 8 * i)
        if typ == CD_SLOT:
            return _directory(f, blob, at, sig_off, verify)
    return _broken("the code signature has no CodeDirectory")


def _directory(f: MachoFile, blob: bytes, at: int, sig_off: int, verify: bool) -> Signature:
    magic, _len, _ver, flags, hash_off, ident_off, _nspecial, nslots, limit = struct.unpack_from(">9I", blob, at)
    hash_size, hash_type, _plat, page_log = struct.unpack_from(">4B", blob, at + 36)
    if magic != CODEDIRECTORY:
        return _broken(f"CodeDirectory magic {magic:#x}")
    ident = blob[at + ident_off:].split(b"\0", 1)[0].decode("utf-8", "replace")
    algo = HASHES.get(hash_type)
    if algo is None or algo[1] != hash_size:
        return _broken(f"unknown hash type {hash_type} (size {hash_size})")
    page = 1 << page_log if page_log else limit
    if nslots > MAX_PAGES or limit > sig_off or page == 0 or nslots != -(-limit // page):
        return _broken(f"CodeDirectory covers {limit} bytes in {nslots} pages of {page}: inconsistent")
    bad = None
    if verify:
        import hashlib  # here: OpenSSL's hashlib is ~3 ms of start-up, and only pages being verified need it
    for i in range(nslots if verify else 0):
        start = i * page
        data = f.src.read(f.base + start, min(page, limit - start))
        want = blob[at + hash_off + i * hash_size: at + hash_off + (i + 1) * hash_size]
        if hashlib.new(algo[0], data).digest()[:hash_size] != want:
            bad = i
            break
    return Signature(ident, algo[0] + ("" if algo[1] == FULL_SIZE[algo[0]] else f"/{algo[1]}"),
                     bool(flags & CS_ADHOC), bool(flags & CS_LINKER_SIGNED), nslots, bad, checked=verify)
