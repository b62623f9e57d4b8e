"""Per-module loggers that cost nothing until `--debug` (or GOMEDIC_DEBUG=1) turns them on.

`import logging` is a few milliseconds of start-up that the doctor's budget has no room for, so a module
takes `log = debuglog.logger(__name__)` and calls `log.debug(...)`: while debugging is off that is a
flag test; once on, the standard library's logger of that name does the work (handlers, formatting).
"""

from __future__ import annotations

import os
import sys

from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:  # no typing at run time: about 2 ms of every command's start-up (CONTRIBUTING.md)
    from typing import Any

_on = bool(os.environ.get("GOMEDIC_DEBUG"))


class Logger:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def debug(self, msg: str, *args: Any) -> None:
        if _on:
            import logging

            logging.getLogger(self.name).debug(msg, *args)


def logger(name: str) -> Logger:
    return Logger(name)


def enabled() -> bool:
    return _on


def enable() -> None:
    """Send debug lines of every gomedic logger to stderr: `gomedic: debug: MODULE: message`."""
    global _on
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("gomedic: debug: %(name)s: %(message)s"))
    root = logging.getLogger("gomedic")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    _on = True


if _on:  # GOMEDIC_DEBUG=1 in the environment: on from the first import
    enable()
