"""`gomedic fix [ID...] [--yes]`: plans for fixable failing results; with --yes, apply, back up, re-check.

Without --yes nothing changes. With --yes every edited file is backed up next to itself with a
timestamp, and each fixed check runs again; the report shows the new status. Shell rc files are edited
only with --edit-rc (otherwise the lines are printed).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any

from gomedic.commands import SUMMARIES

if TYPE_CHECKING:
    from gomedic.model import Report


def add_parser(sub: Any) -> None:
    from gomedic.render import RENDERERS

    p: argparse.ArgumentParser = sub.add_parser(
        "fix", help=SUMMARIES["fix"],
        description="For each fixable failing result, show the plan: what changes, the exact commands or file "
        "edits, how to undo. Nothing changes without --yes.")
    p.add_argument("ids", nargs="*", metavar="ID", help="only these checks (default: every fixable check)")
    p.add_argument("--yes", action="store_true", help="apply the plans, back up edited files, re-check")
    p.add_argument("--edit-rc", action="store_true", help="also write PATH lines into your shell rc file")
    p.add_argument("--shell", choices=["bash", "zsh", "fish", "sh"], help="shell for rc lines (default: $SHELL)")
    p.add_argument("--user", metavar="NAME", help="as root: fix this user's setup (default: SUDO_USER, else you)")
    p.add_argument("--deep", action="store_true", help="also run deep checks (build.cache)")
    g = p.add_argument_group("output")
    g.add_argument("--format", default="text", choices=list(RENDERERS), help="output format (default: %(default)s)")
    g.add_argument("-o", "--output", metavar="FILE", help="write the output to FILE instead of stdout")
    g.add_argument("-v", "--verbose", action="store_true", help="show evidence for every result")
    p.set_defaults(run=run)


def _shell(args: argparse.Namespace, target_shell: str, is_self: bool) -> Any:
    from gomedic.errors import UsageError
    from gomedic.fix.shell import Shell, parse_shell

    if args.shell:
        return parse_shell(args.shell)
    try:
        return parse_shell((os.environ.get("SHELL") if is_self else target_shell) or target_shell or "sh")
    except UsageError:
        return Shell.SH  # an unsupported login shell: POSIX lines for ~/.profile


def run(args: argparse.Namespace) -> int:
    import time

    from gomedic.commands.check import context as check_context
    from gomedic.fix.engine import Scope, apply, dry_run, evaluate, make_plans, recheck
    from gomedic.fix.plan import FixContext, PlanState
    from gomedic.fix.target import env_for, resolve
    from gomedic.runner import build_report, now_utc

    t0, started = time.monotonic(), now_utc()
    target = resolve(args.user, os.environ)
    env = env_for(target, os.environ)
    scope = Scope(frozenset(args.ids), args.deep, env, os.getcwd())
    results, facts = evaluate(target, scope, env)
    ctx = FixContext(facts, target, _shell(args, target.shell, target.is_self), args.edit_rc)
    plans = make_plans(results, ctx)
    if args.yes:
        outcomes = [apply(p) for p in plans]
        # Re-check what was fixed, and (when anything changed) the rest too: one fix can cure another result.
        changed = any(o.state is PlanState.APPLIED for o in outcomes)
        todo = [i for i, o in enumerate(outcomes) if changed or o.state is PlanState.NOTHING]
        for i, o in zip(todo, recheck([outcomes[i] for i in todo], target, scope), strict=True):
            outcomes[i] = o
    else:
        outcomes = [dry_run(p) for p in plans]
    after = {(o.plan.result.id, o.plan.result.subject): o.after for o in outcomes if o.after}
    final = [after.get((r.id, r.subject)) or r for r in results]
    ctx_doc = dict(check_context(facts))
    ctx_doc["fix"] = {"user": target.name, "via": target.via, "applied": args.yes, "edit_rc": args.edit_rc,
                      "shell": ctx.shell.value, "plans": [o.to_dict() for o in outcomes]}
    report = build_report("fix", final, started, t0, ctx_doc)
    return _emit(report, args)


def _emit(report: Report, args: argparse.Namespace) -> int:
    from gomedic.render import RenderOptions, render

    if args.format == "text":
        from gomedic.redact import known_secrets, redact_report, redact_text

        secrets = known_secrets()
        text = redact_text(render_text(redact_report(report, secrets)), secrets)
    else:
        text = render(report, args.format, RenderOptions(verbose=args.verbose))
    if args.output:
        from gomedic.fsutil import atomic_write

        atomic_write(args.output, text)
    else:
        sys.stdout.write(text)
    return report.exit


_STATE_WORDS = {
    "planned": "planned: run with --yes to apply",
    "applied": "applied",
    "failed": "FAILED",
    "manual": "manual: gomedic does not change this for you",
    "nothing": "already in place: nothing changed",
}


def render_text(report: Report) -> str:
    """The plans, one block per failing result (the report is already redacted)."""
    fix = report.context.get("fix") or {}
    plans: list[dict[str, Any]] = fix.get("plans", [])
    mode = "applying (--yes)" if fix.get("applied") else "dry run: nothing is changed"
    out = [f"gomedic fix · for {fix.get('user')} ({fix.get('via')}) · {mode}", ""]
    if not plans:
        out.append("nothing to fix: every fixable check passes")
    for p in plans:
        subject = f" [{p['subject']}]" if p.get("subject") else ""
        out.append(f"{p['status_before'].upper():<5} {p['check']}{subject}  {p['problem']}")
        for a in p["actions"]:
            change_lines = a["change"].split("\n")
            out.append(f"      change: {change_lines[0]}" + ("   [needs root]" if a["needs_root"] else ""))
            out += [f"              {c}" for c in change_lines[1:]]
            out.append(f"      undo:   {a['undo']}")
        cont = False
        for m in p["manual"]:
            out.append(f"      {'        ' if cont else 'do:     '}{m}")
            cont = cont or m.endswith(":")
        for alt in p["alternatives"]:
            out.append(f"      or:     {alt}")
        if p.get("note"):
            out.append(f"      note:   {p['note']}")
        state = _STATE_WORDS.get(p["state"], p["state"])
        line = f"      -> {state}"
        if p.get("error"):
            line += f": {p['error']}"
        if p.get("backups"):
            line += f"; backup: {', '.join(p['backups'])}"
        if p.get("status_after"):
            line += f"; re-check: {p['status_after']}: {p.get('summary_after') or ''}"
        out += [line, ""]
    s = report.summary()
    counts: dict[str, int] = {}
    for p in plans:
        counts[p["state"]] = counts.get(p["state"], 0) + 1
    out.append(" · ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "0 plans")
    out[-1] += f" · now: {s['fail']} fail, {s['warn']} warn · exit {report.exit}"
    if not fix.get("applied") and any(p["state"] == "planned" for p in plans):
        ids = " ".join(sorted({p["check"] for p in plans if p["state"] == "planned"}))
        out.append(f"apply with: gomedic fix --yes {ids}")
    return "\n".join(out) + "\n"
