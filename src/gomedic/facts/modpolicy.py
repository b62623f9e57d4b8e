"""Judgements about module paths, GOFLAGS and go.mod/go.work that the modules checks share (pure)."""

from __future__ import annotations

import os

from gomedic.binfmt import goversion
from gomedic.facts.envfile import split_quoted
from gomedic.facts.gomod import ModuleContext
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from gomedic.facts.modfile import ModFile

# Module paths on public hosts: a GONOSUMDB/GOPRIVATE/GOINSECURE pattern matching one of these turns off
# checks for public code. The second elements are made up, so an owner-specific pattern
# (github.com/mycorp) does not match.
PUBLIC_SAMPLES = (
    "github.com/gomedic-sample-owner/repo",
    "golang.org/x/text",
    "google.golang.org/protobuf",
    "gopkg.in/yaml.v3",
    "go.uber.org/zap",
    "k8s.io/api",
)
PUBLIC_HOSTS = frozenset(
    [
        "github.com",
        "gitlab.com",
        "bitbucket.org",
        "golang.org",
        "google.golang.org",
        "gopkg.in",
        "go.uber.org",
        "k8s.io",
        "sigs.k8s.io",
        "cloud.google.com",
        "go.opentelemetry.io",
        "gocloud.dev",
        "honnef.co",
        "go.etcd.io",
        "go.mongodb.org",
        "gotest.tools",
        "mvdan.cc",
        "lukechampine.com",
        "filippo.io",
        "dario.cat",
        "modernc.org",
        "rsc.io",
        "codeberg.org",
        "git.sr.ht",
        "gitea.com",
        "go.googlesource.com",
        "golang.zx2c4.com",
        "tailscale.com",
        "software.sslmate.com",
    ]
)
PRIVATE_TLDS = frozenset(
    [
        "local",
        "internal",
        "corp",
        "lan",
        "intranet",
        "private",
        "localdomain",
        "home",
        "test",
        "example",
        "invalid",
        "localhost",
    ]
)


def is_private_host(host: str) -> bool:
    """A host no public proxy can serve: an IP, a host with a port, a private TLD, Azure DevOps."""
    if ":" in host:
        return True
    if host and not host.strip("0123456789."):  # only then can it be an address (IPv6 has colons)
        import ipaddress  # here: ~1 ms of `gomedic check`'s start-up, for hosts that are rarely addresses

        try:
            ipaddress.ip_address(host)
            return True
        except ValueError:
            pass
    h = host.lower()
    if h.endswith(".home.arpa") or h == "dev.azure.com" or h.endswith(".visualstudio.com"):
        return True
    return "." in h and h.rsplit(".", 1)[1] in PRIVATE_TLDS


def is_private_path(path: str, main_module: str) -> bool:
    """Whether a required module path looks private: on a private host, or on the main module's own host
    when that host is not a well-known public one."""
    host = path.split("/", 1)[0]
    if "." not in host and ":" not in host:
        return False  # not fetchable at all; cmd/go reports that itself
    if is_private_host(host):
        return True
    main_host = main_module.split("/", 1)[0]
    return bool(main_host) and host == main_host and host.lower() not in PUBLIC_HOSTS


def goflags_downgrades(goflags: str) -> list[tuple[str, str]]:
    """GOFLAGS entries that weaken module authentication, with what each exposes."""
    try:
        toks = split_quoted(goflags)
    except ValueError:
        return []
    out: list[tuple[str, str]] = []
    for t in toks:
        name = t.lstrip("-").split("=", 1)[0]
        if name == "insecure" and t.startswith("-"):
            out.append((t, "modules are fetched over plain HTTP and without certificate checks"))
        elif name == "mod" and t.split("=", 1)[-1] == "mod" and "=" in t:
            out.append((t, "go commands add missing requirements and go.sum entries without review"))
    return out


def _gopath_roots(gopath: str) -> list[str]:
    return [os.path.realpath(p) for p in gopath.split(os.pathsep) if p and os.path.isabs(p)]


def _too_new_for(local: str, path: str, mf: ModFile) -> list[tuple[str, str]]:
    """What `local` (an older go) cannot parse in a go.mod/go.work that parsed here, quoted as it says it:
    a go line other than `1.N` before Go 1.21, directives newer than the release."""
    out: list[tuple[str, str]] = []
    if mf.go and not goversion.go_line_format_ok(mf.go, local):
        out.append((f"go: errors parsing {os.path.basename(path)}: {path}:{mf.go_line_no}: invalid go version "
                    f"'{mf.go}': must match format 1.23 ({local} reads only `go 1.N` lines; `{mf.go}` needs Go 1.21+)",
                    f"write `go {goversion.lang(mf.go)}` in {path}, or upgrade Go to 1.21 or newer"))
    for name, line in mf.directives:
        if not goversion.knows_directive(local, name):
            since = goversion.DIRECTIVE_SINCE[name]
            out.append((f"go: errors parsing {os.path.basename(path)}: {path}:{line}: unknown directive: {name} "
                        f"({local} predates it: `{name}` needs {since} or newer)",
                        f"upgrade Go to {goversion.strip_go(since)} or newer, or remove the {name} line"))
    return out


def module_issues(mod: ModuleContext, local: str | None, gopath: str) -> list[tuple[str, str]]:
    """(problem, fix) for go.mod and go.work: read and parse errors, the go line format vs the local Go,
    a go.mod at a GOPATH root, a go.work that does not list the current module."""
    out: list[tuple[str, str]] = [(e, "make the file readable") for e in mod.read_errors]
    for path, mf in ((mod.gomod, mod.mod), (mod.gowork, mod.work)):
        if path is None or mf is None:
            continue
        name = os.path.basename(path)
        for line, err in mf.errors[:5]:
            out.append((f"go: errors parsing {name}: {path}:{line}: {err}", f"fix line {line} of {path}"))
        if name == "go.mod" and mf.module is None and not mf.errors:
            out.append((f"go: error reading {path}: missing module declaration",
                        f"go mod edit -module=example.com/yourmodule  (in {os.path.dirname(path)})"))
        if local:
            out += _too_new_for(local, path, mf)
    if mod.gomod and mod.module_dir and os.path.realpath(mod.module_dir) in _gopath_roots(gopath):
        out.append((f"{mod.gomod} is at the root of GOPATH ({mod.module_dir}): "
                    "`$GOPATH/go.mod exists but should not`", "move the module out of GOPATH, or change GOPATH"))
    if mod.work is not None and mod.gowork and mod.module_dir:
        wdir = os.path.dirname(mod.gowork)
        used = {os.path.realpath(os.path.join(wdir, u)) for u in mod.work.uses}
        if os.path.realpath(mod.module_dir) not in used:
            out.append((f"{mod.gowork} does not use {mod.module_dir}: go reports `current directory is contained "
                        "in a module that is not one of the workspace modules listed in go.work`",
                        f"go work use {os.path.relpath(mod.module_dir, wdir)}  (in {wdir}), or GOWORK=off"))
    return out
