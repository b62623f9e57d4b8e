"""modules.* in-process: settings from the real `go env -json` of the cached toolchains, go.mod/go.work parsed
by gomedic's parser, `go mod verify` and go's parse errors captured once from the real go; no network."""

from __future__ import annotations

import http.server
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gomedic.checks.modules import gomod, private, proxy, reachable, sumdb_check, vendor, verify
from gomedic.errors import FactUnavailable
from gomedic.execx import CmdResult
from gomedic.facts.gomod import ModuleContext
from gomedic.facts.gorun import MOD_VERIFY, ModVerify
from gomedic.facts.modfile import parse as parse_modfile
from gomedic.model import Status
from tests.support.gomodules import serving
from tests.support.seeded import GoRun, all_of, envfile, go_facts, module, one, prefetch, run_area
from tests.support.toolchains import DEBIAN, NEWEST, release

GOMOD = "module example.com/app\n\ngo 1.22\n"
PRIVATE_REQ = (
    "module example.com/app\n\ngo 1.22\n\nrequire (\n\tgit.corp.example/lib v1.2.0\n\tgolang.org/x/text v0.14.0\n)\n"
)
ENVFILE = "/home/gmseeded/.config/go/env"
THREE_PART = "module example.com/app\n\ngo 1.21.8\n"
NEWER = "module example.com/app\n\ngo 1.99.0\n"
VENDORED = "module example.com/app\n\ngo 1.22\n\nrequire example.com/lib v1.2.0\n"
NOT_EXPLICIT = "# example.com/lib v1.2.0\nexample.com/lib\n"  # not marked `## explicit`
Real = dict[str, dict[str, Any]]
RUNS = {
    "proxy-foo": GoRun(NEWEST, ("list", "-m", "golang.org/x/text@latest"), {"GOPROXY": "foo"}, {"go.mod": GOMOD}),
    "three-part-1.19": GoRun(DEBIAN, ("list", "-m"), files={"go.mod": THREE_PART}),
    "vendoring": GoRun(NEWEST, ("build", "."), files={"go.mod": VENDORED, "vendor/modules.txt": NOT_EXPLICIT,
                                                      "main.go": "package main\n\nfunc main() {}\n"}),
    "verify-ok": GoRun(NEWEST, ("mod", "verify"), files={"go.mod": GOMOD}),
    "verify-newer": GoRun(NEWEST, ("mod", "verify"), files={"go.mod": NEWER}),
}


@pytest.fixture(scope="module", autouse=True)
def real() -> Real:
    """What the real go says for RUNS (captured once per machine: go runs here, never in a test body)."""
    return prefetch(RUNS)


def test_proxy_default_ok_names_the_chain_and_git() -> None:
    r = one(proxy(go_facts(with_cc=True)))
    assert r.status is Status.OK
    assert (
        r.summary
        == "GOPROXY=https://proxy.golang.org,direct (GOROOT/go.env): tries https://proxy.golang.org then direct"
    )
    assert r.evidence["git"].endswith("/git")
    r = one(proxy(go_facts()))  # PATH is the toolchain alone: no git for the direct fallback
    assert r.status is Status.OK and r.summary.endswith("; git is not on PATH, so the direct fallback cannot work")


def test_proxy_without_scheme_fails_with_gos_error(real: Real) -> None:
    assert "invalid proxy URL missing scheme: foo" in real["proxy-foo"]["stderr"]
    r = one(proxy(go_facts(env={"GOPROXY": "foo"})))
    assert r.status is Status.FAIL
    assert r.summary == ("GOPROXY=foo (environment) is rejected: every download fails with "
                         "`go: invalid proxy URL missing scheme: foo`")
    assert r.fix == "go env -w GOPROXY=https://proxy.golang.org,direct  (or your module mirror)"


def test_proxy_off_unused_entries_and_direct_without_git() -> None:
    r = one(proxy(go_facts(goenv=envfile(ENVFILE, "GOPROXY=off\n"))))
    assert r.status is Status.WARN and r.summary.startswith("GOPROXY=off (GOENV file): modules not already in")
    r = one(proxy(go_facts(env={"GOPROXY": "direct,https://goproxy.io"})))
    assert r.status is Status.WARN and "https://goproxy.io after `direct` is never used" in r.summary
    assert r.fix == "put https://goproxy.io before direct, e.g. GOPROXY=https://goproxy.io,direct"
    r = one(proxy(go_facts(env={"GOPROXY": "direct"})))
    assert r.status is Status.FAIL and "git is not on PATH: go fails with `go: missing Git command." in r.summary
    assert r.evidence["git"] == "not found on PATH"


def test_sumdb_ok_and_each_downgrade_with_its_undo() -> None:
    r = one(sumdb_check(go_facts()))
    assert r.status is Status.OK and r.summary.startswith("checksums are verified against sum.golang.org")
    r = one(sumdb_check(go_facts(env={"GOSUMDB": "off"})))
    assert r.status is Status.WARN and r.summary.startswith("GOSUMDB=off (environment)")
    assert r.fix is not None and r.fix.startswith("unset GOSUMDB  (it is set in the environment")
    r = one(sumdb_check(go_facts(goenv=envfile(ENVFILE, "GOPRIVATE=*\n"))))
    assert r.status is Status.WARN and "GOPRIVATE=* (GOENV file) covers public modules" in r.summary
    assert r.fix == "go env -u GOPRIVATE and list only your private hosts (e.g. go env -w GOPRIVATE=git.corp.example)"
    r = one(sumdb_check(go_facts(env={"GOFLAGS": "-insecure"})))
    assert r.status is Status.WARN and r.fix == "remove -insecure from the GOFLAGS variable"


def test_private_requirement_not_in_goprivate_warns() -> None:
    mod = module("/src/app/go.mod", PRIVATE_REQ)
    r = one(private(go_facts(mod=mod)))
    assert r.status is Status.WARN
    assert r.summary.startswith("/src/app/go.mod requires git.corp.example/lib (not in GONOPROXY/GONOSUMDB)")
    assert r.fix == "go env -w GOPRIVATE=git.corp.example" and r.evidence["requirements"] == "2"
    r = one(private(go_facts(mod=mod, env={"GOPRIVATE": "git.corp.example"})))
    assert r.status is Status.OK and "are covered by GONOPROXY/GONOSUMDB" in r.summary
    r = one(private(go_facts(mod=module("/src/app/go.mod", GOMOD))))
    assert r.status is Status.OK and r.summary == "/src/app/go.mod: none of 0 requirements is on a private-looking host"


def test_module_checks_outside_a_module_are_unavailable() -> None:
    with pytest.raises(FactUnavailable, match="not in a module"):
        one(private(go_facts()))
    results = run_area("modules", go_facts())
    for cid in ("modules.private", "modules.gomod", "modules.vendor", "modules.verify"):
        assert [r.status for r in results[cid]] == [Status.SKIP], cid
        assert results[cid][0].summary.startswith("not evaluated: not in a module: no go.mod in /nonexistent")


def test_gomod_three_part_go_line_fails_on_go_1_19_as_it_says(real: Real) -> None:
    text = THREE_PART
    said = real["three-part-1.19"]["stderr"].splitlines()[1].replace("$DIR", "/src/app")
    assert said == "/src/app/go.mod:3: invalid go version '1.21.8': must match format 1.23"
    r = one(gomod(go_facts(DEBIAN, mod=module("/src/app/go.mod", text))))
    assert r.status is Status.FAIL and f"go: errors parsing go.mod: {said}" in r.summary
    assert r.fix == "write `go 1.21` in /src/app/go.mod, or upgrade Go to 1.21 or newer"
    assert r.evidence["local go"] == release(DEBIAN)
    r = one(gomod(go_facts(mod=module("/src/app/go.mod", text))))
    assert r.status is Status.OK and r.summary == "/src/app/go.mod parses (module example.com/app, go 1.21.8)"


def test_gomod_workspace_that_does_not_use_the_module() -> None:
    mod = module("/src/app/go.mod", GOMOD, gowork="/src/go.work", work="go 1.22\n\nuse ./other\n")
    r = one(gomod(go_facts(mod=mod)))
    assert r.status is Status.FAIL and "/src/go.work does not use /src/app" in r.summary
    assert r.fix == "go work use app  (in /src), or GOWORK=off"


def test_vendor_out_of_sync_fails_as_go_build_does(tmp_path: Path, real: Real) -> None:
    text, txt = VENDORED, NOT_EXPLICIT
    built = real["vendoring"]
    assert built["returncode"] == 1 and "go: inconsistent vendoring in $DIR:" in built["stderr"]
    said = built["stderr"].splitlines()[1].strip()
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "modules.txt").write_text(txt)
    r = one(vendor(go_facts(mod=module(str(tmp_path / "go.mod"), text))))
    assert r.status is Status.FAIL and r.summary == f"go: inconsistent vendoring in {tmp_path}: {said}"
    assert r.fix == f"cd {tmp_path} && go mod vendor" and r.evidence["vendor mode"] == "vendor mode: go line >= 1.14"
    r = one(vendor(go_facts(mod=module(str(tmp_path / "go.mod"), text), env={"GOFLAGS": "-mod=mod"})))
    assert r.status is Status.WARN and "not fatal now (GOFLAGS=-mod=mod ignores vendor/)" in r.summary
    (tmp_path / "vendor" / "modules.txt").write_text("# example.com/lib v1.2.0\n## explicit\nexample.com/lib\n")
    assert one(vendor(go_facts(mod=module(str(tmp_path / "go.mod"), text)))).status is Status.OK
    assert one(vendor(go_facts(mod=module("/nonexistent/app/go.mod", text)))).status is Status.SKIP


def _verify(run: dict[str, object], cwd: str = "/src/app") -> ModVerify:
    res = CmdResult(("go", "mod", "verify"), int(str(run["returncode"])), str(run["stdout"]), str(run["stderr"]), 0.1)
    return ModVerify("/usr/local/go/bin/go", cwd, res)


def test_verify_reports_what_go_mod_verify_said(real: Real) -> None:
    f = go_facts(mod=module("/src/app/go.mod", GOMOD))
    f.seed(MOD_VERIFY, _verify(real["verify-ok"]))
    r = one(verify(f))
    assert r.status is Status.OK and r.summary == "go mod verify in /src/app: all modules verified"
    f = go_facts(mod=module("/src/app/go.mod", NEWER))
    f.seed(MOD_VERIFY, _verify(real["verify-newer"]))
    r = one(verify(f))
    assert r.status is Status.FAIL and r.fix == "go clean -modcache && go mod download"
    assert r.summary.startswith("go mod verify in /src/app failed: go: go.mod requires go >= 1.99.0")
    f = go_facts(mod=module("/src/app/go.mod", GOMOD))
    f.seed(MOD_VERIFY, ModVerify("/usr/local/go/bin/go", "/src/app", None, "permission denied"))
    assert one(verify(f)).summary == "cannot run /usr/local/go/bin/go: permission denied"
    hidden = ModuleContext("/src/app/go.mod", None, hidden=("/src/app/go.mod",))
    assert one(verify(go_facts(mod=hidden))).status is Status.SKIP


def test_reachable_without_the_network(tmp_path: Path) -> None:
    r = all_of(reachable(go_facts(env={"GOPROXY": f"file://{tmp_path}", "GOSUMDB": "off"})))
    assert [(x.status, x.summary) for x in r] == [
        (Status.OK, f"GOPROXY file://{tmp_path}: directory {tmp_path} exists")
    ]
    r = all_of(reachable(go_facts(env={"GOPROXY": "file:///nonexistent/mirror", "GOSUMDB": "off"})))
    assert r[0].status is Status.FAIL and r[0].fix == "create /nonexistent/mirror or remove it from GOPROXY"
    assert one(reachable(go_facts(env={"GOPROXY": "off"}))).status is Status.SKIP
    r = all_of(reachable(go_facts(env={"HTTPS_PROXY": "http://127.0.0.1:3128"})))
    assert [x.subject for x in r] == ["https://proxy.golang.org", "https://sum.golang.org"]
    assert all(x.status is Status.SKIP and "through the HTTP proxy http://127.0.0.1:3128" in x.summary for x in r)


def test_the_modules_area_through_the_runner_in_a_healthy_module(real: Real) -> None:
    f = go_facts(mod=module("/src/app/go.mod", GOMOD), with_cc=True)
    f.seed(MOD_VERIFY, _verify(real["verify-ok"]))
    got = {cid: [r.status for r in rs] for cid, rs in run_area("modules", f).items()}
    assert "modules.reachable" not in got  # online only
    assert got == {"modules.proxy": [Status.OK], "modules.sumdb": [Status.OK], "modules.private": [Status.OK],
                   "modules.gomod": [Status.OK], "modules.vendor": [Status.SKIP], "modules.verify": [Status.OK]}


def test_unreadable_go_mod_and_a_workspace_outside_its_modules(tmp_path: Path) -> None:
    unread = ModuleContext("/src/app/go.mod", None, read_errors=("cannot read /src/app/go.mod: Permission denied",))
    r = one(private(go_facts(mod=unread)))
    assert r.status is Status.SKIP and r.summary == "/src/app/go.mod: no readable go.mod (see modules.gomod)"
    r = one(gomod(go_facts(mod=unread)))
    assert r.status is Status.FAIL and r.summary == "cannot read /src/app/go.mod: Permission denied"
    assert r.fix == "make the file readable"
    work = ModuleContext(None, None, "/src/go.work", parse_modfile("go 1.22\n\nuse (\n\t./a\n\t./b\n)\n"), "found")
    r = one(gomod(go_facts(mod=work)))
    assert r.status is Status.OK
    assert (
        r.summary == "/src/go.work parses (workspace of 2 modules, go 1.22); the current directory is in none of them"
    )
    (tmp_path / "vendor").mkdir()
    inws = module(str(tmp_path / "go.mod"), GOMOD, gowork="/src/go.work", work="go 1.22\n\nuse ./app\n")
    r = one(vendor(go_facts(mod=inws)))
    assert (
        r.status is Status.SKIP
        and r.summary == "workspace mode (/src/go.work): the module's vendor/ directory is not used"
    )


class _Mirror(http.server.BaseHTTPRequestHandler):
    """A module proxy on 127.0.0.1: /ok answers the list request, /broken fails with 500."""

    def do_GET(self) -> None:
        code = 200 if self.path.startswith("/ok/") else 500
        body = b"v0.14.0\n" if code == 200 else b"internal error\n"
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def mirror() -> Iterator[str]:
    with serving(_Mirror) as url:
        yield url


def test_reachable_probes_each_proxy_layer_by_layer(mirror: str) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    value = f"{mirror}/ok,{mirror}/broken,{closed}"
    got = {x.subject: x for x in all_of(reachable(go_facts(env={"GOPROXY": value, "GOSUMDB": "off"})))}
    assert list(got) == [f"{mirror}/ok", f"{mirror}/broken", closed]
    ok_, broken, refused = got.values()
    where = mirror.removeprefix("http://")
    assert ok_.status is Status.OK and ok_.summary == f"GOPROXY {mirror}/ok: {where} answered HTTP 200"
    assert broken.summary == f"GOPROXY {mirror}/broken: {where} answered HTTP 500"
    assert (
        broken.status is Status.FAIL
        and broken.fix == f"{mirror}/broken is failing; try again later or use another mirror"
    )
    assert refused.status is Status.FAIL and refused.evidence["stage"] == "tcp"
    assert refused.summary.startswith(f"GOPROXY {closed}: the TCP connection fails: dial tcp 127.0.0.1:")
    assert refused.summary.endswith("Connection refused")
