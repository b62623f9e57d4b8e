"""The most likely cause of a death, from the recognised signs and how the process ended. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gomedic.postmortem.causes import CAUSES, STATUS_CAUSES, STEP_CATCH, STEP_FIX, Cause
from gomedic.postmortem.sdexit import ExitInfo, is_systemd_step, signal_name, table
from gomedic.postmortem.signs import Kind, Sign, Source, make
from gomedic.values import frozen

CLEAN_SIGNALS = frozenset({1, 2, 13, 15})  # systemd's is_clean_exit for daemons: HUP, INT, PIPE, TERM
MAX_EVIDENCE = 8


@frozen
class Verdict:
    failed: bool  # something failed: a non-clean end, or a failure in the log
    key: str | None  # the cause's stable name (a Kind value or a STATUS_CAUSES key); None: no known cause
    cause: str | None
    fix: str | None
    catch: tuple[str, ...]
    evidence: tuple[Sign, ...]  # the deciding sign first
    exit: ExitInfo | None


class _Fmt(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _text(template: str, s: Sign) -> str:
    d = _Fmt(s.detail)
    d["line"] = s.line
    fn, loc = s.detail.get("function"), s.detail.get("location")
    d["at"] = f" at {fn} ({loc})" if fn and loc else f" at {fn}" if fn else ""
    err = s.detail.get("error")
    d["error_sfx"] = f" ({err})" if err else ""
    return template.format_map(d)


def normalise(e: ExitInfo | None) -> ExitInfo | None:
    """A shell's 128+N (from --exit-status 137) is a death by signal N."""
    if e is not None and e.code == "exited" and 128 < e.status < 160 and not is_systemd_step(e.status):
        return ExitInfo("killed", e.status - 128, e.origin + f" ({e.status} = 128+{e.status - 128})")
    return e


def ended_badly(e: ExitInfo | None) -> bool:
    if e is None:
        return False
    if e.code == "exited":
        return e.status != 0
    return e.code == "dumped" or e.status not in CLEAN_SIGNALS


def _step_cause(s: Sign) -> Cause:
    step = s.detail.get("step", "")
    status = s.detail.get("status", "")
    code = table().get(int(status)) if status.isdecimal() else None
    base = CAUSES[Kind.SYSTEMD_STEP]
    title = base.title + (f": {code.description}" if code else "")
    return Cause(title, STEP_FIX.get(step, f"see systemd.exec(5), PROCESS EXIT CODES, for {status}/{step}"),
                 STEP_CATCH.get(step, ("service.unit",)), base.rank)


def decide(signs: Sequence[Sign], exit_info: ExitInfo | None) -> Verdict:
    e = normalise(exit_info)
    signs = list(signs)
    if e is not None and e.code == "exited" and is_systemd_step(e.status) and not any(
            s.kind is Kind.SYSTEMD_STEP for s in signs):
        code = table()[e.status]
        signs.append(make(Kind.SYSTEMD_STEP, f"status={e.status}/{code.name} ({e.origin})", Source.STATUS, None, None,
                          step=code.name, status=str(e.status)))
    results = [s for s in signs if s.kind is Kind.RESULT and s.detail.get("result") not in ("success", None)]
    failing = [s for s in signs if s.kind in CAUSES]
    context = [s for s in signs if s.kind in (Kind.EXIT, Kind.RESULT)][-2:]
    if e is not None and not ended_badly(e) and not results:
        # it ended cleanly: errors it logged on the way (a TLS failure, a busy port it retried) did not kill it
        return Verdict(False, None, None, None, (), (*failing[: MAX_EVIDENCE - 2], *context), e)
    failed = ended_badly(e) or bool(results) or bool(failing)
    if failing:
        # equal ranks: the line that says more (systemd's step message names the error; the kernel's own
        # record names the process and the cgroup), then the latest
        best = max(failing, key=lambda s: (CAUSES[s.kind].rank, "error" in s.detail,
                                           s.source in (Source.KERNEL, Source.AUDIT), s.ts or 0.0))
        cause = _step_cause(best) if best.kind is Kind.SYSTEMD_STEP else CAUSES[best.kind]
        others = [s for s in failing if s is not best and s.kind is not best.kind][: MAX_EVIDENCE - 3]
        evidence = (best, *others, *context)
        return Verdict(True, best.kind.value, _text(cause.title, best), _text(cause.fix, best), cause.catch,
                       evidence[:MAX_EVIDENCE], e)
    key = _status_key(e, signs)
    if key is not None:
        c = STATUS_CAUSES[key]
        shown = tuple(context) or (make(Kind.EXIT, e.label() if e else key, Source.STATUS, None, None),)
        return Verdict(True, key, c.title, c.fix, c.catch, shown, e)
    return Verdict(failed, None, None, None, (), tuple(context), e)


def _status_key(e: ExitInfo | None, signs: Sequence[Sign]) -> str | None:
    if e is None:
        result = next((s.detail.get("result") for s in reversed(signs) if s.kind is Kind.RESULT), None)
        return "killed-KILL" if result == "signal" and any("SIGKILL" in s.line for s in signs) else None
    if e.code == "exited" and e.status == 2:
        return "exit-2"
    if e.signal is not None:
        key = f"killed-{signal_name(e.signal).removeprefix('SIG')}"
        return key if key in STATUS_CAUSES else None
    return None


def describe_exit(e: ExitInfo | None) -> str:
    return e.label() + f" ({e.origin})" if e else "how it ended is unknown"


def evidence_map(v: Verdict) -> Mapping[str, str]:
    out = {f"evidence {i + 1}": s.shown() for i, s in enumerate(v.evidence)}
    if v.exit is not None:
        out["exit"] = describe_exit(v.exit)
    return out
