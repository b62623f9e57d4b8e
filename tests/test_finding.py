"""finding: the helpers every check returns through."""

from __future__ import annotations

import pytest

from gomedic.finding import grade
from gomedic.model import Status


@pytest.mark.parametrize(("value", "status"), [(0.5, Status.OK), (0.8, Status.WARN), (0.94, Status.WARN),
                                               (0.95, Status.FAIL), (3.0, Status.FAIL)])
def test_grade_is_the_ratio_ladder(value: float, status: Status) -> None:
    f = grade(value, 0.8, 0.95, "x of y", fix="do z", subject="s", used="x")
    assert f.status is status and f.summary == "x of y" and f.subject == "s" and f.evidence["used"] == "x"
    assert (f.fix is None) == (status is Status.OK)  # nothing to fix when it is ok
