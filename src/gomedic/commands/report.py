"""`gomedic report [-o FILE]`: a Markdown report for bug trackers, like `go bug` produces.

Go release, `go env` (secrets redacted), OS, kernel, libc, CPU and its x86-64 level, container/WSL, and
every failing and warning result with its evidence. The document is built from a Report whose context
holds the go env and system facts, so redaction (gomedic.redact) applies to it as to every format;
`--format json` (or any other renderer) emits that Report instead. The result sections reuse the
helpers of gomedic.render.markdown.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from gomedic import safeio
from gomedic.commands import SUMMARIES
from gomedic.facts.cpu import CpuInfo

if TYPE_CHECKING:
    from gomedic.facts import Facts
    from gomedic.model import Report

def add_parser(sub: Any) -> None:
    from gomedic.render import RENDERERS

    p: argparse.ArgumentParser = sub.add_parser(
        "report", help=SUMMARIES["report"],
        description="Write a bug report: Go release, go env (secrets redacted), OS, kernel, libc, CPU level, "
        "container/WSL, and every failing and warning result with its evidence.")
    p.add_argument("--area", action="append", default=[], metavar="AREA", help="only these check areas")
    p.add_argument("--deep", action="store_true", help="also run the deep checks (compiles)")
    p.add_argument("--format", default="markdown", choices=sorted({"markdown", *RENDERERS}),
                   help="markdown (default): the bug report; any other format: the report data")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    p.set_defaults(run=run)


# ---- pure parsers ---------------------------------------------------------------------------------------

def parse_os_release(text: str) -> str:
    """PRETTY_NAME (else NAME VERSION_ID) of an os-release file."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            values[k.strip()] = v.strip().strip("\"'")
    return values.get("PRETTY_NAME") or " ".join(x for x in (values.get("NAME"), values.get("VERSION_ID")) if x)


def container_kind(cgroup: str, dockerenv: bool, containerenv: bool, env_container: str) -> str:
    if env_container:
        return env_container
    if containerenv:
        return "podman"
    if dockerenv:
        return "docker"
    for word in ("kubepods", "docker", "containerd", "lxc", "libpod"):
        if word in cgroup:
            return word
    return "none detected"


# ---- gathering ------------------------------------------------------------------------------------------

def _read(path: str, limit: int = 1 << 20) -> str:
    try:
        with safeio.open_binary(path) as fh:
            return fh.read(limit).decode("utf-8", "replace")
    except OSError:
        return ""


def cpu_level(cpu: CpuInfo) -> str | None:
    """GOAMD64's name for the x86-64 level of this CPU (v1..v4); None when it is not an x86-64 CPU."""
    if cpu.x86_64_level is None:
        return None
    return f"v{cpu.x86_64_level}" if cpu.x86_64_level else "below v1 (no 64-bit Go can run)"


def system_info(env: Mapping[str, str], cpu: CpuInfo) -> dict[str, str]:
    osrel = _read("/proc/sys/kernel/osrelease")
    wsl = "yes" if "microsoft" in osrel.lower() or env.get("WSL_DISTRO_NAME") else "no"
    info = {
        "os": parse_os_release(_read("/etc/os-release") or _read("/usr/lib/os-release")) or "unknown",
        "cpu": cpu.model or "unknown",
        "container": container_kind(_read("/proc/1/cgroup"), os.path.exists("/.dockerenv"),
                                    os.path.exists("/run/.containerenv"), env.get("container", "")),
        "wsl": wsl,
        "cpus": str(os.cpu_count() or "?"),
    }
    if (level := cpu_level(cpu)) is not None:
        info["x86-64 level"] = level
    return info


def _cpu(f: Facts) -> CpuInfo:
    from gomedic.errors import FactUnavailable
    from gomedic.facts.cpu import CPU

    try:
        return f.get(CPU)
    except FactUnavailable:
        return CpuInfo(frozenset(), "", None)


def context(f: Facts) -> dict[str, Any]:
    from gomedic.commands.check import context as check_context
    from gomedic.errors import FactUnavailable
    from gomedic.facts.go import GO_CONFIG, GO_ENV, release_has_key

    ctx = dict(check_context(f))
    try:
        go_env: Mapping[str, str] = f.get(GO_ENV)
        version, goarch = go_env.get("GOVERSION", ""), go_env.get("GOARCH", "")
        # only the keys this release's `go env` has (go1.19 has no GOTOOLCHAIN, GOAUTH, ...)
        ctx["go_env"] = {k: v for k, v in go_env.items() if release_has_key(version, goarch, k)}
        if "GOTOOLCHAIN" in ctx["go_env"]:  # the probe ran with GOTOOLCHAIN=local; report the user's own
            ctx["go_env"]["GOTOOLCHAIN"] = f.get(GO_CONFIG).value("GOTOOLCHAIN") or "auto"
    except FactUnavailable as e:
        ctx["go_env"] = {}
        ctx["go_env_error"] = str(e)
    ctx["system"] = system_info(f.env, _cpu(f))
    ctx["netrc"] = netrc_info(f.env)
    return ctx


def netrc_info(env: Mapping[str, str]) -> dict[str, Any]:
    """Where the .netrc go would use is and which machines it names: never its logins or passwords."""
    from gomedic.redact import netrc_machines, netrc_path

    path = netrc_path(env)
    text = _read(path) if path else ""
    return {"path": path or "", "exists": bool(path and os.path.exists(path)), "machines": netrc_machines(text)}


# ---- the document ---------------------------------------------------------------------------------------

def _sh_quote(v: str) -> str:
    return "'" + v.replace("'", "'\\''") + "'"


def markdown(report: Report) -> str:
    """The bug report (from an already redacted Report)."""
    from gomedic import __version__
    from gomedic.model import Status
    from gomedic.render.markdown import cell, code, fence

    ctx = dict(report.context)
    go = ctx.get("go") or {}
    host = ctx.get("host") or {}
    system = ctx.get("system") or {}
    go_env: dict[str, str] = ctx.get("go_env") or {}
    out = [f"# Go environment report (gomedic {__version__})", "",
           "<!-- Describe the problem above this line. Generated by `gomedic report` on "
           f"{report.started_at}; secrets (tokens, passwords, .netrc contents) are redacted. -->", "",
           "## Go", ""]
    if go:
        out.append(f"- `go version`: {code(str(go.get('version') or 'unknown'))} at {code(str(go.get('path') or '?'))}")
        out.append(f"- GOROOT: {code(str(go.get('goroot') or '?'))}")
    else:
        out.append("- no go command found on PATH")
    out.append("")
    if go_env:
        out += ["<details><summary><code>go env</code></summary>", ""]
        # an empty value is shown as empty (KEY=), not quoted: a quoted '' after a secret-looking name
        # (GOAUTH='') would be masked by the text redaction as if it held a secret
        out += fence("\n".join(f"{k}={_sh_quote(str(v)) if v else ''}" for k, v in sorted(go_env.items())))
        out += ["", "</details>", ""]
    elif ctx.get("go_env_error"):
        out += [f"`go env` failed: {cell(str(ctx['go_env_error']))}", ""]
    netrc = ctx.get("netrc") or {}
    if netrc.get("exists"):
        machines = ", ".join(str(m) for m in netrc.get("machines", [])) or "none"
        out += [f"- .netrc: {code(str(netrc.get('path')))} (machines: {cell(machines)}; contents not shown)", ""]
    rows = [("OS", f"{system.get('os', '?')} ({host.get('os', '?')}/{host.get('arch', '?')})"),
            ("Kernel", str(host.get("kernel", "?"))), ("libc", str(host.get("libc") or "unknown")),
            ("CPU", f"{system.get('cpu', '?')} · {system.get('cpus', '?')} CPUs"
                    + (f" · x86-64 {system['x86-64 level']}" if system.get("x86-64 level") else "")),
            ("Container", str(system.get("container", "?"))), ("WSL", str(system.get("wsl", "?")))]
    out += ["## System", "", "| | |", "|---|---|"] + [f"| {k} | {cell(v)} |" for k, v in rows] + [""]
    problems = [r for r in report.results if r.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    s = report.summary()
    out += ["## Problems found by gomedic", "",
            f"{s['fail']} fail · {s['error']} error · {s['warn']} warn · {s['ok']} ok · {s['skip']} skip "
            f"(score {s['score']})", ""]
    if not problems:
        out += ["None.", ""]
    for r in problems:
        subject = f" ({code(r.subject)})" if r.subject else ""
        out += [f"### {r.status.value.upper()} {code(r.id)}{subject}: {cell(r.title)}", "", cell(r.summary), ""]
        if r.evidence:
            out += [*fence("\n".join(f"{k}: {v}" for k, v in r.evidence.items())), ""]
        if r.fix:
            out += [f"**Fix:** {code(r.fix)}", ""]
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    import importlib.util

    from gomedic.checks import BUILTIN, DOCTOR_AREAS
    from gomedic.commands._common import run_specs
    from gomedic.errors import UsageError
    from gomedic.facts import Facts, Options
    from gomedic.model import FailOn
    from gomedic.redact import known_secrets, redact_report, redact_text
    from gomedic.registry import load_areas
    from gomedic.render import RenderOptions, render
    from gomedic.runner import Selection, select

    areas = args.area or [a for a in DOCTOR_AREAS if importlib.util.find_spec(BUILTIN[a][0]) is not None]
    bad = [a for a in areas if a not in DOCTOR_AREAS]
    if bad:
        raise UsageError(f"--area {bad[0]}: `report` areas are {', '.join(DOCTOR_AREAS)}")
    registry = load_areas(areas)
    facts = Facts(Options(deep=args.deep), registry)
    sel = Selection(areas=frozenset(areas), deep=args.deep)
    report = run_specs("report", select(registry, sel), facts, context=context, fail_on=FailOn.NEVER)
    if args.format == "markdown":
        secrets = known_secrets()
        text = redact_text(markdown(redact_report(report, secrets)), secrets) + "\n"
    else:
        text = render(report, args.format, RenderOptions())
    if args.output:
        from gomedic.fsutil import atomic_write

        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
