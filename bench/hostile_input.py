"""Hostile input stays bounded: unit-file continuation lines, regex matchers, variable amplification.

    python3 bench/hostile_input.py

Prints, for each attack, gomedic's cost at growing sizes (it must grow linearly) next to a reference:
the backtracking engine (Python's `re`) for the ReDoS pattern, and the size of what an unbounded
substitution would have built for the amplification. See bench/README.md for measured numbers.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from gomedic.facts.unitfile import parse_unit
from gomedic.userchecks.loader import validate
from gomedic.userchecks.matchers import Matcher, check


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def unit_continuations() -> None:
    print("unit file: N continuation lines (`a\\`), parse_unit")
    for n in (100_000, 200_000, 400_000, 800_000):
        text = "[Service]\nExecStart=/bin/app \\\n" + "a\\\n" * n + "end\n"
        print(f"  {n:>7} lines: {_time(lambda t=text: parse_unit(t, 'u')):.3f} s")


def redos() -> None:
    print("matches: '^(a+)+$' against 'a'*N + '!': RE2 (gomedic) vs Python re (backtracking)")
    for n in (16, 20, 22, 24, 30, 100_000):
        subject = "a" * n + "!"
        ours = _time(lambda s=subject: check(Matcher(matches="^(a+)+$"), s))
        ref = (
            f"{_time(lambda s=subject: re.search(r'^(a+)+$', s)):.3f} s"
            if n <= 24
            else "(not run: doubles per character)"
        )
        print(f"  N={n:>6}: RE2 {ours:.4f} s, re {ref}")


def amplification() -> None:
    print("one 3 MB variable referenced by 200 checks: validate (peak Python memory)")
    with tempfile.TemporaryDirectory() as d:
        varsfile, f = Path(d) / "vars.yaml", Path(d) / "amp.yaml"
        varsfile.write_text("big: " + "x" * (3 << 20) + "\n")
        f.write_text("version: 1\nchecks:\n" + "".join(
            f"  - name: c{i}\n    kind: command\n    run: [echo, \"${{big}}\"]\n" for i in range(200)))
        tracemalloc.start()
        t = _time(lambda: validate([f], vars_files=[varsfile], env={}))
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {t:.2f} s, peak {peak / (1 << 20):.1f} MiB (unbounded: 200 x 3 MiB = 600 MiB of strings)")


if __name__ == "__main__":
    unit_continuations()
    redos()
    amplification()
