"""`go env -json` for `gomedic check`, started as early as possible: it runs beside the rest of start-up.

`gomedic check` spends most of its time importing and building its parser and checks; go answers in a
few milliseconds, but only once it is started. Run as the program, `check` starts it before its command
line is even parsed (cli.main calls `start_early`), from what it needs alone: the first go on PATH and
the GOENV file, under this process's own environment and directory, which is what the run will use.
`facts_for` then hands those facts to the run with its options (--deep, --online, --set: none of which
the three facts read). A command line that turns out to be wrong (exit 2) leaves nothing behind: execx
kills what the run started when the process exits.
"""

from __future__ import annotations

import sys
from types import MappingProxyType

from gomedic.facts import Facts, Options
from gomedic.values import replace

_early: Facts | None = None


def start_early(interval: float) -> None:
    """As the program, for `gomedic check` (not its --help): start go env now, with the default options.
    Called before cli.main's error handling: what fails here (no working directory, no thread) is left
    for `facts_for` to meet again, where it is reported as any error of the run is. cli.main has already
    shortened the switch interval; `interval` is the one to restore once go has answered."""
    global _early
    try:
        facts = Facts(Options())
        start(facts, interval)
    except Exception:
        sys.setswitchinterval(interval)
        return
    _early = facts


def facts_for(*, deep: bool, online: bool, overrides: dict[str, str]) -> Facts:
    """The run's facts: those of `start_early` with the run's options, or new ones (go env started now)."""
    global _early
    facts, _early = _early, None
    ov = MappingProxyType(overrides)
    if facts is None:
        facts = Facts(Options(deep=deep, online=online, overrides=ov))
        start(facts)
    else:  # env and cwd are the process's, as Options() took them; only these three fields differ
        facts.options = replace(facts.options, deep=deep, online=online, overrides=ov)
    return facts


def start(facts: Facts, interval: float | None = None) -> None:
    """Start `go env -json` now, in the background: it runs while the check modules are imported.

    What it needs first (the path of the first go on PATH, the GOENV file: Python work the checks need
    anyway; go's binary itself is read later, beside go) is gathered here, on the main thread, so that the
    thread only starts go and waits. And until go has answered, threads take turns every 0.2 ms instead
    of every 5 ms: otherwise the thread waits up to 5 ms for the interpreter lock (held by the imports of
    the check modules) before it can start go, and again before it can read go's answer, and `go env`
    ends later than everything else (bench/README.md). `interval` is the one to restore then (default:
    the current one).
    """
    import threading

    from gomedic.facts.go import GO_ENV_PROBE, GO_FIRST, GOENV_FILE

    try:
        facts.get(GO_FIRST)
        facts.get(GOENV_FILE)
    except Exception:  # memoized in the fact; the checks that need it report it
        pass
    if interval is None:
        interval = sys.getswitchinterval()
    restore = interval

    def warm() -> None:
        try:
            facts.get(GO_ENV_PROBE)
        except Exception:  # memoized in the fact; the checks that need it report it
            pass
        finally:
            sys.setswitchinterval(restore)

    sys.setswitchinterval(min(interval, 0.0002))
    threading.Thread(target=warm, daemon=True, name="gomedic-prewarm").start()
