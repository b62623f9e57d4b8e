"""Fixers that edit the GOENV file: remove an invalid entry (goenv.file), an entry the environment
shadows (goenv.shadowed), or a persistent GOOS/GOARCH written with `go env -w` (toolchain.host-target).

Evidence used (from gomedic.checks.goenv): `file`, `line`, `key`. The entry is looked up again in the
parsed GOENV file, and the exact line text is what gets removed (after a backup next to the file).
"""

from __future__ import annotations

from gomedic.facts.envfile import entry_problems
from gomedic.facts.go import GO_CONFIG, GOENV_FILE, SRC_FILE
from gomedic.fix.actions import RemoveLines
from gomedic.fix.plan import FixContext, Plan, manual_plan
from gomedic.model import Result
from gomedic.safefs import inside


def _remove_keys(r: Result, ctx: FixContext, keys: set[str], only_line: int | None, why: str) -> Plan:
    ef = ctx.facts.get(GOENV_FILE)
    if ef.path is None or not ef.exists or ef.error:
        return manual_plan(r, f"the GOENV file cannot be edited ({ef.error or ef.how})")
    entries = [e for e in ef.text.entries if e.key in keys and (only_line is None or e.line == only_line)]
    if not entries:
        return manual_plan(r, f"{ef.path} no longer has the entry the check reported")
    drop = tuple((e.line, f"{e.key}={e.value}") for e in entries)
    keys_s = " ".join(sorted({e.key for e in entries}))
    t = ctx.target
    if t.confine and not inside(ef.path, t.confine):
        return manual_plan(r, f"{ef.path} is outside {t.name}'s home ({t.home}): as root, gomedic edits files "
                              "only inside it")
    return Plan(r, (RemoveLines(ef.path, drop, why, t.confine, t.uid),),
                alternatives=(f"go env -u {keys_s}  (works only when go itself still runs)",))


def _line(r: Result) -> int | None:
    try:
        return int(r.evidence.get("line", ""))
    except ValueError:
        return None


def goenv_file(r: Result, ctx: FixContext) -> Plan:
    key, line = r.evidence.get("key", ""), _line(r)
    if not key or line is None:
        return manual_plan(r)
    ef = ctx.facts.get(GOENV_FILE)
    entry = next((e for e in ef.text.entries if e.line == line and e.key == key), None)
    why = "; ".join(entry_problems(entry.key, entry.value)) if entry else ""
    return _remove_keys(r, ctx, {key}, line, why or "go rejects this entry")


def goenv_shadowed(r: Result, ctx: FixContext) -> Plan:
    key = r.evidence.get("key", "")
    if not key:
        return manual_plan(r)
    env_value = ctx.facts.env.get(key, "")
    plan = _remove_keys(r, ctx, {key}, None, f"ignored: the environment sets {key}={env_value}")
    if plan.actions:
        return Plan(plan.result, plan.actions, alternatives=(
            f"unset {key} in your shell or CI instead, to use the file's value", *plan.alternatives))
    return plan


def host_target(r: Result, ctx: FixContext) -> Plan:
    cfg = ctx.facts.get(GO_CONFIG)
    in_file = {k for k in ("GOOS", "GOARCH") if cfg.get(k).source == SRC_FILE and cfg.get(k).value}
    if not in_file:
        return manual_plan(r, "GOOS/GOARCH come from the environment: unset them in your shell or CI")
    return _remove_keys(r, ctx, in_file, None, "a persistent cross-compilation target")
