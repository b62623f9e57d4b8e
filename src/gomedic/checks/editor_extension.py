"""editor: the installed VS Code Go extension (golang.go) against the local Go release."""

from __future__ import annotations

from gomedic.binfmt import goversion
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.go import go_version
from gomedic.facts.vscode import VSCODE
from gomedic.facts.vscodego import compat, ext_tuple
from gomedic.finding import Finding, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check


@check("editor.go-extension", category=Category.TOOLCHAIN, severity=Severity.LOW,
       title="The installed VS Code Go extension supports the local Go release")
def go_extension(f: Facts) -> Finding:
    """Each release of the Go extension (golang.go) supports a range of Go releases; vscode-go's
    compatibility table (docs/compatibility.md) names the last extension version known to work with each old
    Go: v0.39.1 for go1.16 and go1.17, v0.41.3 for go1.18, v0.42.1 for go1.19 and go1.20 (later versions need
    Go 1.21 or newer). gomedic reads the newest `~/.vscode*/extensions/golang.go-*/package.json` and the go
    version (data: gomedic/facts/data/vscode-go-compat.json, with its source). A newer extension on an older
    Go may fail to install or run its tools (gopls, dlv) for that Go.

    Fix: upgrade Go (the newest extension needs Go 1.21+), or install the last compatible extension:
    `code --install-extension golang.go@0.42.1`.
    """
    vs = f.get(VSCODE)
    if not vs.extensions:
        return skip("the Go extension (golang.go) is not installed in ~/.vscode, ~/.vscode-server or ~/.vscode-oss")
    version, pj = vs.extensions[-1]
    try:
        local = go_version(f)
    except FactUnavailable as e:
        return skip(f"the local go version is unknown: {e}")
    if not local:
        return skip("the local go version is unknown (see toolchain.go-on-path)")
    table = compat()
    ev = {"Go extension": f"{version} ({pj})", "go": local, "source": table.source, "file": pj}
    lang = goversion.lang(local)
    if goversion.compare(lang, table.oldest) < 0:
        return warn(f"{local} is older than every Go release in the Go extension's compatibility table (the oldest "
                    f"is {table.oldest}): extension {version} does not support it", fix="upgrade Go", **ev)
    last = table.last_for(local)
    if last is None:
        return ok(f"the Go extension {version} supports {local}", **ev)
    ev["last extension for this Go"] = last
    if ext_tuple(version) > ext_tuple(last):
        return warn(f"the Go extension {version} is newer than {last}, the last version known to work with "
                    f"{lang} (vscode-go compatibility table): installing or running its tools for {local} may fail",
                    fix=f"upgrade Go (the newest extension needs Go 1.21+), or install the extension v{last}: "
                    f"code --install-extension golang.go@{last}", **ev)
    return ok(f"the Go extension {version} is at most {last}, the last version for {lang}", **ev)
