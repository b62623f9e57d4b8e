"""net/http/pprof goroutine dumps (text, `?debug=1` and `?debug=2`) -> counts, states, top stacks (pure).

debug=1 aggregates identical stacks: `goroutine profile: total N`, then `COUNT @ 0x... 0x...` blocks with
`#\t0xPC\tpkg.fn+0xOFF\tfile:line` frames. debug=2 prints every goroutine as a panic traceback:
`goroutine 7 [chan receive, 12 minutes]:` then `pkg.fn(...)` / `\tfile:line +0xOFF` pairs, ending with
`created by ...`. The wait time appears only once a goroutine has been blocked for a minute or more.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType

from gomedic.errors import FormatError
from gomedic.values import field, frozen

STACK_DEPTH = 4  # frames that identify a stack group
MAX_GROUPS = 5000  # distinct stacks tracked; the rest are counted under "(other stacks)"
TOP = 5
LONG_KEEP = 10

_TOTAL = re.compile(r"^goroutine profile: total (\d+)\s*$")
_GROUP = re.compile(r"^(\d+) @(?: 0x[0-9a-f]+)*\s*$")
_FRAME1 = re.compile(r"^#\t0x[0-9a-f]+\t(\S+?)(?:\+0x[0-9a-f]+)?\t")
_HEADER = re.compile(r"^goroutine (\d+)(?: [^\[]*)? \[([^\]]*)\]:\s*$")
_MINUTES = re.compile(r"(\d+) minutes?")


@frozen
class StackGroup:
    count: int
    frames: tuple[str, ...]
    state: str = ""

    def describe(self) -> str:
        where = " <- ".join(self.frames) or "(no frames)"
        return f"{self.count} x [{self.state}] {where}" if self.state else f"{self.count} x {where}"


@frozen
class Blocked:
    goid: int
    state: str
    minutes: int
    frame: str


@frozen
class GoroutineDump:
    total: int
    by_state: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    top: tuple[StackGroup, ...] = ()
    long_blocked: tuple[Blocked, ...] = ()  # the longest waits first, at most LONG_KEEP
    blocked_over: Mapping[int, int] = field(default_factory=lambda: MappingProxyType({}))
    max_wait_minutes: int = 0
    detailed: bool = False  # debug=2 (states and wait times known)
    truncated: bool = False

    def blocked_at_least(self, minutes: int) -> int:
        """How many goroutines have waited `minutes` or longer (debug=2 only)."""
        return sum(n for m, n in self.blocked_over.items() if m >= minutes)


def _func(line: str) -> str:
    name = line.strip()
    if name.startswith("created by "):
        name = name[len("created by "):].split(" in goroutine ")[0]
        return "created by " + name
    cut = name.rfind("(")
    return name[:cut] if cut > 0 else name


def _top(counter: Counter[tuple[tuple[str, ...], str]], other: int) -> tuple[StackGroup, ...]:
    groups = [StackGroup(n, frames, state) for (frames, state), n in counter.most_common(TOP)]
    if other and len(groups) < TOP:
        groups.append(StackGroup(other, ("(other stacks)",)))
    return tuple(groups)


def parse_debug1(text: str, *, truncated: bool = False) -> GoroutineDump:
    lines = text.splitlines()
    m = _TOTAL.match(lines[0]) if lines else None
    if m is None:
        raise FormatError("not a goroutine profile: first line is not `goroutine profile: total N`")
    total = int(m.group(1))
    counter: Counter[tuple[tuple[str, ...], str]] = Counter()
    other = 0
    count: int | None = None
    frames: list[str] = []

    def flush() -> None:
        nonlocal other
        if count is None:
            return
        key = (tuple(frames[:STACK_DEPTH]), "")
        if key in counter or len(counter) < MAX_GROUPS:
            counter[key] += count
        else:
            other += count

    for line in lines[1:]:
        g = _GROUP.match(line)
        if g:
            flush()
            count, frames = int(g.group(1)), []
            continue
        f = _FRAME1.match(line)
        if f and count is not None:
            frames.append(f.group(1))
    flush()
    return GoroutineDump(total=total, top=_top(counter, other), truncated=truncated)


def parse_debug2(text: str, *, truncated: bool = False) -> GoroutineDump:
    states: Counter[str] = Counter()
    counter: Counter[tuple[tuple[str, ...], str]] = Counter()
    waits: Counter[int] = Counter()
    longest: list[Blocked] = []
    other = total = 0
    cur: tuple[int, str, int] | None = None
    frames: list[str] = []

    def flush() -> None:
        nonlocal other
        if cur is None:
            return
        goid, state, minutes = cur
        key = (tuple(frames[:STACK_DEPTH]), state)
        if key in counter or len(counter) < MAX_GROUPS:
            counter[key] += 1
        else:
            other += 1
        if minutes:
            waits[minutes] += 1
            longest.append(Blocked(goid, state, minutes, frames[0] if frames else ""))
            if len(longest) > 4 * LONG_KEEP:
                longest.sort(key=lambda b: -b.minutes)
                del longest[LONG_KEEP:]

    for line in text.splitlines():
        h = _HEADER.match(line)
        if h:
            flush()
            total += 1
            raw = h.group(2)
            state = raw.split(",")[0].strip() or "unknown"
            mm = _MINUTES.search(raw)
            cur, frames = (int(h.group(1)), state[:64], int(mm.group(1)) if mm else 0), []
            states[state[:64]] += 1
            continue
        if cur is not None and line and not line.startswith("\t") and len(frames) < STACK_DEPTH:
            frames.append(_func(line)[:200])
    flush()
    if total == 0:
        raise FormatError("not a goroutine dump: no `goroutine N [state]:` header")
    longest.sort(key=lambda b: -b.minutes)
    return GoroutineDump(
        total=total,
        by_state=MappingProxyType(dict(states.most_common(64))),
        top=_top(counter, other),
        long_blocked=tuple(longest[:LONG_KEEP]),
        blocked_over=MappingProxyType(dict(waits)),
        max_wait_minutes=max(waits, default=0),
        detailed=True,
        truncated=truncated,
    )


def parse(body: bytes, *, truncated: bool = False) -> GoroutineDump:
    """Either text format, told apart by its first line; FormatError for anything else (gzip protobuf too)."""
    if body[:2] == b"\x1f\x8b":
        raise FormatError("a binary (gzip protobuf) profile, not a text dump: ask for ?debug=1 or ?debug=2")
    text = body.decode("utf-8", "replace")
    if text.startswith("goroutine profile:"):
        return parse_debug1(text, truncated=truncated)
    return parse_debug2(text, truncated=truncated)
