"""The catalogue of checks: `@check` records a CheckSpec; a duplicate id fails loudly at import.

Built-in check modules are listed explicitly in `gomedic.checks.BUILTIN` and imported on demand, so
`gomedic list` and `gomedic explain` see every check and the default run imports only what it needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType

from gomedic.errors import GomedicError, UsageError
from gomedic.model import Category, Severity
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import field, frozen

if TYPE_CHECKING:
    from gomedic.facts import Facts
    from gomedic.finding import Finding

    CheckOutput = Finding | Iterable[Finding]
else:
    CheckOutput = object  # annotations only; the run-time name is for modules that import it (no typing)
CheckFn = Callable[["Facts"], CheckOutput]
Threshold = int | float | str

ID_RE = re.compile(r"^[a-z][a-z0-9]*\.[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")

# Threshold names are snake_case, a unit last (`min_s`, `slow_ms`, `max_mib`, `usage_pct`). The spellings
# of earlier releases stay accepted wherever a threshold is named (`--set`, a check's lookup or declaration):
# old key -> key.
THRESHOLD_ALIASES = MappingProxyType({
    "host.cgroup-memory.suggest-pct": "host.cgroup-memory.suggest_pct",
    "host.nofile.usage-pct": "host.nofile.usage_pct",
    "host.threads.usage-pct": "host.threads.usage_pct",
    "host.inotify.min-watches": "host.inotify.min_watches",
    "host.inotify.min-instances": "host.inotify.min_instances",
    "service.limits.nofile-min": "service.limits.nofile_min",
    "service.limits.nproc-min": "service.limits.nproc_min",
    "service.limits.tasks-min": "service.limits.tasks_min",
    "runtime.heap.max_mb": "runtime.heap.max_mib",  # it always counted MiB
})


def threshold_key(key: str) -> str:
    """The current name of threshold `key` (itself, or what an older spelling became)."""
    return THRESHOLD_ALIASES.get(key, key)


def _declared(check_id: str, thresholds: Mapping[str, Threshold] | None) -> Mapping[str, Threshold]:
    return MappingProxyType(
        {threshold_key(f"{check_id}.{n}").rpartition(".")[2]: v for n, v in (thresholds or {}).items()}
    )


@frozen
class CheckSpec:
    """Everything about a check except its outcome."""

    id: str
    area: str
    category: Category
    severity: Severity
    title: str
    fn: CheckFn
    doc: str = ""
    deep: bool = False
    online: bool = False
    timeout_s: float = 5.0
    thresholds: Mapping[str, Threshold] = field(default_factory=lambda: MappingProxyType({}))
    shadow: bool = False
    tags: frozenset[str] = frozenset()


class Registry:
    """An ordered set of CheckSpecs keyed by id."""

    def __init__(self) -> None:
        self._specs: dict[str, CheckSpec] = {}

    def add(self, spec: CheckSpec) -> CheckSpec:
        if not ID_RE.match(spec.id):
            raise GomedicError(f"check id {spec.id!r} is not of the form area.kebab-name")
        if spec.id in self._specs:
            raise GomedicError(f"check id {spec.id!r} is registered twice")
        self._specs[spec.id] = spec
        return spec

    def check(
        self,
        id: str,
        *,
        category: Category,
        severity: Severity,
        title: str,
        deep: bool = False,
        online: bool = False,
        timeout_s: float | None = None,
        thresholds: Mapping[str, Threshold] | None = None,
    ) -> Callable[[CheckFn], CheckFn]:
        """Decorator: register `fn` as check `id`. Its docstring is what `gomedic explain` prints."""

        def deco(fn: CheckFn) -> CheckFn:
            self.add(
                CheckSpec(
                    id=id,
                    area=id.split(".", 1)[0],
                    category=category,
                    severity=severity,
                    title=title,
                    fn=fn,
                    doc=cleandoc(fn.__doc__ or ""),
                    deep=deep,
                    online=online,
                    timeout_s=timeout_s if timeout_s is not None else (60.0 if deep else 5.0),
                    thresholds=_declared(id, thresholds),
                )
            )
            return fn

        return deco

    def get(self, id: str) -> CheckSpec:
        try:
            return self._specs[id]
        except KeyError:
            raise UsageError(f"unknown check id {id!r} (see `gomedic list`)") from None

    def __contains__(self, id: object) -> bool:
        return id in self._specs

    def __iter__(self) -> Iterator[CheckSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def areas(self) -> list[str]:
        return sorted({s.area for s in self})

    def threshold(self, key: str) -> Threshold:
        """Default of threshold `area.check.name` (e.g. `host.nofile.min`)."""
        check_id, _, name = threshold_key(key).rpartition(".")
        spec = self.get(check_id)
        if name not in spec.thresholds:
            raise UsageError(
                f"check {check_id} has no threshold {name!r} (it has: {', '.join(spec.thresholds) or 'none'})"
            )
        return spec.thresholds[name]


def cleandoc(doc: str) -> str:
    """inspect.cleandoc without importing inspect (and the dozen modules it pulls in) at start-up."""
    lines = doc.expandtabs().split("\n")
    indent = min((len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.strip()), default=0)
    out = [lines[0].strip(), *(ln[indent:].rstrip() for ln in lines[1:])]
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return "\n".join(out)


REGISTRY = Registry()
check = REGISTRY.check

_loaded: set[str] = set()


def load(modules: Iterable[str]) -> Registry:
    """Import check modules (each registers its checks into REGISTRY once)."""
    for name in modules:
        if name not in _loaded:
            __import__(name)  # importlib.import_module without importing importlib (0.35 ms of start-up)
            _loaded.add(name)
    return REGISTRY


def load_all() -> Registry:
    from gomedic.checks import BUILTIN

    return load(m for modules in BUILTIN.values() for m in modules)


def load_areas(areas: Iterable[str]) -> Registry:
    from gomedic.checks import BUILTIN

    try:
        return load([m for a in areas for m in BUILTIN[a]])
    except KeyError as e:
        raise UsageError(f"unknown area {e.args[0]!r} (areas: {', '.join(sorted(BUILTIN))})") from None
