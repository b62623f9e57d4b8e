"""Regular expressions compiled on first use, not at import: most of gomedic's patterns are needed only
for inputs a default run never sees (a netrc record, a URL with credentials), and compiling them all at
start-up costs milliseconds of the run gomedic promises to keep instant."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator


class LazyRegex:
    __slots__ = ("_flags", "_pattern", "_re")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._pattern = pattern
        self._flags = flags
        self._re: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        r = self._re
        if r is None:
            r = self._re = re.compile(self._pattern, self._flags)
        return r

    def sub(self, repl: str | Callable[[re.Match[str]], str], string: str, count: int = 0) -> str:
        return self.compiled.sub(repl, string, count)

    def search(self, string: str) -> re.Match[str] | None:
        return self.compiled.search(string)

    def match(self, string: str, pos: int = 0) -> re.Match[str] | None:
        return self.compiled.match(string, pos)

    def fullmatch(self, string: str) -> re.Match[str] | None:
        return self.compiled.fullmatch(string)

    def finditer(self, string: str) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(string)
