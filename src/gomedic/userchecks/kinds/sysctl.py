"""kind: sysctl — a kernel parameter read from /proc/sys, matched.

    - name: max-map-count
      kind: sysctl
      key: vm.max_map_count
      value: {ge: 262144}

Multi-value parameters (net.ipv4.ip_local_port_range) are matched as their text with tabs made single spaces.
"""

from __future__ import annotations

import re
from typing import ClassVar

from gomedic import safeio
from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok, skip
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.matchers import Expect, check, describe

PROC_SYS = "/proc/sys"
_KEY = re.compile(r"^[A-Za-z0-9_-]+([./][A-Za-z0-9_:*-]+)*$")


def key_path(key: str, root: str = PROC_SYS) -> str:
    return f"{root}/{key.replace('.', '/')}" if "/" not in key else f"{root}/{key}"


def parse_value(raw: str) -> str:
    return " ".join(raw.split())


class SysctlCheck(Common, tag="sysctl", frozen=True):
    key: str
    value: Expect

    DEFAULT_CATEGORY: ClassVar[Category] = Category.LIMITS

    def default_title(self) -> str:
        return f"{self.key} is {describe(self.value)}"

    def kind_problems(self) -> list[Problem]:
        out: list[Problem] = []
        if not _KEY.match(self.key) or ".." in self.key:
            out.append((("key",), f"{self.key!r} is not a sysctl name like vm.max_map_count"))
        return out + matcher_problems("value", self.value)


SCHEMA = SysctlCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: SysctlCheck, facts: Facts) -> Finding:
    path = key_path(c.key)
    try:
        value = parse_value(safeio.read_text(path, 65536))
    except FileNotFoundError:
        return fail(f"{c.key}: {path} does not exist (no such parameter on kernel of this host)",
                    fix=c.fix or f"check the name; `sysctl -a | grep {c.key.rsplit('.', 1)[-1]}`", path=path)
    except PermissionError:
        return skip(f"{c.key}: {path} is not readable by this user", path=path)
    except OSError as e:
        return fail(f"{c.key}: cannot read {path}: {e.strerror}", path=path)
    if check(c.value, value):
        return ok(f"{c.key} = {value} ({describe(c.value)})", key=c.key, value=value)
    return fail(f"{c.key} = {value}, expected {describe(c.value)}",
                fix=c.fix or f"sysctl -w {c.key}=<value> and persist it in /etc/sysctl.d/", key=c.key, value=value)
