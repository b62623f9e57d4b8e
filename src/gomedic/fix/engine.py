"""Collect the results to fix, plan, apply, re-check.

Results are evaluated as the target user: in this process when it runs as that user, else in a
`gomedic check` process started as that user (setpriv), because access must never be judged as root.
Applying stops a plan at its first failing action; every plan that changed something (or found its
change already in place) is re-checked, in a new shell's environment when the plan says what it is.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

from gomedic import execx
from gomedic.errors import CommandError, FormatError, GomedicError
from gomedic.facts import Facts, Options
from gomedic.facts.go import GO_ENV_PROBE, GoEnvProbe
from gomedic.fix.plan import FixContext, FixError, Outcome, Plan, PlanState, describe, manual_plan
from gomedic.fix.registry import FIXERS
from gomedic.fix.target import Target, child_env
from gomedic.model import Result, Status
from gomedic.safefs import inside
from gomedic.values import frozen

CHECK_TIMEOUT = 300.0
PROBLEMS = (Status.FAIL, Status.WARN)


@frozen
class Scope:
    """Which checks to evaluate: ids (empty: every fixable check) and whether deep checks run."""

    ids: frozenset[str]
    deep: bool
    env: Mapping[str, str]
    cwd: str

    def areas(self) -> list[str]:
        from gomedic.checks import BUILTIN

        wanted = {i.split(".", 1)[0] for i in (self.ids or FIXERS)}
        if not self.ids and not self.deep:
            wanted.discard("build")
        return [a for a in BUILTIN if a in wanted and importlib.util.find_spec(BUILTIN[a][0]) is not None]

    def wants(self, r: Result) -> bool:
        return r.id in self.ids if self.ids else r.id in FIXERS


def as_user_argv(t: Target, argv: Sequence[str]) -> list[str]:
    return ["setpriv", f"--reuid={t.uid}", f"--regid={t.gid}", "--init-groups", "--", *argv]


# The child imports gomedic from where this process found it, never from its cwd or PYTHONPATH
# (`python -I` ignores both, and the user's site-packages): argv[1] is that directory.
BOOTSTRAP = "import sys; sys.path.insert(0, sys.argv.pop(1)); from gomedic.cli import main; sys.exit(main())"
MAX_RESULTS = 10_000


def package_dir() -> str:
    import gomedic

    return str(Path(gomedic.__file__).resolve().parent.parent)


def check_argv(target: Target, scope: Scope) -> list[str]:
    pkg = package_dir()
    if target.home and inside(pkg, os.path.realpath(target.home)):
        raise GomedicError(f"gomedic runs from {pkg}, inside {target.name}'s home: {target.name} could change "
                           "the code root runs; install gomedic outside it")
    argv = [sys.executable, "-I", "-c", BOOTSTRAP, pkg, "check", "--format", "json", "--fail-on", "never"]
    for a in scope.areas():
        argv += ["--area", a]
    if scope.deep or any(i.startswith("build.") for i in scope.ids):
        argv.append("--deep")
    return as_user_argv(target, argv)


def _check_as(target: Target, scope: Scope, env: Mapping[str, str]) -> list[Result]:
    """The checks, run as the user in an isolated child (`python -I`, cwd /, an environment built for
    the user, a timeout and an output cap). Its JSON is untrusted: parsed defensively, and every path
    root then acts on is checked again by the actions (inside the home, through fds, no symlinks)."""
    try:
        r = execx.run(check_argv(target, scope), timeout=CHECK_TIMEOUT, env=child_env(target, env), cwd="/")
    except CommandError as e:
        raise GomedicError(f"cannot run the checks as {target.name}: {e}") from None
    return parse_results(target, r.stdout, r.describe())


def parse_results(target: Target, stdout: str, how: str) -> list[Result]:
    """The child's JSON report, parsed as untrusted input: any deviation is an error, not a guess."""
    try:
        doc = json.loads(stdout)
        results = doc["results"]
        if not isinstance(results, list) or len(results) > MAX_RESULTS:
            raise TypeError("results")
        return [Result.from_dict(d) for d in results]
    except (ValueError, KeyError, TypeError, AttributeError, FormatError, RecursionError):
        raise GomedicError(f"cannot run the checks as {target.name}: {how}") from None


def evaluate(target: Target, scope: Scope, env: Mapping[str, str]) -> tuple[list[Result], Facts]:
    """The results (of the scope's checks) as the target user sees them, and facts for the fixers."""
    from gomedic.registry import load_areas
    from gomedic.runner import Selection, run_checks, select

    areas = scope.areas()
    registry = load_areas(areas)
    for i in scope.ids:
        registry.get(i)  # an unknown id is a usage error
    deep = scope.deep or any(registry.get(i).deep for i in scope.ids)
    facts = Facts(Options(env=MappingProxyType(dict(env)), cwd=Path(scope.cwd), deep=deep), registry)
    if not target.is_self:
        # Never run go as root in another user's home (it writes telemetry files there): fixers then
        # resolve settings from the environment and files alone.
        facts.seed(GO_ENV_PROBE, GoEnvProbe("", None, f"not run: acting for {target.name}"))
        return [r for r in _check_as(target, Scope(scope.ids, deep, env, scope.cwd), env) if scope.wants(r)], facts
    sel = Selection(areas=frozenset(areas), only=scope.ids or frozenset(i for i in FIXERS if i in registry),
                    deep=deep)
    results = run_checks(select(registry, sel), facts)
    return [r for r in results if scope.wants(r)], facts


def make_plans(results: Iterable[Result], ctx: FixContext) -> list[Plan]:
    plans: list[Plan] = []
    for r in results:
        if r.status not in PROBLEMS:
            continue
        fixer = FIXERS.get(r.id)
        plan = fixer(r, ctx) if fixer else None
        plans.append(plan or manual_plan(r))
    return plans


def dry_run(plan: Plan) -> Outcome:
    return Outcome(plan, PlanState.PLANNED if plan.actions else PlanState.MANUAL, described=describe(plan))


def apply(plan: Plan) -> Outcome:
    """Apply the actions still needed, in order; stop at the first that fails."""
    described = describe(plan)
    if not plan.actions:
        return Outcome(plan, PlanState.MANUAL, described=described)
    todo = [a for a in plan.actions if a.needed()]
    if not todo:
        return Outcome(plan, PlanState.NOTHING, described=described)
    backups: list[str] = []
    for a in todo:
        try:
            backups += a.apply()
        except FixError as e:
            return Outcome(plan, PlanState.FAILED, tuple(backups), str(e), described=described)
        except OSError as e:
            return Outcome(plan, PlanState.FAILED, tuple(backups), f"{a.describe()}: {e.strerror or e}",
                           described=described)
    return Outcome(plan, PlanState.APPLIED, tuple(backups), described=described)


def recheck(outcomes: Sequence[Outcome], target: Target, scope: Scope) -> list[Outcome]:
    """The outcomes with each check's new result, evaluated as the target user would see it now.

    Plans that change nothing in the environment are re-checked together (one evaluation); a plan with
    `env_after` (an rc file edit) is re-checked in the environment a new shell would have.
    """
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i, o in enumerate(outcomes):
        groups.setdefault(tuple(sorted(o.plan.env_after.items())), []).append(i)
    out = list(outcomes)
    for env_after, idx in groups.items():
        env = {**scope.env, **dict(env_after)}
        ids = frozenset(outcomes[i].plan.result.id for i in idx)
        try:
            results, _ = evaluate(target, Scope(ids, scope.deep, env, scope.cwd), env)
        except GomedicError as e:
            for i in idx:
                o = outcomes[i]
                out[i] = Outcome(o.plan, o.state, o.backups, o.error or f"re-check failed: {e}", None, o.described)
            continue
        for i in idx:
            o = outcomes[i]
            mine = [r for r in results if r.id == o.plan.result.id]
            same = [r for r in mine if r.subject == o.plan.result.subject] or mine
            after = next((r for r in same if r.status in PROBLEMS), same[0] if same else None)
            out[i] = Outcome(o.plan, o.state, o.backups, o.error, after, o.described)
    return out
