"""typing's run-time names for the start-up path, without importing typing.

`import typing` is the largest single import `gomedic check` would make (about 3 ms on the 2-core machine,
`python -X importtime`; see bench/README.md). With `from __future__ import annotations` no annotation is
evaluated at run time, so a module on that path needs typing only for the few names that do run: a
TypeVar, a Generic or Protocol base class, `@overload`. Annotation-only names (Any, Callable, ...) go
under `if TYPE_CHECKING:`, where `TYPE_CHECKING = False` stands for `typing.TYPE_CHECKING` (mypy and
ruff know the name).

Type checkers see typing's own objects. At run time the stand-ins do what gomedic's code needs of them:
`Generic[T]` is a plain base that adds no instance dict (typing's has `__slots__ = ()` too) and
subscripting a subclass returns the class; `Protocol` is a plain base (no gomedic protocol is
runtime_checkable, and none is used with isinstance); `overload` is discarded by the implementation that
follows, as typing's is; a TypeVar is its name.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Generic as Generic
    from typing import Protocol as Protocol
    from typing import TypeVar as TypeVar
    from typing import overload as overload
else:

    class Generic:
        __slots__ = ()

        def __class_getitem__(cls, params):
            return cls

    class Protocol:
        __slots__ = ()

    def TypeVar(name, *constraints, **kwargs):
        return name

    def overload(fn):
        return fn
