"""Pure parsers behind the modules/cgo/build checks: known inputs and hostile ones."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.facts import gocache, golist, goproxy, modvendor
from gomedic.facts.cctool import include_dirs, resolve, sysroot
from gomedic.facts.modfile import parse as parse_mod
from gomedic.facts.modpolicy import goflags_downgrades, is_private_path

junk = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400)


def test_proxy_list_matches_cmd_go_rules() -> None:
    pl = goproxy.proxy_list("proxy.example.com|https://b.example , direct,https://never")
    assert [e.url for e in pl.entries] == ["https://proxy.example.com", "https://b.example", "direct"]
    assert pl.entries[0].fallback_on_error and not pl.entries[1].fallback_on_error
    assert pl.ignored == ("https://never",)
    assert goproxy.proxy_list("file:///srv/p?x=1").error == "invalid file:// proxy URL with non-path elements: " \
        "file:///srv/p?x=1"
    assert goproxy.proxy_list("/abs/path").error == "invalid proxy URL missing scheme: /abs/path"


def test_sumdb_forms() -> None:
    assert goproxy.sumdb("off").url is None
    assert goproxy.sumdb("").url == "https://sum.golang.org"
    assert goproxy.sumdb("sum.corp+abc https://sumproxy.corp/x") == goproxy.SumDB("sum.corp", "https://sumproxy.corp/x")


@settings(max_examples=300, deadline=None)
@given(junk)
def test_proxy_and_sumdb_never_crash(value: str) -> None:
    pl = goproxy.proxy_list(value)
    assert pl.error is None or isinstance(pl.error, str)
    goproxy.sumdb(value)


def test_modules_txt_consistency() -> None:
    mod = parse_mod("module m\n\ngo 1.22\n\nrequire (\n\ta.com/x v1.0.0\n\tb.com/y v1.1.0\n)\n\n"
                    "replace b.com/y => ../y\n")
    good = modvendor.parse("# a.com/x v1.0.0\n## explicit; go 1.20\na.com/x\n# b.com/y v1.1.0 => ../y\n## explicit\n"
                           "b.com/y\n# b.com/y => ../y\n")
    assert modvendor.inconsistencies(mod, good) == []
    stale = modvendor.parse("# a.com/x v0.9.0\n## explicit\na.com/x\n# c.com/z v1.0.0\n## explicit\nc.com/z\n")
    errs = modvendor.inconsistencies(mod, stale)
    assert "a.com/x@v1.0.0: is explicitly required in go.mod, but not marked as explicit in vendor/modules.txt" in errs
    assert "b.com/y: is replaced in go.mod, but not marked as replaced in vendor/modules.txt" in errs
    assert "c.com/z@v1.0.0: is marked as explicit in vendor/modules.txt, but not explicitly required in go.mod" in errs


@settings(max_examples=300, deadline=None)
@given(junk, junk)
def test_modules_txt_never_crashes(gomod: str, txt: str) -> None:
    modvendor.inconsistencies(parse_mod(gomod), modvendor.parse(txt))


def test_cache_entry() -> None:
    a, o = "a" * 64, "b" * 64
    data = f"v1 {a} {o} {12:>20} {1700000000000000000:>20}\n".encode()
    assert len(data) == gocache.ENTRY_SIZE
    assert gocache.parse_entry(data) == gocache.Entry(a, o, 12, 1700000000000000000)
    assert gocache.parse_entry(data[:-1]) is None
    assert gocache.parse_entry(data.replace(b"v1", b"v2")) is None


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_cache_entry_never_crashes(data: bytes) -> None:
    gocache.parse_entry(data)


def test_cache_scan_of_a_hostile_tree(tmp_path: Path) -> None:
    (tmp_path / "00").mkdir()
    (tmp_path / "00" / "junk-a").write_bytes(b"\x00" * 175)
    (tmp_path / "zz").mkdir()
    os.symlink(tmp_path / "00", tmp_path / "01")  # a loop-ish link is just another directory here
    res = gocache.scan(str(tmp_path), max_entries=100, max_bytes=1 << 20)
    assert res.entries == 2 and len(res.malformed) == 2 and not res.corrupt


def test_go_list_stream() -> None:
    text = (
        '{"ImportPath": "a", "Standard": true}\n{"ImportPath": "b", "GoFiles": ["x.go"], "Error": {"Err": "e"}}\n{"Imp'
    )
    pkgs = golist.parse_stream(text)
    assert [p.import_path for p in pkgs] == ["a", "b"] and pkgs[1].error == "e" and pkgs[1].go_files == ("x.go",)
    assert golist.imports_c(b'package p\n\n// #include <x.h>\nimport "C"\n')
    assert golist.imports_c(b'package p\n\nimport (\n\t"C"\n\t"fmt"\n)\n')
    assert not golist.imports_c(b'package p\n\nimport "fmt"\n\nvar s = "C"\n')


@settings(max_examples=300, deadline=None)
@given(junk)
def test_go_list_stream_never_crashes(text: str) -> None:
    golist.parse_stream(text)


def test_cc_tools() -> None:
    assert sysroot(["-O2", "--sysroot=/sr"]) == "/sr" and sysroot(["--sysroot", "/x"]) == "/x"
    root, dirs = include_dirs(["aarch64-linux-gnu-gcc", "--sysroot=/sr"], ["-I/inc"], "arm64")
    assert root == "/sr" and dirs[0] == "/inc" and "/sr/usr/aarch64-linux-gnu/include" in dirs
    assert resolve("'unterminated", {"PATH": "/usr/bin"}).error


def test_private_paths_and_goflags() -> None:
    assert is_private_path("git.corp.internal/x", "example.com/m")
    assert is_private_path("10.0.0.5/repo", "m") and is_private_path("dev.azure.com/org/p", "m")
    assert is_private_path("gitea.acme.io/team/lib", "gitea.acme.io/team/app")
    assert not is_private_path("github.com/a/b", "github.com/me/app")
    assert [t for t, _ in goflags_downgrades("-trimpath -mod=mod -insecure")] == ["-mod=mod", "-insecure"]


GOOD_ENTRY = f"v1 {'a' * 64} {'b' * 64} {12:>20} {1700000000000000000:>20}\n".encode()


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(GOOD_ENTRY) - 1), st.integers(0, 255))
def test_mutated_cache_entries(at: int, byte: int) -> None:
    data = bytearray(GOOD_ENTRY)
    data[at] = byte
    e = gocache.parse_entry(bytes(data))
    assert e is None or len(e.action) == len(e.output) == 64
    assert gocache.parse_entry(GOOD_ENTRY[:at]) is None  # every truncation is refused


MODULES_TXT = "# a.com/x v1.0.0\n## explicit; go 1.20\na.com/x\n# b.com/y v1.1.0 => ../y\n## explicit\nb.com/y\n"


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, len(MODULES_TXT)), st.integers(0, len(MODULES_TXT) - 1), st.characters(blacklist_categories=("Cs",))
)
def test_truncated_and_mutated_modules_txt(cut: int, at: int, c: str) -> None:
    mod = parse_mod("module m\n\ngo 1.22\n\nrequire a.com/x v1.0.0\nrequire b.com/y v1.1.0\nreplace b.com/y => ../y\n")
    for text in (MODULES_TXT[:cut], MODULES_TXT[:at] + c + MODULES_TXT[at + 1 :]):
        errs = modvendor.inconsistencies(mod, modvendor.parse(text))
        assert all(isinstance(e, str) for e in errs)
    assert modvendor.inconsistencies(mod, modvendor.parse(MODULES_TXT)) == []


def test_oversized_modules_txt_is_bounded(tmp_path: Path) -> None:
    vendor = tmp_path / "vendor"
    vendor.mkdir()
    (vendor / "modules.txt").write_bytes(b"# a.com/x v1.0.0\n## explicit\n" * (modvendor.MAX_MODULES_TXT // 29 + 1000))
    st_ = modvendor.vendor_state(parse_mod("module m\n\ngo 1.22\n"), str(vendor), "")
    assert st_.used and st_.errors == ("a.com/x@v1.0.0: is marked as explicit in vendor/modules.txt, but not "
                                       "explicitly required in go.mod",)  # bounded read, deduplicated
