"""Frozen value classes, built fast: what gomedic uses instead of `@dataclass(frozen=True, slots=True)`.

Why not dataclasses: `gomedic check` must start in about the time Python itself takes, and it defines
some fifty value classes on the way. `dataclasses` compiles six generated functions per class and calls
`inspect.signature` for undocumented ones: about 1 ms per class here, 50 ms per run (measured with
`python -X importtime`). `@frozen` compiles only `__init__` (about 0.07 ms), and only once a class has
made a few instances (before that a field-driven `__init__` binds the same arguments); repr, equality,
hashing and ordering are shared functions driven by the field list. It gives the behaviour gomedic relies on:
a keyword/positional `__init__` with defaults and default factories, immutability, `__eq__`/`__hash__`
over the fields, a readable `__repr__`, `__match_args__`, `__post_init__`, optional ordering, and
`replace()`.
Type checkers see it as a frozen dataclass (PEP 681 `dataclass_transform`).
"""

from __future__ import annotations

from collections.abc import Callable

from gomedic.typenames import TYPE_CHECKING, TypeVar, overload

if TYPE_CHECKING:
    from typing import Any

    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda f: f


T = TypeVar("T")
_MISSING: Any = object()


class _Field:
    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any) -> None:
        self.default = default
        self.default_factory = default_factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING) -> Any:
    """A field default: `field(default_factory=dict)` gives each instance its own value."""
    return _Field(default, default_factory)


class FrozenInstanceError(AttributeError):
    pass


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r} of frozen {type(self).__name__}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r} of frozen {type(self).__name__}")


def _astuple(self: Any) -> tuple[Any, ...]:
    return tuple(getattr(self, n) for n in self.__value_fields__)


def _repr(self: Any) -> str:
    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__value_fields__)
    return f"{type(self).__qualname__}({inner})"


def _eq(self: Any, other: Any) -> Any:
    return _astuple(self) == _astuple(other) if other.__class__ is self.__class__ else NotImplemented


def _hash(self: Any) -> int:
    return hash(_astuple(self))


def _cmp(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    def compare(self: Any, other: Any) -> Any:
        return op(_astuple(self), _astuple(other)) if other.__class__ is self.__class__ else NotImplemented

    return compare


_SHARED: dict[str, Any] = {"__repr__": _repr, "__eq__": _eq, "__hash__": _hash, "_astuple": _astuple}
_ORDER: dict[str, Any] = {
    "__lt__": _cmp(lambda a, b: a < b),
    "__le__": _cmp(lambda a, b: a <= b),
    "__gt__": _cmp(lambda a, b: a > b),
    "__ge__": _cmp(lambda a, b: a >= b),
}


def _fields_of(cls: type) -> list[str]:
    names: list[str] = []
    for base in reversed(cls.__mro__[1:]):
        for n in getattr(base, "__value_fields__", ()):
            if n not in names:
                names.append(n)
    for n, ann in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063 (own fields only, no inspect)
        if isinstance(ann, str) and ann.startswith(("ClassVar", "typing.ClassVar")):
            continue
        if n not in names:
            names.append(n)
    return names


COMPILE_AFTER = 8  # instances made by the field-driven __init__ before a class gets a compiled one


def _init(cls: type, names: list[str], ns: dict[str, Any], src: str, post_init: bool) -> Callable[..., None]:
    """A class's `__init__`: field-driven (no compiling) for its first COMPILE_AFTER instances, then the
    compiled one (`src`, about 0.07 ms to compile). Compiling every class at definition was 4 ms of
    `gomedic check` (about 30 classes, most instantiated a few times); a class made thousands of times
    (results of a large `binary -r`) still gets the compiled, faster `__init__`. Both bind arguments
    the same way: positional or keyword, defaults, default factories, then `__post_init__`."""
    defaults = {n[3:]: v for n, v in ns.items() if n.startswith("_d_")}
    factories = {n[3:]: v for n, v in ns.items() if n.startswith("_f_")}
    qual = f"{cls.__qualname__}.__init__"
    count = 0

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        nonlocal count
        count += 1
        if count > COMPILE_AFTER:
            exec(src, ns)  # the source is built from this class's own field names
            init = ns["__init__"]
            init.__qualname__ = qual
            cls.__init__ = init  # type: ignore[misc]
            init(self, *args, **kwargs)
            return
        if len(args) > len(names):
            raise TypeError(f"{qual}() takes {len(names) + 1} positional arguments but {len(args) + 1} were given")
        for n, value in zip(names, args, strict=False):  # args may be fewer than the fields
            if n in kwargs:
                raise TypeError(f"{qual}() got multiple values for argument {n!r}")
            _setattr(self, n, value)
        for n in names[len(args):]:
            value = kwargs.pop(n, _MISSING)
            if value is _MISSING:
                if n in factories:
                    value = factories[n]()
                elif n in defaults:
                    value = defaults[n]
                else:
                    raise TypeError(f"{qual}() missing required argument: {n!r}")
            _setattr(self, n, value)
        if kwargs:
            raise TypeError(f"{qual}() got an unexpected keyword argument {next(iter(kwargs))!r}")
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = qual
    return __init__


_setattr = object.__setattr__


def _build(cls: type, order: bool) -> type:
    names = _fields_of(cls)
    ns: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": _MISSING}
    params, body = [], []
    raw: dict[str, Any] = {}
    for n in names:
        d = cls.__dict__.get(n, _MISSING)
        if d is _MISSING:
            inherited = (getattr(b, "__value_raw__", {}) for b in cls.__mro__[1:])
            d = next((r[n] for r in inherited if n in r), _MISSING)
        if d is not _MISSING:
            raw[n] = d
        if isinstance(d, _Field):
            if d.default_factory is not _MISSING:
                ns[f"_f_{n}"] = d.default_factory
                params.append(f"{n}=_MISSING")
                body.append(f"  _set(self, {n!r}, _f_{n}() if {n} is _MISSING else {n})")
                continue
            d = d.default
        if d is _MISSING:
            if any(p.endswith("=_MISSING") or "=_d_" in p for p in params):
                raise TypeError(f"{cls.__name__}: field {n!r} without a default follows one with a default")
            params.append(n)
        else:
            ns[f"_d_{n}"] = d
            params.append(f"{n}=_d_{n}")
        body.append(f"  _set(self, {n!r}, {n})")
    post_init = hasattr(cls, "__post_init__")  # (not `in dir(cls)`: 8 us a class, ~40 classes at start-up)
    if post_init:  # validation hooks run after the fields are set, as in dataclasses
        body.append("  self.__post_init__()")
    src = [f"def __init__(self, {', '.join(params)}):" if params else "def __init__(self):", *(body or ["  pass"])]
    cls.__init__ = _init(cls, names, ns, "\n".join(src), post_init)  # type: ignore[misc]
    # Only __init__ is generated (compiling is what costs); the rest are shared, field-driven functions.
    for name, fn in _SHARED.items():
        if name not in cls.__dict__:
            setattr(cls, name, fn)
    if order:
        for name, fn in _ORDER.items():
            setattr(cls, name, fn)
    for n in names:  # defaults live in __init__; class attributes would shadow nothing but confuse readers
        if n in cls.__dict__:
            delattr(cls, n)
    cls.__setattr__ = _frozen_setattr  # type: ignore[method-assign,assignment]
    cls.__delattr__ = _frozen_delattr  # type: ignore[method-assign,assignment]
    cls.__value_fields__ = tuple(names)  # type: ignore[attr-defined]
    cls.__value_raw__ = raw  # type: ignore[attr-defined]
    setattr(cls, "__match_args__", tuple(names))  # noqa: B010 (mypy forbids assigning the attribute)
    return cls


# F811 below: ruff recognises typing.overload only when imported from typing; this is the same name, taken
# from gomedic.typenames so that importing values does not import typing.
@overload
def frozen(cls: type[T], /) -> type[T]: ...
@overload
def frozen(*, order: bool = False) -> Callable[[type[T]], type[T]]: ...  # noqa: F811


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[T] | None = None, /, *, order: bool = False) -> Any:  # noqa: F811
    """Class decorator: a frozen value class (see the module docstring)."""
    if cls is None:
        return lambda c: _build(c, order)
    return _build(cls, order)


def fields(obj: object) -> tuple[str, ...]:
    return type(obj).__value_fields__  # type: ignore[attr-defined, no-any-return]


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of a value with some fields changed (dataclasses.replace for @frozen classes)."""
    names = fields(obj)
    unknown = set(changes) - set(names)
    if unknown:
        raise TypeError(f"{type(obj).__name__} has no field {sorted(unknown)[0]!r}")
    return type(obj)(**{n: changes[n] if n in changes else getattr(obj, n) for n in names})
