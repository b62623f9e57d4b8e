"""Accepted advisories: `ignore: [{id: GO-2022-1059, until: 2027-01-31, reason: ...}]` in a binary check.

An ignore matches an entry by its id or any alias (a CVE id works too). Until its date (inclusive) the
advisory does not fail; after it, the ignore itself fails, so an acceptance cannot be forgotten.
"""

from __future__ import annotations

import datetime

from gomedic.values import frozen


@frozen
class Ignore:
    id: str
    until: datetime.date | None = None
    reason: str = ""

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and today > self.until

    def describe(self) -> str:
        until = self.until.isoformat() if self.until else "no end date"
        return f"{self.id} (until {until}: {self.reason or 'no reason given'})"


def find(ignores: tuple[Ignore, ...], ids: tuple[str, ...]) -> Ignore | None:
    for ig in ignores:
        if ig.id in ids:
            return ig
    return None
