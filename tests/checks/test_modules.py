"""modules.* against real modules, real go commands, a real file:// proxy and real servers on 127.0.0.1.

Tests taking `goenv` run under every release of the matrix (Debian's go1.19, go1.21.13, the newest), with
go's own output on that release as the ground truth; the reachability probes run under the newest only
(gomedic probes the network itself: no go command runs).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.goenv import GoEnv, Run
from tests.support.gomodules import HELLO, OFFLINE, file_proxy, http_server, self_signed, write_module
from tests.support.toolchains import NEWEST

AREAS = ("--area", "modules")
BAD = {"warn", "fail", "error"}


@pytest.fixture
def goenv(anygo: GoEnv) -> GoEnv:
    return anygo


def newest_only(goenv: GoEnv) -> None:
    if goenv.name != NEWEST:
        pytest.skip(f"{goenv.version}: gomedic probes the network itself, no go command runs (run under {NEWEST})")


@pytest.fixture
def mod(goenv: GoEnv) -> Path:
    return write_module(goenv.root / "app", "example.com/app", "1.19", {"main.go": HELLO})


def test_healthy(goenv: GoEnv, mod: Path) -> None:
    run = goenv.check(*AREAS, cwd=mod)
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = {r["id"]: r["status"] for r in run.report["results"]}
    assert not BAD & set(statuses.values()), statuses
    assert statuses["modules.gomod"] == "ok" and statuses["modules.proxy"] == "ok"
    assert statuses["modules.vendor"] == "skip"  # no vendor/: not applicable, not "ok"
    assert str(mod / "go.mod") in run.result("modules.gomod")["summary"]


def test_healthy_doctor_in_a_module_all_my_areas(goenv: GoEnv, mod: Path) -> None:
    run = goenv.check("--area", "modules", "--area", "cgo", "--area", "editor", cwd=mod)
    bad = [(r["id"], r["summary"]) for r in run.report["results"] if r["status"] in BAD]
    assert not bad and run.returncode == 0, bad


def test_outside_a_module_skips_module_checks(goenv: GoEnv) -> None:
    run = goenv.check(*AREAS)
    for cid in ("modules.gomod", "modules.private", "modules.vendor"):
        r = run.result(cid)
        assert r["status"] == "skip" and "not in a module" in r["summary"], r


def test_gosumdb_off(goenv: GoEnv, mod: Path) -> None:
    goenv.env["GOSUMDB"] = "off"
    r = goenv.check(*AREAS, cwd=mod).result("modules.sumdb")
    assert r["status"] == "warn"
    assert "GOSUMDB=off (environment)" in r["summary"]
    assert r["fix"].startswith("unset GOSUMDB  (it is set in the environment") and "go env -u" not in r["fix"]
    # ground truth: go env -u cannot undo an exported variable (go still reports off)
    goenv.go("env", "-u", "GOSUMDB", check=False)
    assert goenv.go("env", "GOSUMDB").stdout.strip() == "off"
    del goenv.env["GOSUMDB"]
    goenv.go("env", "-w", "GOSUMDB=off")  # now in the GOENV file: go env -u is the way
    r = goenv.check(*AREAS, cwd=mod).result("modules.sumdb")
    assert r["status"] == "warn" and "GOSUMDB=off (GOENV file)" in r["summary"] and r["fix"] == "go env -u GOSUMDB"
    goenv.go("env", "-u", "GOSUMDB")
    assert goenv.check(*AREAS, cwd=mod).result("modules.sumdb")["status"] == "ok"


def test_wildcard_nosumdb_from_goenv_file_and_mod_mod(goenv: GoEnv, mod: Path) -> None:
    goenv.write_goenv("GONOSUMDB=*\nGOFLAGS=-mod=mod\n")
    r = goenv.check(*AREAS, cwd=mod).result("modules.sumdb")
    assert r["status"] == "warn"
    assert "GONOSUMDB=* (GOENV file) covers public modules" in r["summary"]
    assert "GOFLAGS has -mod=mod (GOENV file)" in r["summary"]


def test_owner_scoped_goprivate_is_not_a_downgrade(goenv: GoEnv, mod: Path) -> None:
    goenv.env["GOPRIVATE"] = "github.com/mycorp,git.corp.example"
    assert goenv.check(*AREAS, cwd=mod).result("modules.sumdb")["status"] == "ok"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("myproxy", "invalid proxy URL missing scheme: myproxy"),
        ("ftp://mirror.example", "invalid proxy URL scheme (must be https, http, file): ftp://mirror.example"),
        (",", "GOPROXY list is not the empty string, but contains no entries"),
    ],
)
def test_invalid_goproxy(goenv: GoEnv, mod: Path, value: str, message: str) -> None:
    goenv.env["GOPROXY"] = value
    r = goenv.check(*AREAS, cwd=mod).result("modules.proxy")
    assert r["status"] == "fail" and message in r["summary"] and f"GOPROXY={value}" in r["summary"]
    # ground truth: the real go command rejects it with the same words
    p = goenv.go("mod", "download", "example.com/x@v1.0.0", cwd=mod, check=False)
    assert message in p.stderr


def test_goproxy_off_and_entries_after_direct(goenv: GoEnv, mod: Path) -> None:
    goenv.env["GOPROXY"] = "off"
    r = goenv.check(*AREAS, cwd=mod).result("modules.proxy")
    assert r["status"] == "warn" and "module lookup disabled by GOPROXY=off" in r["summary"]
    goenv.env["GOPROXY"] = "direct,https://mirror.example"
    r = goenv.check(*AREAS, cwd=mod).result("modules.proxy")
    assert r["status"] == "warn" and "https://mirror.example after `direct` is never used" in r["summary"]


def test_direct_without_git(goenv: GoEnv, mod: Path) -> None:
    goenv.env["GOPROXY"] = "direct"
    goenv.env["PATH"] = str(goenv.goroot / "bin")  # no /usr/bin: no git
    r = goenv.check(*AREAS, cwd=mod).result("modules.proxy")
    assert (
        r["status"] == "fail" and "git is not on PATH" in r["summary"] and r["evidence"]["git"] == "not found on PATH"
    )


def test_private_requirement_not_covered(goenv: GoEnv) -> None:
    d = write_module(goenv.root / "svc", "git.corp.internal/team/svc", "1.19", {"main.go": HELLO},
                     "\nrequire (\n\tgit.corp.internal/team/lib v1.2.0\n\tgolang.org/x/text v0.14.0\n)\n")
    r = goenv.check(*AREAS, cwd=d).result("modules.private")
    assert r["status"] == "warn"
    assert "git.corp.internal/team/lib (not in GONOPROXY/GONOSUMDB)" in r["summary"]
    assert "golang.org/x/text" not in r["summary"]
    assert r["fix"] == "go env -w GOPRIVATE=git.corp.internal"
    goenv.env["GOPRIVATE"] = "*.corp.internal"
    r = goenv.check(*AREAS, cwd=d).result("modules.private")
    assert r["status"] == "ok" and "covered" in r["summary"]


def test_gomod_parse_error(goenv: GoEnv) -> None:
    d = write_module(goenv.root / "bad", "example.com/bad", "1.19", {"main.go": HELLO}, "requir example.com/x v1.0.0\n")
    r = goenv.check(*AREAS, cwd=d).result("modules.gomod")
    assert r["status"] == "fail"
    assert f"{d}/go.mod:4: unknown directive: requir" in r["summary"]
    p = goenv.go("list", cwd=d, check=False)  # ground truth: the same file:line and words
    assert "go.mod:4: unknown directive: requir" in p.stderr


def test_gowork_without_the_module(goenv: GoEnv) -> None:
    ws = goenv.root / "ws"
    write_module(ws / "a", "example.com/a", "1.19", {"main.go": HELLO})
    b = write_module(ws / "b", "example.com/b", "1.19", {"main.go": HELLO})
    (ws / "go.work").write_text("go 1.19\n\nuse ./a\n")
    r = goenv.check(*AREAS, cwd=b).result("modules.gomod")
    assert r["status"] == "fail" and f"{ws}/go.work does not use {b}" in r["summary"]
    assert "go work use b" in r["fix"]
    p = goenv.go("build", ".", cwd=b, check=False)  # ground truth
    assert p.returncode != 0 and "not one of the workspace modules" in p.stderr


def test_gomod_at_gopath_root(goenv: GoEnv) -> None:
    gopath = write_module(goenv.root / "gp", "example.com/gp", "1.19", {"main.go": HELLO})
    goenv.env["GOPATH"] = str(gopath)
    r = goenv.check(*AREAS, cwd=gopath).result("modules.gomod")
    assert r["status"] == "fail" and "$GOPATH/go.mod exists but should not" in r["summary"]


def _vendored(goenv: GoEnv) -> Path:
    goenv.env.update(OFFLINE)
    write_module(goenv.root / "dep1", "example.com/dep1", "1.19", {"dep1.go": "package dep1\n\nconst X = 1\n"})
    write_module(goenv.root / "dep2", "example.com/dep2", "1.19", {"dep2.go": "package dep2\n\nconst Y = 2\n"})
    main = 'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep1"\n)\n\nfunc main() { fmt.Println(dep1.X) }\n'
    app = write_module(goenv.root / "vapp", "example.com/vapp", "1.19", {"main.go": main},
                       "\nrequire example.com/dep1 v0.0.0\n\nreplace example.com/dep1 => ../dep1\n")
    goenv.go("mod", "vendor", cwd=app)
    return app


def test_vendor_in_sync_then_out_of_sync(goenv: GoEnv) -> None:
    app = _vendored(goenv)
    del goenv.env["GOFLAGS"]  # -mod=mod would make go ignore vendor/
    r = goenv.check(*AREAS, cwd=app).result("modules.vendor")
    assert r["status"] == "ok", r  # what `go mod vendor` wrote agrees with go.mod
    with open(app / "go.mod", "a") as fh:
        fh.write("\nrequire example.com/dep2 v0.0.0\n\nreplace example.com/dep2 => ../dep2\n")
    r = goenv.check(*AREAS, cwd=app).result("modules.vendor")
    assert r["status"] == "fail"
    assert f"go: inconsistent vendoring in {app}: example.com/dep2@v0.0.0: is explicitly required in go.mod, " \
           "but not marked as explicit in vendor/modules.txt" in r["summary"]
    assert r["fix"] == f"cd {app} && go mod vendor"
    p = goenv.go("build", "./...", cwd=app, check=False)  # ground truth: go refuses to build
    assert "inconsistent vendoring" in p.stderr and "example.com/dep2@v0.0.0: is explicitly required" in p.stderr
    goenv.env["GOFLAGS"] = "-mod=mod"
    r = goenv.check(*AREAS, cwd=app).result("modules.vendor")
    assert r["status"] == "warn" and "GOFLAGS=-mod=mod ignores vendor/" in r["summary"]


def test_verify_detects_modified_module_cache(goenv: GoEnv, tmp_path: Path) -> None:
    goenv.env.update(OFFLINE)
    goenv.env["GOPROXY"] = file_proxy(tmp_path / "proxy", "example.com/lib", "v1.0.0",
                                      {"lib.go": "package lib\n\nconst V = 1\n"})
    main = 'package main\n\nimport "example.com/lib"\n\nfunc main() { println(lib.V) }\n'
    app = write_module(goenv.root / "uses", "example.com/uses", "1.19", {"main.go": main},
                       "\nrequire example.com/lib v1.0.0\n")
    goenv.go("mod", "download", "example.com/lib", cwd=app)
    goenv.go("mod", "tidy", cwd=app)
    r = goenv.check(*AREAS, "--deep", cwd=app).result("modules.verify")
    assert r["status"] == "ok" and "all modules verified" in r["summary"]
    extracted = goenv.home / "go" / "pkg" / "mod" / "example.com" / "lib@v1.0.0"
    os.chmod(extracted, 0o755)
    os.chmod(extracted / "lib.go", 0o644)
    (extracted / "lib.go").write_text("package lib\n\nconst V = 2 // tampered\n")
    r = goenv.check(*AREAS, "--deep", cwd=app).result("modules.verify")
    assert r["status"] == "fail"
    assert f"example.com/lib v1.0.0: dir has been modified ({extracted})" in r["summary"]
    assert r["fix"] == "go clean -modcache && go mod download"
    subprocess.run(["chmod", "-R", "u+w", str(goenv.home / "go")], check=True)  # let pytest clean up


def _reach(run: Run) -> dict[str, dict[str, object]]:
    return {str(r["subject"]): r for r in run.report["results"] if r["id"] == "modules.reachable"}


def test_reachable_tls_failure_names_the_issuer_then_trusted(goenv: GoEnv, mod: Path, tmp_path: Path) -> None:
    newest_only(goenv)
    cert = self_signed(tmp_path / "tls", "Corp TLS Inspection CA")
    goenv.env["GOSUMDB"] = "off"
    with http_server(tmp_path / "www", cert) as url:
        goenv.env["GOPROXY"] = f"{url},direct"
        res = _reach(goenv.check(*AREAS, "--online", cwd=mod))
        r = res[url]
        assert r["status"] == "fail" and r["evidence"]["stage"] == "tls"  # type: ignore[index]
        assert "certificate presented was issued by CN=Corp TLS Inspection CA" in str(r["summary"])
        goenv.env["SSL_CERT_FILE"] = str(cert.cert)  # trust it, as Go would
        r = _reach(goenv.check(*AREAS, "--online", cwd=mod))[url]
        assert r["status"] == "ok" and "answered HTTP 404" in str(r["summary"])


def test_reachable_tcp_refused_and_http_ok(goenv: GoEnv, mod: Path, tmp_path: Path) -> None:
    newest_only(goenv)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = f"http://127.0.0.1:{s.getsockname()[1]}"
    s.close()
    with http_server(tmp_path / "www") as url:
        goenv.env["GOPROXY"] = f"{url}|{closed},off"
        goenv.env["GOSUMDB"] = "off"
        res = _reach(goenv.check(*AREAS, "--online", cwd=mod))
    assert res[url]["status"] == "ok"
    r = res[closed]
    assert r["status"] == "fail" and r["evidence"]["stage"] == "tcp"  # type: ignore[index]
    assert "the TCP connection fails" in str(r["summary"]) and "refused" in str(r["summary"]).lower()


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_reachable_dns_failure_in_an_isolated_network(goenv: GoEnv, mod: Path) -> None:
    """A private network namespace (no interfaces up) makes every lookup fail without any packet leaving."""
    newest_only(goenv)
    goenv.env.update({"GOPROXY": "https://proxy.gomedic-test.invalid", "GOSUMDB": "off",
                      "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")})
    argv = ["unshare", "--net", sys.executable, "-m", "gomedic", "check", "--format", "json", *AREAS, "--online"]
    p = subprocess.run(argv, env=goenv.env, cwd=mod, capture_output=True, text=True, timeout=120)
    r = _reach(Run(p.returncode, p.stdout, p.stderr))["https://proxy.gomedic-test.invalid"]
    assert r["status"] == "fail" and r["evidence"]["stage"] == "dns"  # type: ignore[index]
    assert "the name does not resolve: lookup proxy.gomedic-test.invalid" in str(r["summary"])


def test_reachable_through_an_http_proxy_is_not_probed_directly(goenv: GoEnv, mod: Path) -> None:
    newest_only(goenv)
    goenv.env.update({"GOPROXY": "https://mirror.corp.example", "GOSUMDB": "off",
                      "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": "other.example"})
    r = _reach(goenv.check(*AREAS, "--online", cwd=mod))["https://mirror.corp.example"]
    assert r["status"] == "skip" and "through the HTTP proxy http://127.0.0.1:9" in str(r["summary"])


def test_reachable_only_with_online(goenv: GoEnv, mod: Path) -> None:
    newest_only(goenv)
    assert "modules.reachable" not in {r["id"] for r in goenv.check(*AREAS, cwd=mod).report["results"]}


def test_broken_go_still_gives_a_complete_report(goenv: GoEnv, mod: Path) -> None:
    """A GOENV entry that breaks every go command: file-based checks still run, go-running ones skip."""
    goenv.write_goenv("GOROOT=/nonexistent/go\n")
    goenv.env["CGO_ENABLED"] = "0"
    run = goenv.check(*AREAS, "--area", "cgo", "--area", "build", "--deep", cwd=mod)
    st = {r["id"]: r for r in run.report["results"]}
    assert not [i for i, r in st.items() if r["status"] == "error"]
    assert st["modules.proxy"]["status"] == "ok" and st["modules.gomod"]["status"] == "ok"
    for cid in ("modules.verify", "cgo.deps", "build.works"):
        assert st[cid]["status"] == "skip" and "cannot find GOROOT directory: /nonexistent/go" in st[cid]["summary"]


@pytest.mark.parametrize("line", ["1.16", "1.19", "1.21", "1.21.0", "1.21rc1", "1.22.10"])
def test_go_line_format_per_release(goenv: GoEnv, line: str) -> None:
    """Go <= 1.20 reads only `go 1.N`; from 1.21 also `1.N.P` and pre-releases. modules.gomod fails exactly
    when this release's go cannot parse the line, quoting what it says."""
    d = write_module(goenv.root / "m", "example.com/m", line, {"main.go": HELLO})
    r = goenv.check(*AREAS, cwd=d).result("modules.gomod")
    goenv.env["GOTOOLCHAIN"] = "local"
    p = goenv.go("list", "-m", cwd=d, check=False)  # ground truth
    rejected = "invalid go version" in p.stderr
    assert (r["status"] == "fail") == rejected, (r, p.stderr)
    if rejected:
        said = f"invalid go version '{line}': must match format 1.23"
        assert said in p.stderr and f"{d}/go.mod:3: {said}" in r["summary"]
        assert r["fix"].startswith(f"write `go {line[:4]}` in {d}/go.mod")
    else:
        assert r["summary"] == f"{d}/go.mod parses (module example.com/m, go {line})"


@pytest.mark.parametrize(("directive", "since"), [("toolchain go1.21.0", 21), ("godebug default=go1.21", 23)])
def test_directive_newer_than_local_go(goenv: GoEnv, directive: str, since: int) -> None:
    d = write_module(goenv.root / "m", "example.com/m", "1.21" if goenv.minor >= 21 else "1.19",
                     {"main.go": HELLO}, f"\n{directive}\n")
    r = goenv.check(*AREAS, cwd=d).result("modules.gomod")
    goenv.env["GOTOOLCHAIN"] = "local"
    p = goenv.go("list", "-m", cwd=d, check=False)  # ground truth
    name = directive.split()[0]
    if goenv.minor >= since:
        assert r["status"] == "ok" and p.returncode == 0, (r, p.stderr)
        return
    assert f"go.mod:5: unknown directive: {name}" in p.stderr
    assert r["status"] == "fail" and f"{d}/go.mod:5: unknown directive: {name}" in r["summary"]
    assert f"needs go1.{since} or newer" in r["summary"]
