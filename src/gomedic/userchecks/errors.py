"""Problems found in a check file: every one carries file, line and column, and all are reported at once."""

from __future__ import annotations

from collections.abc import Sequence

from gomedic.errors import ConfigError
from gomedic.values import frozen


@frozen(order=True)
class Issue:
    """One problem in one place of a check file (line and column are 1-based)."""

    file: str
    line: int
    column: int
    message: str
    check: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        return f"{where}: {self.check}: {self.message}" if self.check else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "column": self.column, "check": self.check or None,
                "message": self.message}


class CheckFileError(ConfigError):
    """One or more check files are invalid (exit 2). `issues` holds every problem found, in file order."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in check files:"
        super().__init__("\n".join([head, *(f"  {i}" for i in self.issues)]))
