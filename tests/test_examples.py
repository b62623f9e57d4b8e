"""Every command example gomedic documents is run: the `examples:` of each `--help` (commands.EXAMPLES),
and the command lines of README.md, CONTRIBUTING.md and docs/*.md (lines of code blocks and inline code
that start with `gomedic `, `$ gomedic ` or `sudo gomedic `; `ExecStartPre=.../gomedic ...` in unit snippets).

Each runs as `python -m gomedic` in a built environment (one real Go on PATH, its own HOME) and a work
directory holding what the examples name: ./app and ./bin/app (a real Go binary), api.service and
image/etc/systemd/system/api.service (a unit running it), checks.yaml and prod.yaml (a check file and a vars
file), audit/*.json (two real reports), serve.yaml, and the repository's examples/. 127.0.0.1:6060 and pid
4242 stand for a live Go service (tests/probe/goservice) started for this module. It must exit with a
documented code other than 2 (usage) and 3 (internal): 0 or 1, and for `gate` 0 or a category code.

Synopses (`[--opt ...]`, `FILE...`) are not run: every option they name must exist. Bare command names in
prose (`gomedic serve`) must be commands. What cannot run here is in SKIP, with why; it is still parsed.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gomedic.cli import build_parser
from gomedic.commands import COMMANDS, EXAMPLES
from tests.support.goenv import GoEnv, make_env
from tests.support.goservice import Service, start_goservice
from tests.support.journals import have_journal_remote, unit_entry, write_journal
from tests.support.userchecks import go_binary

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", REPO / "CONTRIBUTING.md", *sorted((REPO / "docs").glob("*.md"))]
GATE_CODES = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90}

# Examples that cannot run in a test, and why; each is still parsed by gomedic's own parser.
VULNDB = ("reads the Go vulnerability database (vuln.go.dev is not reachable here) at paths of a real host"
          "; tests/vulns runs each form against a local mirror of real advisories in both layouts")
SKIP = {
    "gomedic serve --listen $(POD_IP):9433": "a pod's address, serving until stopped; tests/serve runs the exporter",
    "gomedic serve --listen 127.0.0.1:9433 --config serve.yaml": "serves until stopped; tests/serve runs the exporter",
    "gomedic serve --config /etc/gomedic/serve.yaml --listen 0.0.0.0:9433": "serves until stopped on all "
    "interfaces (tests bind 127.0.0.1 only); tests/serve runs the exporter",
    "gomedic serve": "serves until stopped; tests/serve runs the exporter",
    "gomedic host --root /host": "the node's / mounted at /host in a DaemonSet pod; tests/host runs --root on "
    "captured trees",
    "gomedic fix --user alice --yes": "changes a real user's shell files; tests/fix runs --user with real users",
    "gomedic gate --unit %n --wait 30s": "systemd replaces %n with the unit's name; the same gate runs above "
    "with --unit ./api.service",
    "gomedic binary --vulns --offline -r /opt": VULNDB,
    "gomedic binary --vulns --vulndb file:///srv/vulndb -r /opt": VULNDB,
    "gomedic binary --vulns -r --root /srv/rootfs /srv/rootfs/usr/bin": VULNDB,
    "gomedic binary --vulns -r /opt/services": VULNDB,
    "gomedic binary --vulns /usr/local/bin/app": VULNDB,
    "gomedic gate --binary /usr/local/bin/app --vulns": VULNDB,
    "gomedic fix --user U --yes": "changes a real user's files as root; tests/security runs it with real users",
    "gomedic fix --user U": "plans for a real user named U; tests/fix and tests/security run --user with real users",
    "gomedic why app": "reads this machine's systemd and journal, and neither runs here; the same command runs "
    "above on a real journal file (--journal)",
    "gomedic why UNIT": "reads this machine's systemd and journal, and neither runs here; tests/why runs it on "
    "real journal files",
    "gomedic why app --root /srv/rootfs": "reads this machine's journal, which does not run here; tests/why runs "
    "--root on a captured tree",
    'gomedic why app --since "2026-12-01 10:00" --format json': "reads this machine's journal, which does not run "
    "here; the same --since runs above on a real journal file",
}

UNIT = """\
[Unit]
Description=example API

[Service]
User=nobody
ExecStart={app} --listen 127.0.0.1:18443
LimitNOFILE=65536
"""
CHECKS = """\
version: 1
vars:
  port: "8080"
  dir: "{work}"
checks:
  - {name: path-set, kind: env, var: PATH}
  - {name: app-binary, kind: file, path: "${dir}/app", type: file}
  - {name: listen-port, kind: env, var: GM_EXAMPLE_PORT, rollout: shadow, description: "port ${port}"}
"""
SERVE = """\
listen: 127.0.0.1:9433
jobs:
  - {name: host, command: host, every: 5m}
"""


def _fenced(text: str) -> Iterator[tuple[int, str]]:
    """(line, text) of lines in code: fenced blocks other than yaml/json/output, and indented blocks."""
    lang: str | None = None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("```"):
            lang = None if lang is not None else (line[3:].strip() or "text")
            continue
        code = lang not in ("yaml", "json", "python") if lang is not None else line.startswith("    ")
        if code:
            yield n, line


def _command(line: str) -> str | None:
    """The gomedic command a line of code shows, without a prompt, sudo, a trailing comment or a pipe."""
    s = line.strip()
    if s.startswith("ExecStartPre="):
        s = re.sub(r"^\S*/(?=gomedic )", "", s.split("=", 1)[1].lstrip("-+!@:"))  # /opt/gomedic/bin/gomedic
    s = re.sub(r"^(\$ )?(sudo )?", "", s)
    if not (s == "gomedic" or s.startswith("gomedic ")):
        return None
    s = re.split(r"\s+#\s", s, maxsplit=1)[0].strip()
    if "[" not in s:  # in a synopsis `|` separates alternatives; elsewhere it is a pipe, `>` a redirect
        s = re.split(r"\s+(?:\||>>?)\s", s, maxsplit=1)[0].strip()
    words = s.split()
    if len(words) > 1 and words[1].endswith(":"):
        return None  # output (`gomedic gate: FAIL ...`), not a command
    if " · " in s:
        return None  # a text report's header line
    return s


def doc_examples() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for doc in DOCS:
        text = doc.read_text()
        where = doc.relative_to(REPO)
        for n, line in _fenced(text):
            if (cmd := _command(line)) is not None:
                out.append((f"{where}:{n}", cmd))
        for n, line in enumerate(text.splitlines(), 1):
            for span in re.findall(r"`((?:sudo )?gomedic(?: [^`]*)?)`", line):
                if (cmd := _command(span)) is not None:
                    out.append((f"{where}:{n}", cmd))
    return out


def help_examples() -> list[tuple[str, str]]:
    """The `examples:` lines of every subcommand's --help, read from the parser gomedic builds."""
    out: list[tuple[str, str]] = []
    for name, p in _subparsers().items():
        for line in (p.epilog or "").splitlines():
            if (cmd := _command(line)) is not None:
                out.append((f"gomedic {name} --help", cmd))
    return out


def _subparsers() -> dict[str, object]:
    import argparse

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def is_synopsis(cmd: str) -> bool:
    return "[" in cmd or "..." in cmd


def is_name(cmd: str) -> bool:
    """`gomedic serve`, `gomedic fleet summarize` in prose name a command (`gomedic check` too: the examples
    with options run it)."""
    words = cmd.split()[1:]
    return bool(words) and all(re.fullmatch(r"[a-z]+", w) for w in words)


ALL = sorted(set(doc_examples()) | set(help_examples()), key=lambda e: (e[1], e[0]))
RUNNABLE = sorted({cmd for _, cmd in ALL if not is_synopsis(cmd) and not is_name(cmd) and cmd not in SKIP})
SYNOPSES = sorted({cmd for _, cmd in ALL if is_synopsis(cmd)})
NAMES = sorted({cmd for _, cmd in ALL if is_name(cmd) and not is_synopsis(cmd) and cmd not in SKIP})

# Placeholders in prose examples (`gomedic binary PATH`) and what they stand for here.
PLACEHOLDERS = {"PATH": "./app", "UNIT": "./api.service", "URL": "http://127.0.0.1:6060", "FILE": "checks.yaml",
                "ID": "toolchain.goroot-matches", "DIR": "journal", "/tmp/app.journal": "journal/app.journal",
                "/srv/rootfs": "image"}


def test_examples_were_found() -> None:
    """The extraction sees the examples it must (a broken extractor would pass vacuously)."""
    where = {w.split(":")[0] for w, _ in ALL}
    assert {"README.md", "CONTRIBUTING.md", "docs/fleet.md", "docs/serve.md", "docs/gate.md"} <= where, where
    for command, lines in EXAMPLES.items():
        for line in lines:
            assert (f"gomedic {command} --help", line) in ALL, line
    assert "gomedic fleet summarize --format json -o fleet.json audit/*.json" in RUNNABLE
    assert "gomedic check --format json" in RUNNABLE
    assert len(RUNNABLE) >= 40 and len(SYNOPSES) >= 8, (len(RUNNABLE), len(SYNOPSES))
    assert not [c for c in SKIP if c not in {cmd for _, cmd in ALL}], "SKIP lists an example no longer shown"


def test_every_command_has_help_examples() -> None:
    assert set(EXAMPLES) == set(COMMANDS)


@pytest.mark.parametrize("cmd", NAMES)
def test_named_commands_exist(cmd: str) -> None:
    words = cmd.split()[1:]
    assert words[0] in COMMANDS, cmd
    sub = _subparsers()[words[0]]._subparsers  # type: ignore[attr-defined]
    if len(words) > 1 and sub is not None:  # a subcommand: `gomedic fleet summarize`
        assert words[1] in sub._group_actions[0].choices, cmd


def _options(words: list[str]) -> dict[str, object]:
    """The option strings of the (sub)command `words` names, e.g. ["fleet", "summarize"]."""
    import argparse

    parser: argparse.ArgumentParser = build_parser()
    for w in words:
        action = next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)
        if action is None or w not in action.choices:
            break
        parser = action.choices[w]
    return dict(parser._option_string_actions)


@pytest.mark.parametrize("cmd", SYNOPSES)
def test_synopsis_options_exist(cmd: str) -> None:
    words = cmd.split()[1:]
    if words[0] not in COMMANDS:
        assert words[0] in ("COMMAND",), cmd  # `gomedic COMMAND ARGS... --format json`: any command
        return
    known = _options([w for w in words if re.fullmatch(r"[a-z]+", w)][:2])
    named = {m.group(1) for m in re.finditer(r"(?<![\w-])(--?[a-z][a-z-]*)", cmd)}
    missing = sorted(o for o in named if o not in known)
    assert not missing, f"{cmd}: no such option {missing}"


@pytest.mark.parametrize("cmd", sorted(SKIP))
def test_skipped_examples_parse(cmd: str) -> None:
    argv = shlex.split(cmd)[1:]
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as e:
        pytest.fail(f"{cmd}: rejected by the parser (exit {e.code})")
    assert args.command == argv[0]


# ---- running them --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_goservice(tmp_path_factory.mktemp("svc"))
    yield svc
    svc.stop()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two real JSON reports, as a fleet collects them."""
    d = tmp_path_factory.mktemp("audit")
    env = make_env(d / "env")
    for host in ("web-1", "web-2"):
        run = env.gomedic("check", "--area", "toolchain", "--format", "json")
        assert run.returncode in (0, 1), run.stderr
        (d / f"{host}.json").write_text(run.stdout)
    return d


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real journal file (systemd-journal-remote) in which app.service and api.service died of a Go panic."""
    if not have_journal_remote():
        pytest.skip("systemd-journal-remote is not installed (.ci/apt-packages.txt)")
    now = time.time() - 60
    lines = ["panic: assignment to entry in nil map", "", "goroutine 1 [running]:", "main.main()",
             "\t/src/app/main.go:9 +0x1d", "exit status 2"]
    entries = [unit_entry(f"{u}.service", line, pid=4242, ts=now + i / 1000, stream="stderr")
               for u in ("app", "api") for i, line in enumerate(lines)]
    return write_journal(entries, tmp_path_factory.mktemp("journal") / "app.journal")


def workspace(tmp_path: Path, reports: Path, journal: Path | None = None) -> tuple[GoEnv, Path]:
    env = make_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    app = work / "app"
    shutil.copy2(go_binary("1.27.3"), app)
    (work / "bin").mkdir()
    shutil.copy2(app, work / "bin" / "app")
    unit = UNIT.format(app=app)
    (work / "api.service").write_text(unit)
    units = work / "image" / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    (units / "api.service").write_text(unit)
    (work / "checks.yaml").write_text(CHECKS.replace("{work}", str(work)))
    (work / "prod.yaml").write_text("port: '8443'\n")
    (work / "serve.yaml").write_text(SERVE)
    shutil.copytree(reports, work / "audit")
    shutil.copytree(REPO / "examples", work / "examples")
    if journal is not None:
        (work / "journal").mkdir()
        shutil.copy2(journal, work / "journal" / "app.journal")
    return env, work


def argv_for(cmd: str, work: Path, svc: Service) -> list[str]:
    """The command's words as a shell would pass them: placeholders filled, globs expanded, the example
    service's address and pid put in."""
    addr = svc.url.removeprefix("http://")
    words = []
    for w in shlex.split(cmd)[1:]:
        w = PLACEHOLDERS.get(w, w).replace("127.0.0.1:6060", addr)
        if w == "4242" and not cmd.startswith("gomedic why"):  # why's pid 4242 is the one in the journal
            w = str(svc.pid)
        if "*" in w:
            words += sorted(os.path.relpath(p, work) for p in glob.glob(str(work / w))) or [w]
        else:
            words.append(w)
    return words


@pytest.mark.slow
@pytest.mark.parametrize("cmd", RUNNABLE)
def test_example_runs(
    cmd: str, tmp_path: Path, reports: Path, service: Service, request: pytest.FixtureRequest
) -> None:
    needs_journal = cmd.startswith("gomedic why") and "--exit-status" not in cmd
    env, work = workspace(tmp_path, reports, request.getfixturevalue("journal") if needs_journal else None)
    argv = argv_for(cmd, work, service)
    e = {**env.env, "PYTHONPATH": str(REPO / "src")}
    p = subprocess.run([sys.executable, "-m", "gomedic", *argv], env=e, cwd=work, capture_output=True, text=True,
                       timeout=300)
    allowed = GATE_CODES if argv and argv[0] == "gate" else {0, 1}
    assert "usage:" not in p.stderr and "internal error" not in p.stderr, f"{cmd}\n{p.stderr}"
    assert p.returncode in allowed, f"{cmd} -> {argv}: exit {p.returncode}\n{p.stderr}\n{p.stdout[-2000:]}"
    if "--format" in argv and argv[argv.index("--format") + 1] == "json" and "-o" not in argv and p.stdout:
        json.loads(p.stdout)
