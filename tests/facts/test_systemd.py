"""systemd unit parsing: every unit installed here, the syntax corners, drop-ins, specifiers, and fuzzing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gomedic.errors import UsageError
from gomedic.facts.systemd import find_unit, load_service
from gomedic.facts.unitexec import (
    expand_env,
    expand_specifiers,
    parse_env_file,
    parse_environment,
    parse_exec,
    parse_rlimit,
    parse_tasks_max,
    split_words,
)
from gomedic.facts.unitfile import parse_unit

INSTALLED = sorted(
    p for d in ("/lib/systemd/system", "/etc/systemd/system") if os.path.isdir(d)
    for p in Path(d).iterdir() if p.is_symlink() or p.is_file()
)


def test_every_installed_unit_parses() -> None:
    """No exception for any unit here; each is clean or has diagnostics naming an existing file (and a line)."""
    assert len(INSTALLED) > 100
    clean = 0
    for p in INSTALLED:
        u = load_service(str(p), Path("/"))
        if not u.diagnostics:
            clean += 1
        for d in u.diagnostics:
            assert d.path and os.path.exists(d.path) and d.message, (p, d)
            assert d.line >= 0
            assert str(d).startswith(d.path)
    assert clean > len(INSTALLED) * 0.9


def test_installed_units_by_name_templates_and_aliases() -> None:
    getty = load_service("getty@tty1", Path("/"))
    assert getty.fragment.endswith("/getty@.service")
    assert getty.exec_start is not None and getty.exec_start.ignore_failure
    assert getty.exec_argv[:2] == ("/sbin/agetty", "-o")
    assert getty.exec_argv[2] == "-p -- \\u"  # quotes group, "\\\\" unescapes to one backslash
    if Path("/etc/systemd/system/sshd.service").is_symlink():
        ssh = load_service("sshd", Path("/"))
        assert ssh.fragment.endswith("/ssh.service")
    user = load_service("user@1000.service", Path("/"))
    assert any(d.endswith("user@.service.d/10-login-barrier.conf") for d in user.dropins)
    with pytest.raises(UsageError):
        find_unit("surely-not-a-unit-gomedic", Path("/"))


def test_syntax_corners() -> None:
    text = (
        "# comment\n; also comment\nOrphan=1\n[Service]\n  ExecStart = /bin/echo a \\\n"
        "# comment inside a continuation\n  b\nNoEquals\n=novalue\n[Broken\nAfter=x\n"
    )
    u = parse_unit(text, "/x.service")
    exec_e = next(e for e in u.entries if e.key == "ExecStart")
    assert exec_e.value == "/bin/echo a  b" and exec_e.line == 5
    msgs = {(d.line, d.message.split(" ")[0]) for d in u.diagnostics}
    assert (3, "assignment") in msgs and (8, "missing") in msgs and (9, "assignment") in msgs
    assert (10, "invalid") in msgs and (11, "assignment") in msgs
    bad = parse_unit(b"[Service]\nA=\xff\xfe\n", "/y.service")
    assert bad.diagnostics[0].line == 2 and "UTF-8" in bad.diagnostics[0].message


def test_dropins_override_reset_and_specifiers(tmp_path: Path) -> None:
    root = tmp_path
    lib = root / "usr/lib/systemd/system"
    etc = root / "etc/systemd/system"
    lib.mkdir(parents=True)
    (etc / "web@.service.d").mkdir(parents=True)
    (lib / "web@.service.d").mkdir(parents=True)
    (root / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/sh\nweb:x:1500:1500::/srv/web:/bin/false\n")
    (root / "etc/group").write_text("root:x:0:\nweb:x:1500:\nextra:x:1600:web\n")
    (root / "etc/web.env").write_text("# env\nexport PORT=8%%1\nQUOTED=\"a b\"\nbad line\n")
    (lib / "web@.service").write_text(
        "[Service]\nUser=web\nExecStart=/usr/bin/web --name %i --home %h -u %u\nEnvironment=A=1 \"B=two words\"\n"
        "EnvironmentFile=-/etc/web.env\nEnvironmentFile=-/etc/absent.env\nLimitNOFILE=1024\n"
    )
    (lib / "web@.service.d/10-lib.conf").write_text("[Service]\nLimitNOFILE=2048\n")
    (lib / "web@.service.d/20-same.conf").write_text("[Service]\nTasksMax=10\n")
    (etc / "web@.service.d/20-same.conf").write_text("[Service]\nTasksMax=20\n")  # masks the lib one
    (etc / "web@.service.d/30-exec.conf").write_text(
        "[Service]\nExecStart=\nExecStart=+/usr/bin/web2 $A ${B}x %Z\nWorkingDirectory=-~\nGroup=%K\n"
    )
    u = load_service("web@blue", root)
    assert u.name == "web@blue.service" and u.fragment == "/usr/lib/systemd/system/web@.service"
    assert [Path(d).name for d in u.dropins] == ["10-lib.conf", "20-same.conf", "30-exec.conf"]
    assert u.dropins[1].startswith("/etc/")
    assert u.limits["LimitNOFILE"][:2] == (2048, 2048)
    assert u.tasks_max is not None and u.tasks_max.value == "20"
    assert u.exec_start is not None and u.exec_start.full_privileges
    assert u.exec_argv == ("/usr/bin/web2", "1", "two wordsx", "%Z")
    assert any("unknown specifier %Z" in d.message and d.path.endswith("30-exec.conf") for d in u.diagnostics)
    assert any(d.message == "Group=: unknown specifier %K" and d.line == 5 for d in u.diagnostics), u.diagnostics
    assert u.environment["PORT"] == "8%%1" and u.environment["QUOTED"] == "a b"
    assert u.working_directory is not None and u.working_directory.path == "/srv/web"
    assert u.account is not None and u.account.uid == 1500 and 1600 in u.account.groups
    assert any(d.path == "/etc/web.env" and d.line == 4 for d in u.diagnostics)


def test_masked_and_missing_env_file(tmp_path: Path) -> None:
    d = tmp_path / "etc/systemd/system"
    d.mkdir(parents=True)
    (d / "gone.service").symlink_to("/dev/null")
    assert load_service("gone", tmp_path).masked
    (d / "e.service").write_text("[Service]\nExecStart=/bin/true\nEnvironmentFile=/etc/nope.env\nType=simple\n"
                                 "ExecStart=/bin/false\nLimitNOFILE=lots\n")
    u = load_service("e", tmp_path)
    msgs = [str(x) for x in u.diagnostics]
    assert any("/etc/systemd/system/e.service:3: EnvironmentFile=/etc/nope.env does not exist" in m for m in msgs)
    assert any(":5: more than one ExecStart=" in m for m in msgs)
    assert any(":6: LimitNOFILE=: invalid resource limit" in m for m in msgs)


def test_value_parsers() -> None:
    assert split_words("a 'b c' \"d\\\"e\" f\\x41") == (["a", "b c", 'd"e', "fA"], None)
    assert split_words("'open")[1] == "unterminated ' quote"
    cmd, err = parse_exec("@-/bin/app argv0 --x")
    assert err is None and cmd is not None and cmd.path == "/bin/app" and cmd.argv == ("argv0", "--x")
    assert cmd.ignore_failure and not cmd.full_privileges
    assert parse_exec("!!/bin/a")[0] is not None and parse_exec("---/bin/a")[1] is not None
    assert parse_exec("")[1] == "empty command line"
    assert expand_specifiers("%n %% %q", {"n": "a.service"}) == ("a.service % %q", ["%q"])
    assert expand_env(("x", "$A", "${B}y", "$NOPE"), {"A": "1 2", "B": "b"}) == (("x", "1", "2", "by"), ["NOPE"])
    assert parse_environment('A=1 "B=2 3" bad') == (
        [("A", "1"), ("B", "2 3")],
        ["invalid environment assignment 'bad'"],
    )
    assert parse_env_file("A=1\\\n2\n#c\n")[0] == {"A": "12"}
    assert parse_rlimit("1024:4096") == ((1024, 4096), None)
    assert parse_rlimit("infinity") == ((None, None), None)
    assert parse_rlimit("4K") == ((4096, 4096), None)
    assert parse_rlimit("10:5")[1] is not None
    assert parse_tasks_max("50%", 1000) == (500, None)
    assert parse_tasks_max("infinity", None) == (None, None)


LINES = st.lists(st.one_of(
    st.text(max_size=40),
    st.sampled_from(["[Service]", "[Unit]", "ExecStart=/bin/x", "User=%u", "A=\\", "# c", "[", "=", "%", "\\"]),
), max_size=30)


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_parser_never_raises(lines: list[str]) -> None:
    text = "\n".join(lines)
    u = parse_unit(text, "/f.service")
    for e in u.entries:
        assert e.line >= 1 and e.section
    parse_unit(text.encode("utf-8", "surrogatepass")[:1000], "/f.service")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_value_parsers_never_raise(s: str) -> None:
    split_words(s)
    parse_exec(s)
    expand_specifiers(s, {"n": "x"})
    parse_environment(s)
    parse_env_file(s)
    parse_rlimit(s)
    parse_tasks_max(s, 100)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_unit_bytes_never_raise(data: bytes) -> None:
    parse_unit(data, "/b.service")
