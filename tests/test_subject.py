"""Subject: what a run looks at, typed and frozen; a verdict's own subject laid over its parent run's."""

from __future__ import annotations

import pytest

from gomedic.facts import Options
from gomedic.subject import Subject
from gomedic.values import FrozenInstanceError


def test_over_takes_only_what_is_set() -> None:
    parent = Subject(pid=42, root="/srv/root", binary="/usr/bin/old", binaries=("/usr/bin/old",))
    unit = Subject(unit="app.service", unit_root="/", binary="/usr/bin/app", binaries=("/usr/bin/app",))
    got = unit.over(parent)
    assert got == Subject(pid=42, root="/srv/root", binary="/usr/bin/app", binaries=("/usr/bin/app",),
                          unit="app.service", unit_root="/")
    assert Subject().over(parent) == parent


def test_frozen_and_empty_by_default() -> None:
    s = Options().subject
    assert s == Subject() and s.pid is None and s.binaries == () and s.vulndb is None
    with pytest.raises(FrozenInstanceError):
        s.pid = 1  # type: ignore[misc]
