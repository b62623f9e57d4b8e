"""Facts: gathered once per run, shared by every check.

A fact is declared with `@fact("name")` on a gatherer `(Facts) -> T`; the decorator returns a
`FactKey[T]` and `facts.get(KEY)` returns the memoized value. Each key has its own lock, so ten checks
asking for `go env` at once start one `go` process. A failure is memoized too: FactUnavailable makes
dependent checks `skip` with its reason; any other exception makes them `error`.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType

from gomedic import debuglog
from gomedic.errors import UsageError
from gomedic.subject import Subject
from gomedic.typenames import TYPE_CHECKING, Generic, TypeVar
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from typing import Any

    from gomedic.facts.door import Reader, Runner
    from gomedic.registry import Registry, Threshold

T = TypeVar("T")
log = debuglog.logger(__name__)


class FactKey(Generic[T]):
    __slots__ = ("gather", "name")

    def __init__(self, name: str, gather: Callable[[Facts], T]) -> None:
        self.name = name
        self.gather = gather

    def __repr__(self) -> str:
        return f"FactKey({self.name!r})"


def fact(name: str) -> Callable[[Callable[[Facts], T]], FactKey[T]]:
    def deco(fn: Callable[[Facts], T]) -> FactKey[T]:
        return FactKey(name, fn)

    return deco


@frozen
class Options:
    """What a run was asked to look at. Everything a gatherer may depend on besides the machine itself."""

    env: Mapping[str, str] = field(default_factory=lambda: MappingProxyType(dict(os.environ)))
    cwd: str | os.PathLike[str] = field(default_factory=os.getcwd)  # a str: pathlib is ~2.5 ms of start-up
    deep: bool = False
    online: bool = False
    overrides: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    subject: Subject = field(default_factory=Subject)


class _Slot:
    __slots__ = ("done", "error", "lock", "value")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None


class Facts:
    """The facts of one run. `reader` and `runner` are the door gatherers read files and start programs
    through (facts.door: this machine's by default; a test passes a recorded tree)."""

    def __init__(self, options: Options | None = None, registry: Registry | None = None, *,
                 reader: Reader | None = None, runner: Runner | None = None) -> None:
        self.options = options or Options()
        self._registry = registry
        self._reader = reader
        self._runner = runner
        self._slots: dict[str, _Slot] = {}
        self._guard = threading.Lock()

    @property
    def env(self) -> Mapping[str, str]:
        return self.options.env

    @property
    def cwd(self) -> str:
        return os.fspath(self.options.cwd)

    @property
    def reader(self) -> Reader:
        if self._reader is None:
            from gomedic.facts.door import HOST_READER

            self._reader = HOST_READER
        return self._reader

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            from gomedic.facts.door import host_runner

            self._runner = host_runner
        return self._runner

    def get(self, key: FactKey[T]) -> T:
        with self._guard:
            slot = self._slots.setdefault(key.name, _Slot())
        with slot.lock:
            if not slot.done:
                started = time.perf_counter()
                try:
                    slot.value = key.gather(self)
                except Exception as e:
                    slot.error = e
                slot.done = True
                if debuglog.enabled():
                    outcome = f"{type(slot.error).__name__}: {slot.error}" if slot.error else "ok"
                    log.debug("fact %s gathered in %.3fs: %s", key.name, time.perf_counter() - started, outcome)
        if slot.error is not None:
            raise slot.error
        return slot.value  # type: ignore[no-any-return]

    def seed(self, key: FactKey[T], value: T) -> None:
        """Provide a fact's value up front (a target profile, a captured tree in tests)."""
        with self._guard:
            slot = self._slots.setdefault(key.name, _Slot())
        slot.value, slot.done = value, True

    def use_registry(self, registry: Registry) -> None:
        """The registry whose threshold defaults `threshold()` reads (default: the global one)."""
        self._registry = registry

    def gathered(self) -> list[str]:
        return [name for name, s in self._slots.items() if s.done]

    def threshold(self, key: str) -> Threshold:
        """A check's threshold: the `--set key=value` override, else the check's declared default.

        The override is converted to the type of the default, so checks compare numbers with numbers.
        """
        from gomedic.registry import threshold_key

        if self._registry is None:
            from gomedic.registry import REGISTRY

            self._registry = REGISTRY
        key = threshold_key(key)
        default = self._registry.threshold(key)
        raw = self.options.overrides.get(key)
        if raw is None:
            return default
        return convert_threshold(key, raw, default)


def convert_threshold(key: str, raw: str, default: Threshold) -> Threshold:
    try:
        if isinstance(default, (bool, str)):
            return raw
        if isinstance(default, int):
            return int(raw, 0)
        return float(raw)
    except ValueError:
        kind = "an integer" if isinstance(default, int) else "a number"
        raise UsageError(f"--set {key}={raw}: expected {kind} (the default is {default})") from None
