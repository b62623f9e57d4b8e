"""Go's version ordering and the OSV range walk, against real entries."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from gomedic.vulndb import match
from gomedic.vulndb.osv import Affected, Event, Range
from tests.support.vulnmirror import DATA


def test_semver_order_as_go_orders_it() -> None:
    ordered = [
        "v0.0.0-20190125002852-4b62a64f59f7",
        "v0.0.0-20210405180319-a5a99cb37ef4",
        "v0.0.0",
        "v0.1.1-0.20221104162952-702349b0e862",  # pseudo-version after v0.1.0: a prerelease of v0.1.1
        "v0.1.1",
        "v1.0.0-alpha",
        "v1.0.0-alpha.1",
        "v1.0.0-alpha.beta",
        "v1.0.0-beta.2",
        "v1.0.0-beta.11",
        "v1.0.0-rc.1",
        "v1.0.0",
        "v2.0.0",
    ]
    for i, a in enumerate(ordered):
        for j, b in enumerate(ordered):
            assert match.compare(a, b) == (i > j) - (i < j), (a, b)


def test_incompatible_is_build_metadata() -> None:
    assert match.compare("v2.0.0+incompatible", "v2.0.0") == 0
    assert match.compare("v2.0.1+incompatible", "v2.0.0") == 1
    assert match.compare("garbage", "v0.0.0") == -1
    assert match.compare("garbage", "other") == 0


def test_go_releases_as_semver() -> None:
    assert match.go_to_semver("go1.19") == "v1.19.0"
    assert match.go_to_semver("go1.22.10") == "v1.22.10"
    assert match.go_to_semver("go1.21rc2") == "v1.21.0-rc.2"
    assert match.go_to_semver("go1.9beta1") == "v1.9.0-beta.1"
    assert match.go_to_semver("go1.24.0 X:nodwarf5") == "v1.24.0"
    assert match.go_to_semver("devel go1.23-abcdef") is None
    assert match.compare(match.go_to_semver("go1.21rc2") or "", "v1.21.0-0") == 1  # introduced 1.21.0-0


def _range(*events: tuple[str, str]) -> Affected:
    return Affected("m", (Range("SEMVER", tuple(Event(**{k: v}) for k, v in events)),))


def test_range_walk() -> None:
    a = _range(("introduced", "0"), ("fixed", "1.2.3"), ("introduced", "1.3.0"), ("fixed", "1.3.4"))
    assert match.affects(a, "v1.2.2")
    assert not match.affects(a, "v1.2.3")
    assert match.affects(a, "v1.3.0")
    assert not match.affects(a, "v1.3.4")
    assert match.first_fixed(a, "v1.3.1") == "v1.3.4"
    assert match.first_fixed(a, "v1.0.0") == "v1.2.3"
    assert match.affects(Affected("m"), "v9.9.9")  # no range: every version
    assert match.affects(a, "")  # unknown version: affected, as x/vuln


def test_real_pseudo_version_range() -> None:
    """GO-2023-1495 is introduced and fixed at pseudo-versions (golang.org/x/net h2c)."""
    from gomedic.vulndb import osv

    e = osv.parse((DATA / "GO-2023-1495.json").read_bytes(), "GO-2023-1495")
    a = e.affected[0]
    assert not match.affects(a, "v0.0.0-20220524220424-000000000000")
    assert match.affects(a, "v0.0.0-20220524220425-1d687d428aca")
    assert match.affects(a, "v0.1.0")
    assert match.affects(a, "v0.1.1-0.20221104162951-000000000000")
    assert not match.affects(a, "v0.1.1-0.20221104162952-702349b0e862")
    assert not match.affects(a, "v0.2.0")


def test_real_stdlib_range() -> None:
    """GO-2023-2382 (CVE-2023-39326, net/http chunked encoding): fixed in go1.20.12 and go1.21.5."""
    from gomedic.vulndb import osv

    e = osv.parse((DATA / "GO-2023-2382.json").read_bytes(), "GO-2023-2382")
    a = next(x for x in e.affected if x.module == "stdlib")
    assert match.affects(a, match.go_to_semver("go1.19.8") or "")
    assert not match.affects(a, "v1.20.12")
    assert match.affects(a, "v1.21.4")
    assert not match.affects(a, match.go_to_semver("go1.21.5") or "")
    assert match.first_fixed(a, "v1.21.4") == "v1.21.5"


_ident = st.from_regex(r"\A(0|[1-9][0-9]{0,2}|[a-z][a-z0-9-]{0,4})\Z")
_version = st.builds(
    lambda a, b, c, pre, build: f"v{a}.{b}.{c}" + ("-" + ".".join(pre) if pre else "") + ("+" + build if build else ""),
    st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.lists(_ident, max_size=3),
    st.sampled_from(["", "incompatible"]))


@given(_version, _version, _version)
def test_compare_is_a_total_order(a: str, b: str, c: str) -> None:
    assert match.compare(a, b) == -match.compare(b, a)
    if match.compare(a, b) <= 0 and match.compare(b, c) <= 0:
        assert match.compare(a, c) <= 0


@given(st.text(max_size=40))
def test_compare_never_raises(s: str) -> None:
    assert match.compare(s, "v1.0.0") in (-1, 0, 1)
    match.go_to_semver(s)


@given(st.one_of(_version, st.text(max_size=12)), st.one_of(_version, st.text(max_size=12)))
def test_key_orders_as_compare(a: str, b: str) -> None:
    ka, kb = match.key(a), match.key(b)
    assert (ka > kb) - (ka < kb) == match.compare(a, b)


@given(st.lists(st.tuples(st.sampled_from(["introduced", "fixed"]), st.sampled_from(
    ["0", "1.2.3", "1.3.0", "1.3.4", "0.0.0-20220524220425-1d687d428aca", "1.21.0-0", "1.21.0-rc.1", "x"])),
    max_size=6), _version)
def test_range_walk_as_compare_walks_it(events: list[tuple[str, str]], version: str) -> None:
    """The parsed walk (Ranges) answers as the walk of x/vuln written with compare() would."""
    from functools import cmp_to_key

    r = Range("SEMVER", tuple(Event(**{k: v}) for k, v in events))
    affected = False
    for e in sorted(r.events, key=cmp_to_key(match._event_cmp)):
        if not affected and e.introduced:
            affected = e.introduced == "0" or match.compare(version, "v" + e.introduced) >= 0
        elif affected and e.fixed:
            affected = match.compare(version, "v" + e.fixed) < 0
    assert match.affects(Affected("m", (r,)), version) == affected
    fixes = ["v" + e.fixed for e in r.events if e.fixed and match.compare("v" + e.fixed, version) > 0]
    assert match.first_fixed(Affected("m", (r,)), version) == (min(fixes, key=cmp_to_key(match.compare))
                                                                if fixes else None)
