"""The code signature reader on a real darwin/arm64 binary signed by the Go linker, and on that signature
mutated: it returns a Signature (valid, mismatching or unreadable), never raises, never reads unbounded.
Also the minos/SDK of the older LC_VERSION_MIN_MACOSX command."""

from __future__ import annotations

from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gomedic.binfmt import codesign, macho
from gomedic.binfmt.source import BytesSource
from tests.support.gobuild import corpus


@cache
def signed() -> tuple[bytes, int, int]:
    data = corpus("darwin-arm64").read_bytes()
    f = macho.parse(BytesSource(data, "app"))
    assert f.signature is not None
    return data, *f.signature


def read(data: bytes) -> codesign.Signature | None:
    return codesign.read(macho.parse(BytesSource(data, "mutant")))


def test_the_go_linkers_signature() -> None:
    data, off, size = signed()
    sig = read(data)
    assert sig is not None and sig.valid and sig.ad_hoc and sig.linker_signed and sig.pages == -(-off // 4096)
    assert off + size <= len(data)


def test_a_changed_hash_names_its_page() -> None:
    data, _off, _size = signed()
    mutant = bytearray(data)
    mutant[4096 * 3 + 17] ^= 1  # inside page 3 (__TEXT)
    sig = read(bytes(mutant))
    assert sig is not None and sig.bad_page == 3 and not sig.valid


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.integers(0, 4095), st.integers(0, 255)), min_size=1, max_size=8))
def test_mutated_signature_blob(edits: list[tuple[int, int]]) -> None:
    data, off, size = signed()
    mutant = bytearray(data)
    for at, val in edits:
        mutant[off + at % min(size, 4096)] = val
    sig = read(bytes(mutant))
    assert isinstance(sig, codesign.Signature)  # whatever the bytes: a verdict, not an exception
    if mutant == data:
        assert sig.valid


def test_version_min_macosx_of_older_linkers() -> None:
    """Older linkers wrote LC_VERSION_MIN_MACOSX (version, sdk) instead of LC_BUILD_VERSION: the same
    command of the real binary rewritten as that one (its size kept) gives minos and SDK from it."""
    import struct

    data = bytearray(signed()[0])
    off, found = 32, False
    for _ in range(struct.unpack_from("<I", data, 16)[0]):
        cmd, size = struct.unpack_from("<II", data, off)
        if cmd == macho.LC_BUILD_VERSION:
            struct.pack_into("<III", data, off, macho.LC_VERSION_MIN_MACOSX, size, 0x000A0D00)
            struct.pack_into("<I", data, off + 12, 0x000A0E00)
            found = True
        off += size
    assert found
    f = macho.parse(BytesSource(bytes(data), "old"))
    assert (f.minos, f.sdk) == ("10.13", "10.14")
