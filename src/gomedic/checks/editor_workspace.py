"""editor: the workspace files around VS Code's settings: tasks.json, devcontainer.json, go.toolsManagement.

Imported by gomedic.checks.editor (same area). Pure over facts: the files are read by gomedic.facts.vscode.
"""

from __future__ import annotations

from collections.abc import Mapping

from gomedic.binfmt import goversion
from gomedic.errors import FactUnavailable
from gomedic.facts import Facts
from gomedic.facts.go import GO_CONFIG
from gomedic.facts.gomod import GO_MODULE
from gomedic.facts.vscode import VSCODE, JsoncFile
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.lazyre import LazyRegex
from gomedic.model import Category, Severity
from gomedic.registry import check
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:  # no typing at run time on the start-up path (CONTRIBUTING.md)
    from typing import Any

WATCHED = ("GOOS", "GOARCH", "CGO_ENABLED", "GOFLAGS", "GODEBUG", "GOTOOLCHAIN")
GO_FEATURE = LazyRegex(r"^ghcr\.io/devcontainers/features/go(:\d+)?$")
IMAGE_GO = LazyRegex(r"^(?:mcr\.microsoft\.com/(?:vscode/)?devcontainers/go|(?:docker\.io/)?(?:library/)?golang)"
                      r":(?:\d+-|dev-)?(1\.\d+(?:\.\d+)?)(?:$|-)")


def _shell(f: Facts, key: str) -> str:
    try:
        return f.get(GO_CONFIG).value(key)
    except FactUnavailable:
        return f.env.get(key, "")


def env_differences(f: Facts, env: Any, label: str) -> list[str]:
    """`label sets K=V (shell: W)` for each watched variable an env object sets differently."""
    if not isinstance(env, dict):
        return []
    out = []
    for key in WATCHED:
        v = env.get(key)
        if isinstance(v, str) and v != _shell(f, key):
            out.append(f"{label} sets {key}={v} (the shell has {key}={_shell(f, key) or '(unset)'})")
    return out


def tasks_finding(f: Facts, tf: JsoncFile) -> Finding:
    """tasks.json: `options.env` of the file and of each task runs `go` with another environment."""
    if tf.error:
        return warn(f"cannot parse {tf.path}: {tf.error}", fix=f"fix the JSON in {tf.path}", subject=tf.path,
                    file=tf.path, error=tf.error)
    diffs: list[str] = []
    top = tf.data.get("options")
    if isinstance(top, dict):
        diffs += env_differences(f, top.get("env"), "tasks.json options.env")
    tasks = tf.data.get("tasks")
    for i, t in enumerate(tasks if isinstance(tasks, list) else []):
        if isinstance(t, dict) and isinstance(t.get("options"), dict):
            diffs += env_differences(f, t["options"].get("env"), f'task "{t.get("label", i)}" options.env')
    if not diffs:
        return ok(f"{tf.path}: no task changes {', '.join(WATCHED)}", subject=tf.path, file=tf.path)
    return warn("; ".join(diffs) + ": the task builds or tests something else than `go` in the terminal",
                fix=f"remove these variables from {tf.path} or set them the same way in the shell",
                subject=tf.path, file=tf.path)


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def container_go(dc: Mapping[str, Any]) -> tuple[str | None, str]:
    """(Go version the dev container provides, where it comes from); version None when it cannot be known."""
    feats = dc.get("features")
    if isinstance(feats, dict):
        for name, opts in feats.items():
            if GO_FEATURE.match(str(name)):
                v = (
                    opts.get("version", "latest")
                    if isinstance(opts, dict)
                    else (opts if isinstance(opts, str) else "latest")
                )
                return (None if v in ("latest", "none", "") else str(v)), f'feature "{name}" version {v}'
    image = dc.get("image")
    if isinstance(image, str) and image:
        m = IMAGE_GO.match(image)
        return (m.group(1) if m else None), f'image "{image}"'
    if isinstance(dc.get("build"), dict) or isinstance(dc.get("dockerFile"), str):
        return None, "a Dockerfile build (its Go version is not declared)"
    return None, "no image or Go feature"


@check("editor.devcontainer", category=Category.TOOLCHAIN, severity=Severity.MEDIUM,
       title="The dev container's Go satisfies go.mod and its environment matches the shell's")
def devcontainer(f: Facts) -> Finding:
    """`.devcontainer/devcontainer.json`: the Go release the container provides (the
    `ghcr.io/devcontainers/features/go` feature's `version`, or the tag of a `mcr.microsoft.com/devcontainers/go`
    or `golang` image) is at least go.mod's `go` line, and `containerEnv`/`remoteEnv` do not set
    GOOS/GOARCH/CGO_ENABLED/GOFLAGS/GODEBUG/GOTOOLCHAIN differently from the shell.

    An older Go in the container either downloads a toolchain on first build (`go: downloading go1.24.0`,
    which fails offline) or, with GOTOOLCHAIN=local, stops with
    `go: go.mod requires go >= 1.24 (running go 1.22; GOTOOLCHAIN=local)`.

    Fix: raise the Go feature's `version` (or the image tag) to the go.mod release; remove the variables from
    containerEnv/remoteEnv or set them the same way in the shell.
    """
    vs = f.get(VSCODE)
    dcf = vs.devcontainer
    if dcf is None:
        return skip("no .devcontainer/devcontainer.json or .devcontainer.json in the workspace")
    if dcf.error:
        return warn(f"cannot parse {dcf.path}: {dcf.error}", fix=f"fix the JSON in {dcf.path}", file=dcf.path)
    version, how = container_go(dcf.data)
    ev: dict[str, str] = {"file": dcf.path, "container go": how}
    diffs = env_differences(f, dcf.data.get("containerEnv"), "containerEnv") + \
        env_differences(f, dcf.data.get("remoteEnv"), "remoteEnv")
    mod = f.get(GO_MODULE)
    need = mod.go_line
    if version and need and goversion.compare("go" + version, goversion.lang("go" + need)) < 0:
        ev[mod.kind] = mod.file or ""
        env = {**_obj(dcf.data.get("remoteEnv")), **_obj(dcf.data.get("containerEnv"))}
        local = str(env.get("GOTOOLCHAIN", "")).startswith("local")
        msg = (f"{dcf.path}: the container has Go {version} ({how}) but {mod.file} needs go {need}: "
               + (f"`go: go.mod requires go >= {need} (running go {version}; GOTOOLCHAIN=local)`" if local else
                  f"every first build downloads go{need} (`go: downloading go{need}`), and fails offline"))
        want = goversion.lang("go" + need)[2:]
        fix = f"set the Go feature's version (or the image tag) in {dcf.path} to {want} or newer"
        return (fail if local else warn)(msg + ("; " + "; ".join(diffs) if diffs else ""), fix=fix, **ev)
    if diffs:
        return warn(f"{dcf.path}: " + "; ".join(diffs) + ": builds in the container target something else",
                    fix=f"remove these variables from {dcf.path} or set them the same way in the shell", **ev)
    if version is None:
        return ok(f"{dcf.path}: Go from {how}; containerEnv/remoteEnv leave the Go variables alone "
                  "(the release cannot be compared with go.mod)", **ev)
    return ok(f"{dcf.path}: Go {version} ({how}) satisfies go.mod ({need or 'no go line'}); "
              "containerEnv/remoteEnv leave the Go variables alone", **ev)
