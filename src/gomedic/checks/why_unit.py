"""why.unit-*: unit settings that cause a Go service's death or hide its cause (subject = the unit name).

Type=notify with a program that never notifies (systemd kills it after TimeoutStartSec=), standard output
or error sent to null (a panic's text is lost), and stop settings that cut a graceful shutdown short.
"""

from __future__ import annotations

from collections.abc import Iterator

from gomedic.facts import Facts
from gomedic.facts.systemd import UNIT
from gomedic.finding import Finding, fail, ok, skip, warn
from gomedic.model import Category, Severity
from gomedic.registry import check

NOTIFY_TYPES = ("notify", "notify-reload")
KILL_NOW = ("SIGKILL", "KILL", "9")


@check("why.unit-notify", category=Category.SERVICE, severity=Severity.HIGH,
       title="A Type=notify unit runs a program that tells systemd it is ready")
def unit_notify(f: Facts) -> Finding:
    """With `Type=notify` systemd waits for the program's READY=1 on $NOTIFY_SOCKET; a Go program that never
    sends it is killed after TimeoutStartSec= (`start operation timed out. Terminating.`, then `Failed with
    result 'timeout'`) although it ran fine. Looks for a notifier in the binary: a module such as
    github.com/coreos/go-systemd in its build info, daemon.SdNotify in its symbols, or the string
    NOTIFY_SOCKET / sd_notify (a hand-written notifier, libsystemd through cgo).
    Fix: `Type=exec` (or simple), or call `daemon.SdNotify(false, daemon.SdNotifyReady)` once serving."""
    from gomedic.facts.sdnotify import notify_support
    from gomedic.facts.servicefiles import EXEC

    u = f.get(UNIT)
    if u.type not in NOTIFY_TYPES:
        return ok(f"Type={u.type}: systemd does not wait for a readiness notification", subject=u.name, Type=u.type)
    path = f.get(EXEC).path
    real = f.options.subject.binary
    if not path or not real:
        return skip(f"Type={u.type} but the ExecStart program {path or '(none)'} is not on this machine to read",
                    subject=u.name)
    sup = notify_support(str(real))
    if sup.found:
        return ok(f"Type={u.type} and {path} can notify: {sup.how}", subject=u.name, Type=u.type, program=path)
    return fail(f"Type={u.type} but {path} has no sd_notify code ({sup.how}): systemd waits TimeoutStartSec= "
                "for READY=1 and then kills it (`Failed with result 'timeout'`)",
                fix=f"set Type=exec in {u.fragment}, or send READY=1 from the program (go-systemd daemon.SdNotify)",
                subject=u.name, Type=u.type, program=path, file=u.fragment)


def _stream(f: Facts, key: str) -> tuple[str, str]:
    u = f.get(UNIT)
    e = u.setting(key)
    return (e.value, e.where) if e else ("", "")


@check("why.unit-output", category=Category.SERVICE, severity=Severity.MEDIUM,
       title="The unit's standard error reaches the journal, where a Go crash is written")
def unit_output(f: Facts) -> Finding:
    """The Go runtime writes panics, fatal errors and their stacks to standard error. `StandardError=null`
    (or `StandardOutput=null` with StandardError= unset or `inherit`) throws them away: the unit dies with
    `status=2/INVALIDARGUMENT` and no word why.
    Fix: remove the setting (the default is the journal) or send it to a file
    (`StandardError=append:/var/log/app.err`)."""
    u = f.get(UNIT)
    out, out_where = _stream(f, "StandardOutput")
    err, err_where = _stream(f, "StandardError")
    effective = out if err in ("", "inherit") else err
    where = out_where if err in ("", "inherit") else err_where
    ev = {"StandardOutput": out or "(default: journal)", "StandardError": err or "(default: inherit)"}
    if effective == "null":
        return warn(f"standard error of {u.name} goes to null ({where}): a Go panic or fatal error is lost",
                    fix=f"remove StandardError=/StandardOutput=null at {where} (the journal is the default)",
                    subject=u.name, file=where.rsplit(":", 1)[0], **ev)
    if effective.startswith(("file:", "append:", "truncate:")):
        return ok(f"standard error of {u.name} goes to {effective.split(':', 1)[1]}: read crashes there",
                  subject=u.name, **ev)
    return ok(f"standard error of {u.name} goes to {effective or 'the journal'}", subject=u.name, **ev)


@check("why.unit-stop", category=Category.SERVICE, severity=Severity.MEDIUM,
       title="The unit's stop settings leave the program time to shut down gracefully",
       thresholds={"min_s": 5.0})
def unit_stop(f: Facts) -> Iterator[Finding]:
    """On stop systemd sends KillSignal= (SIGTERM) and, after TimeoutStopSec= (default 90s), SIGKILL
    (`State 'stop-sigterm' timed out. Killing.`). `KillSignal=SIGKILL` gives no chance to shut down at all;
    a TimeoutStopSec= below the threshold (`--set why.unit-stop.min_s=N`, default 5 s) cuts draining short
    (http.Server.Shutdown, flushing); `KillMode=none` leaves processes behind (and is deprecated).
    Fix: `KillSignal=SIGTERM`, `TimeoutStopSec=30s` (longer than the program's own shutdown timeout),
    `KillMode=mixed` or the default control-group."""
    from gomedic.postmortem.timespan import parse_timespan

    u = f.get(UNIT)
    limit = float(f.threshold("why.unit-stop.min_s"))
    bad = 0
    sig = u.setting("KillSignal")
    if sig and sig.value.upper() in KILL_NOW:
        bad += 1
        yield fail(
            f"KillSignal={sig.value} ({sig.where}): every stop kills the program outright, no graceful shutdown",
            fix=f"set KillSignal=SIGTERM (the default) at {sig.where}",
            subject=u.name,
            file=sig.path,
            line=sig.line,
        )
    for key in ("TimeoutStopSec", "TimeoutSec"):
        e = u.setting(key)
        if not e:
            continue
        secs = parse_timespan(e.value)
        if secs is None:
            bad += 1
            yield warn(f"{key}={e.value} ({e.where}) is not a time span systemd accepts", fix=f"correct {e.where}",
                       subject=u.name, file=e.path, line=e.line)
        elif 0 < secs < limit:
            bad += 1
            yield warn(f"{key}={e.value} ({e.where}): systemd sends SIGKILL {secs:g}s after SIGTERM, less than "
                       f"{limit:g}s to drain connections and flush", fix=f"raise {key}= at {e.where} (e.g. 30s)",
                       subject=u.name, file=e.path, line=e.line, seconds=secs)
        break
    km = u.setting("KillMode")
    if km and km.value == "none":
        bad += 1
        yield warn(f"KillMode=none ({km.where}): processes are left running after stop (deprecated)",
                   fix=f"use KillMode=mixed or remove it at {km.where}", subject=u.name, file=km.path, line=km.line)
    if bad == 0:
        t = u.setting("TimeoutStopSec")
        yield ok(f"stop: {sig.value if sig else 'SIGTERM'}, then SIGKILL after {t.value if t else '90s (default)'}",
                 subject=u.name)
