"""modules: fetching and trusting code — GOPROXY, GOSUMDB, private modules, go.mod/go.work, vendor/."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.go import (
    GO_CONFIG,
    SRC_DEFAULT,
    SRC_ENV,
    SRC_FILE,
    Setting,
    go_version,
    tool_in_path,
)
from gomedic.facts.goglob import matching_glob
from gomedic.facts.gomod import GO_MODULE, ModuleContext
from gomedic.facts.goproxy import proxy_list, sumdb
from gomedic.facts.gorun import MOD_VERIFY
from gomedic.facts.modpolicy import PUBLIC_SAMPLES, goflags_downgrades, is_private_path, module_issues
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

T = Category.TOOLCHAIN
DEFAULT_GOPROXY = "https://proxy.golang.org,direct"


def _module(f: Facts) -> ModuleContext:
    mod = f.get(GO_MODULE)
    if mod.gomod is None and mod.gowork is None:
        raise FactUnavailable(f"not in a module: no go.mod in {f.cwd} or any parent directory")
    return mod


@check("modules.proxy", category=T, severity=Severity.HIGH, title="GOPROXY is a valid proxy list")
def proxy(f: Facts) -> Finding:
    """GOPROXY parses as cmd/go parses it, `off` is explained, and git is there when `direct` is used.

    A bad entry breaks every download: `go: invalid proxy URL missing scheme: foo`, `invalid proxy URL
    scheme (must be https, http, file)`, `GOPROXY list is not the empty string, but contains no
    entries`. GOPROXY=off fails every missing module with `module lookup disabled by GOPROXY=off`.
    Entries after `direct` or `off` are never used. `direct` (and GOPRIVATE/GONOPROXY modules) fetch
    with git: without it, `go: missing Git command. See https://golang.org/s/gogetcmd`.

    Fix: `go env -w GOPROXY=https://proxy.golang.org,direct` (or your mirror), separate entries with `,`
    (fall back on 404/410) or `|` (fall back on any error), and install git if you fetch directly.
    """
    cfg = f.get(GO_CONFIG)
    s = cfg.get("GOPROXY")
    value = s.value or DEFAULT_GOPROXY
    ev = {"GOPROXY": f"{value} ({s.source})"}
    pl = proxy_list(value)
    fix = "go env -w GOPROXY=https://proxy.golang.org,direct  (or your module mirror)"
    if pl.error:
        return fail(f"GOPROXY={value} ({s.source}) is rejected: every download fails with `go: {pl.error}`",
                    fix=fix, **ev)
    if pl.is_off:
        return warn(f"GOPROXY=off ({s.source}): modules not already in the module cache fail with "
                    "`module lookup disabled by GOPROXY=off`", fix=fix + "; keep off only on air-gapped machines",
                    **ev)
    if pl.ignored:
        return warn(f"GOPROXY={value} ({s.source}): {', '.join(pl.ignored)} after `{pl.entries[-1].url}` is "
                    "never used (direct and off end the list)", fix=f"put {pl.ignored[0]} before "
                    f"{pl.entries[-1].url}, e.g. GOPROXY={','.join([*pl.urls, *pl.ignored, 'direct'])}", **ev)
    git = tool_in_path("git", f)
    ev["git"] = git or "not found on PATH"
    private = cfg.value("GONOPROXY") or cfg.value("GOPRIVATE")
    direct_first = bool(pl.entries) and pl.entries[0].url == "direct"
    if git is None and (direct_first or private):
        why = "GOPROXY=direct" if direct_first else f"GONOPROXY/GOPRIVATE={private} modules are fetched directly"
        return fail(f"{why}, but git is not on PATH: go fails with `go: missing Git command. "
                    "See https://golang.org/s/gogetcmd`", fix="install git (apt-get install git / apk add git)", **ev)
    chain = " then ".join(e.url for e in pl.entries) or "(empty)"
    note = "" if git or not pl.has_direct else "; git is not on PATH, so the direct fallback cannot work"
    return ok(f"GOPROXY={value} ({s.source}): tries {chain}{note}", **ev)


@check("modules.sumdb", category=T, severity=Severity.MEDIUM, title="No checksum-database security downgrade")
def sumdb_check(f: Facts) -> Finding:
    """Downloaded modules are checked against the checksum database, for every public module path.

    GOSUMDB=off, GONOSUMDB/GOPRIVATE/GOINSECURE patterns that cover public hosts (`*`, `github.com`),
    GONOSUMCHECK, and `-insecure` or `-mod=mod` in GOFLAGS each turn off part of what makes
    `verifying module: checksum mismatch ... SECURITY ERROR` possible: a tampered or re-tagged module
    is then accepted silently.

    Fix: `unset GOSUMDB` when it is exported (`go env -u GOSUMDB` when it is in the GOENV file); list
    only your private hosts in GOPRIVATE (`go env -w GOPRIVATE=git.corp.example`); remove
    `-insecure`/`-mod=mod` from GOFLAGS. Behind a firewall, use
    a mirror of the checksum database (GOSUMDB="sum.golang.org https://<mirror>") instead of turning it off.
    """
    cfg = f.get(GO_CONFIG)
    found: list[str] = []
    fixes: list[str] = []
    ev: dict[str, str] = {}
    s = cfg.get("GOSUMDB")
    ev["GOSUMDB"] = s.describe()
    if sumdb(s.value).url is None:
        found.append(f"GOSUMDB=off ({s.source}): no download is checked against the checksum database")
        fixes.append(_undo(s, "sum.golang.org"))
    for key in ("GONOSUMDB", "GOPRIVATE", "GOINSECURE"):
        v = cfg.get(key)
        if not v.value or (key == "GONOSUMDB" and v.source == SRC_DEFAULT):
            continue  # go env derives GONOSUMDB from GOPRIVATE: report that once, where it is set
        ev[key] = v.describe()
        hits = [(p, g) for p in PUBLIC_SAMPLES if (g := matching_glob(v.value, p))]
        if hits:
            what = "fetched over plain HTTP without certificate checks" if key == "GOINSECURE" else \
                "not checked against the checksum database"
            found.append(f"{key}={v.value} ({v.source}) covers public modules ({hits[0][0]} matches {hits[0][1]!r}): "
                         f"they are {what}")
            fixes.append(f"{_undo(v, '')} and list only your private hosts (e.g. go env -w GOPRIVATE=git.corp.example)")
    nsc = cfg.get("GONOSUMCHECK")
    if nsc.value and nsc.value != "0":
        ev["GONOSUMCHECK"] = nsc.describe()
        found.append(f"GONOSUMCHECK={nsc.value} ({nsc.source}) asks to skip checksum checks")
        fixes.append(_undo(nsc, ""))
    flags = cfg.get("GOFLAGS")
    if flags.value:
        ev["GOFLAGS"] = flags.describe()
        downgrades = goflags_downgrades(flags.value)
        found += [f"GOFLAGS has {tok} ({flags.source}): {what}" for tok, what in downgrades]
        if downgrades:
            where = "the GOFLAGS variable" if flags.source == SRC_ENV else f"GOFLAGS ({flags.source})"
            fixes.append(f"remove {', '.join(t for t, _ in downgrades)} from {where}")
    if found:
        return warn("; ".join(found), fix="; ".join(dict.fromkeys(fixes)), **ev)
    name = sumdb(s.value).name
    return ok(f"checksums are verified against {name}; no GONOSUMDB/GOPRIVATE/GOINSECURE pattern covers public "
              "modules; GOFLAGS has no downgrade", **ev)


def _undo(s: Setting, default: str) -> str:
    """How to take back a setting where it was made: `unset` for the environment (go env -u cannot
    override it), `go env -u` for the GOENV file, an override for GOROOT/go.env."""
    if s.source == SRC_ENV:
        return f"unset {s.key}  (it is set in the environment: remove the export from your shell rc or CI config)"
    if s.source == SRC_FILE:
        return f"go env -u {s.key}"
    if default:
        return f"go env -w {s.key}={default}  (overrides {s.source})"
    return f"go env -w {s.key}=  (overrides {s.source})"


@check("modules.private", category=T, severity=Severity.MEDIUM,
       title="Private module paths are covered by GOPRIVATE/GONOPROXY/GONOSUMDB")
def private(f: Facts) -> Finding:
    """Requirements on non-public hosts (internal domains, hosts with ports or IPs, dev.azure.com, the
    main module's own private host) match GONOPROXY and GONOSUMDB (both default to GOPRIVATE), as
    cmd/go matches them (a glob per leading path element).

    Otherwise go asks the public proxy and checksum database about them, leaking the names and failing
    with `verifying git.corp.example/lib@v1.2.0: git.corp.example/lib@v1.2.0: reading
    https://sum.golang.org/lookup/git.corp.example/lib@v1.2.0: 410 Gone`, or with `fatal: could not read
    Username for 'https://git.corp.example': terminal prompts disabled`.

    Fix: `go env -w GOPRIVATE=git.corp.example` (comma-separated hosts or path prefixes).
    """
    mod = _module(f)
    if mod.mod is None:
        return skip(f"{mod.gomod or mod.gowork}: no readable go.mod (see modules.gomod)")
    cfg = f.get(GO_CONFIG)
    noproxy = cfg.value("GONOPROXY") or cfg.value("GOPRIVATE")
    nosumdb = cfg.value("GONOSUMDB") or cfg.value("GOPRIVATE")
    uses_proxy = bool(proxy_list(cfg.value("GOPROXY") or DEFAULT_GOPROXY).urls)
    uses_sumdb = sumdb(cfg.value("GOSUMDB")).url is not None
    local = {r.old for r in mod.mod.replaces if r.new.startswith((".", "/"))}
    main = mod.mod.module or ""
    reqs = [r.path for r in mod.mod.requires if r.path not in local]
    priv = [p for p in reqs if is_private_path(p, main)]
    ev = {"go.mod": mod.gomod or "", "GONOPROXY": noproxy or "(unset)", "GONOSUMDB": nosumdb or "(unset)",
          "requirements": str(len(reqs))}
    if not priv:
        return ok(f"{mod.gomod}: none of {len(reqs)} requirements is on a private-looking host", **ev)
    uncovered = []
    for p in priv:
        gaps = [k for k, pats, used in (("GONOPROXY", noproxy, uses_proxy), ("GONOSUMDB", nosumdb, uses_sumdb))
                if used and not matching_glob(pats, p)]
        if gaps:
            uncovered.append(f"{p} (not in {'/'.join(gaps)})")
    ev["private-looking"] = ", ".join(priv)
    if not uncovered:
        return ok(f"{mod.gomod}: private requirements {', '.join(priv)} are covered by GONOPROXY/GONOSUMDB", **ev)
    hosts = sorted({p.split("/", 1)[0] for p in priv})
    return warn(f"{mod.gomod} requires {'; '.join(uncovered)}: go asks the public proxy and checksum database "
                "about them (`410 Gone`, and the names leak)",
                fix=f"go env -w GOPRIVATE={','.join(hosts)}", file=mod.gomod, **ev)


@check("modules.gomod", category=T, severity=Severity.HIGH, title="go.mod and go.work parse and fit the local Go")
def gomod(f: Facts) -> Finding:
    """go.mod and go.work parse, the `go` line format suits the local Go, the module is not at a GOPATH
    root, and go.work includes the module you stand in.

    Users see `go: errors parsing go.mod: /src/app/go.mod:3: invalid go version '1.21.8': must match
    format 1.23` (a three-part go line read by Go <= 1.20), `unknown directive: requir`,
    `$GOPATH/go.mod exists but should not`, or, under a go.work that does not list the module,
    `current directory is contained in a module that is not one of the workspace modules listed in
    go.work. You can add the module to the workspace using: go work use .`

    Fix: correct the reported line; upgrade Go; move the module out of GOPATH; `go work use .` or
    GOWORK=off.
    """
    mod = _module(f)
    local = None
    with contextlib.suppress(FactUnavailable):
        local = go_version(f)
    gopath = f.get(GO_CONFIG).value("GOPATH")
    problems = module_issues(mod, local, gopath)
    ev = {"go.mod": mod.gomod or "(none)", "go.work": mod.gowork or "(none)", "go line": mod.go_line or "(none)",
          "local go": local or "unknown"}
    if problems:
        return fail("; ".join(m for m, _ in problems), fix="; ".join(dict.fromkeys(x for _, x in problems)),
                    file=mod.gomod or mod.gowork, **ev)
    if mod.mod is None:
        return ok(f"{mod.gowork} parses (workspace of {len(mod.work.uses) if mod.work else 0} modules, "
                  f"go {mod.go_line or '(none)'}); the current directory is in none of them", **ev)
    what = f"{mod.gomod}" + (f" in workspace {mod.gowork}" if mod.work is not None else "")
    return ok(f"{what} parses (module {mod.mod.module}, go {mod.go_line or '(none)'})", **ev)


@check("modules.vendor", category=T, severity=Severity.HIGH, title="vendor/modules.txt agrees with go.mod")
def vendor(f: Facts) -> Finding:
    """In a module with a vendor/ directory, vendor/modules.txt agrees with go.mod, as cmd/go requires
    before it builds from vendor/ (the default when the go line is >= 1.14).

    Users see `go: inconsistent vendoring in /src/app:` followed by lines such as
    `example.com/lib@v1.2.0: is explicitly required in go.mod, but not marked as explicit in
    vendor/modules.txt` and `To sync the vendor directory, run: go mod vendor`.

    Fix: `go mod vendor` (or delete vendor/ if you do not vendor on purpose).
    """
    mod = _module(f)
    if mod.mod is None or mod.module_dir is None:
        return skip("no readable go.mod (see modules.gomod)")
    from gomedic.facts.moddirs import VENDOR, VENDOR_DIR

    if f.get(VENDOR_DIR) is None:
        return skip(f"{mod.module_dir} has no vendor/ directory")
    if mod.work is not None:
        return skip(f"workspace mode ({mod.gowork}): the module's vendor/ directory is not used")
    st = f.get(VENDOR)
    ev = {"vendor/modules.txt": st.path, "go line": mod.mod.go or "(none)", "vendor mode": st.mode,
          **{f"problem[{i}]": e for i, e in enumerate(st.errors[:20])}}
    if not st.errors:
        return ok(f"{st.path} agrees with {mod.gomod} ({len(mod.mod.requires)} requirements; {st.mode})", **ev)
    head = f"go: inconsistent vendoring in {mod.module_dir}: {st.errors[0]}" + \
        (f" (and {len(st.errors) - 1} more)" if len(st.errors) > 1 else "")
    if st.used:
        return fail(head, fix=f"cd {mod.module_dir} && go mod vendor", **ev)
    return warn(f"{head}; not fatal now ({st.mode}), but every build without that flag fails",
                fix=f"cd {mod.module_dir} && go mod vendor", **ev)


@check("modules.verify", category=T, severity=Severity.HIGH, title="`go mod verify` passes", deep=True)
def verify(f: Facts) -> Finding:
    """`go mod verify` passes: the module cache copies of every dependency still match go.sum.

    Users see `example.com/lib v1.2.0: dir has been modified (/home/u/go/pkg/mod/example.com/lib@v1.2.0)`
    or `missing ziphash: open ...ziphash: no such file or directory` after someone edited or partly
    deleted the module cache, and builds then use the modified code.

    Fix: `go clean -modcache` and download again (`go mod download`).
    """
    mod = _module(f)
    if mod.hidden:  # go's parse error would quote a file its owner cannot read
        return skip(f"go mod verify is not run: {mod.hidden[0]} is not shown (see modules.gomod)")
    v = f.get(MOD_VERIFY)
    if v.result is None:
        return fail(f"cannot run {v.go}: {v.error}", fix="see toolchain.go-on-path")
    r, cwd = v.result, v.cwd
    out = (r.stdout + r.stderr).strip()
    ev = {"command": f"go mod verify (in {cwd})", "output": out[:2000]}
    if r.ok:
        return ok(f"go mod verify in {cwd}: {out.splitlines()[-1] if out else 'ok'}", **ev)
    lines = [ln for ln in out.splitlines() if ln.strip()]
    return fail(f"go mod verify in {cwd} failed: {'; '.join(lines[:3]) or r.describe()}",
                fix="go clean -modcache && go mod download", **ev)



@check("modules.reachable", category=Category.NETWORK, severity=Severity.HIGH,
       title="Each GOPROXY entry and the GOSUMDB answer", online=True, timeout_s=40.0,
       thresholds={"timeout_s": 3.0})
def reachable(f: Facts) -> Iterator[Finding]:
    """Each GOPROXY URL and the checksum database answer over HTTP(S), probed layer by layer so that
    DNS, TCP and TLS failures are told apart; on a TLS failure, the certificate's issuer is shown (a
    TLS-inspecting corporate proxy shows up here). Only with --online.

    Users see `dial tcp: lookup proxy.golang.org on 8.8.8.8:53: ... i/o timeout`, `dial tcp
    142.250.0.1:443: i/o timeout`, or `tls: failed to verify certificate: x509: certificate signed by
    unknown authority` from `go mod download`.

    Fix: DNS or TCP: use a reachable mirror in GOPROXY and a matching GOSUMDB. TLS: install the
    corporate CA into the system bundle or point SSL_CERT_FILE at it; do not turn off GOSUMDB or set
    GOINSECURE.
    """
    cfg = f.get(GO_CONFIG)
    limit = float(f.threshold("modules.reachable.timeout_s"))
    pl = proxy_list(cfg.value("GOPROXY") or DEFAULT_GOPROXY)
    targets = [(u, "GOPROXY", "/golang.org/x/text/@v/list") for u in pl.urls]
    db = sumdb(cfg.value("GOSUMDB"))
    if db.url is not None and not pl.is_off:
        targets.append((db.url, f"GOSUMDB {db.name}", "/latest"))
    if not targets:
        yield skip(f"nothing to reach: GOPROXY={cfg.value('GOPROXY') or DEFAULT_GOPROXY}, GOSUMDB={db.name}")
        return
    for url, role, path in targets:
        yield _reach(f, url, role, path, limit)


def _reach(f: Facts, url: str, role: str, path: str, limit: float) -> Finding:
    ev = {"url": url, "role": role}
    if url.startswith("file:"):
        from gomedic.facts.moddirs import FILE_PROXIES, file_url_dir

        d = file_url_dir(url)
        if f.get(FILE_PROXIES).get(url):
            return ok(f"{role} {url}: directory {d} exists", subject=url, **ev)
        return fail(f"{role} {url}: directory {d} does not exist", subject=url,
                    fix=f"create {d} or remove it from GOPROXY", **ev)
    from gomedic.facts.netprobe import Stage, probe, proxy_for  # lazy: ssl and socket only with --online

    via = proxy_for(url, f.env)
    if via:
        return skip(f"{role} {url} is reached through the HTTP proxy {via}; gomedic probes direct connections only",
                    subject=url, **ev)
    p = probe(url, f.env, path, limit)
    ev.update({"stage": p.stage.value, "detail": p.detail, "address": p.address or "(none)"})
    if p.stage is Stage.OK:
        if p.status >= 500:
            return fail(f"{role} {url}: {p.detail}", subject=url, fix=f"{url} is failing; try again later or use "
                        "another mirror", **ev)
        return ok(f"{role} {url}: {p.detail}", subject=url, **ev)
    if p.stage is Stage.TLS:
        if p.issuer:
            ev.update({"certificate subject": p.subject, "certificate issuer": p.issuer})
        issuer = f"; the certificate presented was issued by {p.issuer}" if p.issuer else ""
        return fail(f"{role} {url}: {p.detail}{issuer}", subject=url,
                    fix="if that issuer is your corporate TLS proxy, add its CA to the system bundle "
                        "(update-ca-certificates) or set SSL_CERT_FILE; do not set GOINSECURE or GOSUMDB=off", **ev)
    what = {Stage.DNS: "the name does not resolve", Stage.TCP: "the TCP connection fails",
            Stage.HTTP: "no HTTP answer", Stage.URL: "not a usable URL"}[p.stage]
    return fail(f"{role} {url}: {what}: {p.detail}", subject=url,
                fix="check DNS/firewall, or use a reachable mirror in GOPROXY and a matching GOSUMDB "
                    "(e.g. GOPROXY=https://goproxy.cn,direct GOSUMDB=sum.golang.google.cn)", **ev)
