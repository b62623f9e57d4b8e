"""What a fix is: a Plan of Actions for one failing result, each saying what it changes and how to undo it.

An Action is a value (a frozen dataclass) that can describe itself, tell whether it is still needed
(so a second `fix --yes` changes nothing), whether it needs root, and apply itself. Plans are computed
from a Result and the run's Facts by a fixer (see gomedic.fix.registry); nothing changes until the
`fix` command applies them with `--yes`.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from gomedic.errors import GomedicError
from gomedic.model import Result
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from gomedic.facts import Facts
    from gomedic.fix.shell import Shell
    from gomedic.fix.target import Target


class FixError(GomedicError):
    """An action could not be applied (permission denied, the file changed under us, a command failed)."""


class Action(Protocol):
    def describe(self) -> str:
        """The change, as a command or an edit a user could make by hand."""
        ...

    def undo(self) -> str:
        """How to revert the change."""
        ...

    def needed(self) -> bool:
        """False when the change is already in place (applying it again would change nothing)."""
        ...

    def needs_root(self) -> bool:
        """True when this process cannot make the change without root."""
        ...

    def apply(self) -> tuple[str, ...]:
        """Make the change; return the backup files written. Raises FixError."""
        ...


class PlanState(str, enum.Enum):
    PLANNED = "planned"  # dry run: what --yes would do
    APPLIED = "applied"  # every action applied
    FAILED = "failed"  # an action failed; later actions were not tried
    MANUAL = "manual"  # no safe automatic change: steps for the user
    NOTHING = "nothing"  # every action was already in place


@frozen
class Plan:
    """The fix for one result: automatic actions and/or manual steps, with alternatives and the undo."""

    result: Result
    actions: tuple[Action, ...] = ()
    manual: tuple[str, ...] = ()  # steps (commands, lines for a file) the user makes; shown verbatim
    alternatives: tuple[str, ...] = ()
    note: str = ""
    # Environment changes a new shell would see after the fix (an rc file edit): the re-check uses them.
    env_after: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def automatic(self) -> bool:
        return bool(self.actions)


@frozen
class Outcome:
    """What happened to a plan: its state, the backups written, the error, and the re-checked result."""

    plan: Plan
    state: PlanState
    backups: tuple[str, ...] = ()
    error: str | None = None
    after: Result | None = None
    # (change, undo, needs root) of each action, described before anything was applied
    described: tuple[tuple[str, str, bool], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        r = self.plan.result
        return {
            "check": r.id,
            "subject": r.subject,
            "problem": r.summary,
            "state": self.state.value,
            "actions": [{"change": c, "undo": u, "needs_root": n} for c, u, n in self.described],
            "manual": list(self.plan.manual),
            "alternatives": list(self.plan.alternatives),
            "note": self.plan.note,
            "backups": list(self.backups),
            "error": self.error,
            "status_before": r.status.value,
            "status_after": self.after.status.value if self.after else None,
            "summary_after": self.after.summary if self.after else None,
        }


@frozen
class FixContext:
    """What a fixer may use besides the result: the run's facts, who the fix is for, and the options."""

    facts: Facts
    target: Target
    shell: Shell
    edit_rc: bool = False


class Fixer(Protocol):
    """What fix/registry.py FIXERS maps a check id to; mypy checks every entry against it."""

    def __call__(self, result: Result, ctx: FixContext, /) -> Plan | None:
        """The plan for one warn or fail `result` of the check this fixer is registered for.

        Computes only: reads the result's evidence and `ctx.facts`, changes nothing (`fix --yes` applies the
        plan, a dry run shows it). Each action says what it changes and how to undo it, and is not needed
        once in place, so a second run changes nothing. Files in a user's home are changed through
        safefs/fdwalk, never by path as root. None (or a plan without actions) when no automatic change is
        safe: the user gets the check's own fix as manual steps.
        """
        ...


def manual_plan(r: Result, note: str = "", alternatives: tuple[str, ...] = ()) -> Plan:
    """No safe automatic change: the check's own fix, verbatim."""
    steps = (r.fix,) if r.fix else ()
    return Plan(r, manual=steps, alternatives=alternatives,
                note=note or f"no automatic fix for {r.id}: see `gomedic explain {r.id}`")


def describe(plan: Plan) -> tuple[tuple[str, str, bool], ...]:
    return tuple((a.describe(), a.undo(), a.needs_root()) for a in plan.actions)
