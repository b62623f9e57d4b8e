"""Prometheus text exposition -> the samples a Go runtime probe needs (pure; prometheus_client's parser).

Only `go_*` and `process_*` samples are kept (a big exporter's other series are parsed and dropped), so
what is held stays small however large the exposition was. Garbage raises FormatError with the
parser's reason; NaN and infinite values are dropped (they compare false with every threshold).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from types import MappingProxyType

from gomedic.errors import FormatError
from gomedic.values import field, frozen

KEEP_PREFIXES = ("go_", "process_")
Labels = tuple[tuple[str, str], ...]


@frozen
class PromMetrics:
    """Sample name -> ((labels, value), ...), for the kept prefixes; `families` counts every family seen."""

    samples: Mapping[str, tuple[tuple[Labels, float], ...]] = field(
        default_factory=lambda: MappingProxyType({}))
    families: int = 0

    def value(self, name: str, **labels: str) -> float | None:
        """The value of the first sample `name` whose labels include `labels`, else None."""
        want = set(labels.items())
        for lbls, v in self.samples.get(name, ()):
            if want <= set(lbls):
                return v
        return None

    def label(self, name: str, key: str) -> str | None:
        """A label's value on the first sample `name` that has it (e.g. go_info's version)."""
        for lbls, _ in self.samples.get(name, ()):
            for k, v in lbls:
                if k == key:
                    return v
        return None

    def quantiles(self, name: str) -> dict[float, float]:
        out: dict[float, float] = {}
        for lbls, v in self.samples.get(name, ()):
            q = dict(lbls).get("quantile")
            if q is None:
                continue
            try:
                out[float(q)] = v
            except ValueError:
                continue
        return out

    @property
    def has_go(self) -> bool:
        return any(n.startswith("go_") for n in self.samples)


def parse(text: str) -> PromMetrics:
    """Parse a Prometheus text exposition; FormatError when it is not one."""
    from prometheus_client.parser import text_string_to_metric_families

    if "\x00" in text:
        raise FormatError("not Prometheus text: contains NUL bytes")
    keep: dict[str, list[tuple[Labels, float]]] = {}
    families = 0
    try:
        for fam in text_string_to_metric_families(text):
            families += 1
            for s in fam.samples:
                if not s.name.startswith(KEEP_PREFIXES):
                    continue
                v = float(s.value)
                if math.isnan(v) or math.isinf(v):
                    continue
                keep.setdefault(s.name, []).append((tuple(sorted(s.labels.items())), v))
    except (ValueError, TypeError, IndexError, KeyError) as e:
        raise FormatError(f"not Prometheus text: {str(e)[:160]}") from None
    if families == 0:
        raise FormatError("not Prometheus text: no metric families")
    return PromMetrics(MappingProxyType({k: tuple(v) for k, v in keep.items()}), families)
