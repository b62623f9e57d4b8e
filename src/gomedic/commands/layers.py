"""`gomedic layers [--format text|json]`: for every Go variable, which config layer sets it and which value
wins in a terminal, in VS Code and in `go test` under the debugger (see gomedic.facts.layers)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from gomedic.commands import SUMMARIES


def add_parser(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "layers", help=SUMMARIES["layers"],
        description="Show every layer that sets a Go variable (go.env, GOENV file, rc files, direnv, .env, "
                    "VS Code settings, launch.json, the environment) and the value that wins in each context. "
                    "Files are read, never executed.")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.add_argument("-C", "--dir", help="project directory (default: the current directory)")
    p.set_defaults(run=run)


def table(ly: Any) -> dict[str, Any]:
    """The layers as plain data: per variable, the settings (deduplicated across contexts) and the winners."""
    from gomedic.layers.resolve import conflicts, describe, keys, winner

    out: dict[str, Any] = {}
    for key in keys(ly.contexts):
        seen: dict[tuple[object, ...], dict[str, Any]] = {}
        for c in ly.contexts:
            for s in c.settings:
                if s.key != key:
                    continue
                k = (s.kind, s.file, s.line, s.value, s.conditional)
                row = seen.setdefault(k, {"layer": s.kind.value, "file": s.file, "line": s.line, "value": s.value,
                                          "conditional": s.conditional, "dynamic": s.dynamic, "contexts": []})
                row["contexts"].append(c.name)
        wins = {}
        for c in ly.contexts:
            w = winner(c, key)
            wins[c.name] = {"value": w.value, "from": describe(w.setting) if w.value is not None else "default"}
        out[key] = {"layers": list(seen.values()), "wins": wins}
    return {
        "schema": "gomedic/layers/v1",
        "shell": ly.shell,
        "contexts": [{"name": c.name, "how": c.how, "go": c.go} for c in ly.contexts],
        "variables": out,
        "conflicts": [{"variable": c.key, "summary": c.summary, "file": c.where.file, "line": c.where.line,
                       "fix": c.fix} for c in conflicts(ly.contexts)],
        "notes": list(ly.notes),
        "files": list(ly.files),
    }


def render_text(doc: dict[str, Any]) -> str:
    lines = [f"shell: {doc['shell']}"]
    for c in doc["contexts"]:
        lines.append(f"context {c['name']}: {c['how']}; go: {c['go'] or '(none on PATH)'}")
    for key, v in doc["variables"].items():
        lines.append("")
        lines.append(key)
        for row in v["layers"]:
            where = f"{row['file']}:{row['line']}" if row["line"] else row["file"]
            flags = "".join(f" [{f}]" for f in ("conditional", "dynamic") if row[f])
            value = "(unset)" if row["value"] is None else row["value"]
            lines.append(f"  {row['layer']:<20} {where}: {value}{flags}")
        for ctx, w in v["wins"].items():
            shown = "(default)" if w["value"] is None else w["value"]
            lines.append(f"  wins in {ctx}: {shown} (from {w['from']})")
    if doc["conflicts"]:
        lines.append("")
        lines.append("conflicts:")
        lines += [f"  {c['summary']}\n    fix: {c['fix']}" for c in doc["conflicts"]]
    if doc["notes"]:
        lines.append("")
        lines.append("notes:")
        lines += [f"  {n}" for n in doc["notes"]]
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    from gomedic.errors import UsageError
    from gomedic.facts import Facts, Options
    from gomedic.facts.layers import LAYERS
    from gomedic.redact import known_secrets, redact_text

    cwd = os.path.abspath(args.dir) if args.dir else os.getcwd()
    if not os.path.isdir(cwd):
        raise UsageError(f"--dir {args.dir}: not a directory")
    facts = Facts(Options(env=dict(os.environ), cwd=Path(cwd)))
    doc = table(facts.get(LAYERS))
    text = json.dumps(doc, indent=2) + "\n" if args.format == "json" else render_text(doc)
    sys.stdout.write(redact_text(text, known_secrets()))
    return 0
