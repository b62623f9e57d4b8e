"""kind: metric — a sample of a Prometheus text endpoint, selected by name and labels, matched on its value.

    - name: replication-delay
      kind: metric
      url: http://127.0.0.1:9100/metrics
      metric: replication_delay_seconds   # the sample name as exposed (counters end in _total)
      labels: {db: main, role: {matches: 'replica|standby'}}   # per-label matchers (optional)
      value: {lt: 60}
      require: all                # all (default): every selected sample matches; any: at least one

No selected sample is a failure (the metric or label set is missing).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import msgspec

from gomedic.facts import Facts
from gomedic.finding import Finding, fail, ok
from gomedic.model import Category
from gomedic.userchecks.common import Common, Problem, matcher_problems
from gomedic.userchecks.kinds.http import FetchError, fetch
from gomedic.userchecks.matchers import Expect, check, describe, problems, text
from gomedic.values import frozen

MAX_SCRAPE = 16 << 20


@frozen
class Sample:
    name: str
    labels: tuple[tuple[str, str], ...]
    value: float

    def show(self) -> str:
        inner = ",".join(f'{k}="{v}"' for k, v in self.labels)
        return f"{self.name}{{{inner}}} {text(self.value)}"


def parse_samples(body: str, name: str) -> list[Sample]:
    """Samples named `name` in Prometheus text exposition; raises ValueError for text that is not exposition."""
    from prometheus_client.parser import text_string_to_metric_families

    out: list[Sample] = []
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            if s.name == name:
                out.append(Sample(s.name, tuple(sorted(s.labels.items())), float(s.value)))
    return out


class MetricCheck(Common, tag="metric", frozen=True):
    url: str
    metric: str
    labels: dict[str, Expect] = msgspec.field(default_factory=dict)
    value: Expect | None = None
    require: Literal["all", "any"] = "all"
    insecure: bool = False
    ca_file: str = ""

    DEFAULT_CATEGORY: ClassVar[Category] = Category.RUNTIME

    def default_title(self) -> str:
        want = f" is {describe(self.value)}" if self.value is not None else " is exposed"
        return f"{self.metric}{want}"

    def kind_problems(self) -> list[Problem]:
        from urllib.parse import urlsplit

        out: list[Problem] = []
        try:
            u = urlsplit(self.url)
            if u.scheme not in ("http", "https") or not u.hostname:
                out.append((("url",), f"url {self.url!r} is not an http:// or https:// URL"))
            u.port  # noqa: B018
        except ValueError as e:
            out.append((("url",), f"url {self.url!r}: {e}"))
        if not self.metric:
            out.append((("metric",), "metric: a sample name is required"))
        for k, m in self.labels.items():
            out += [(("labels", k, *sub), msg) for sub, msg in problems(m)]
        return out + matcher_problems("value", self.value)


SCHEMA = MetricCheck  # kinds.Kind: the schema (its msgspec tag is the kind's name) and evaluate() below


def evaluate(c: MetricCheck, facts: Facts) -> Finding:
    ev: dict[str, Any] = {"url": c.url, "metric": c.metric}
    try:
        resp = fetch(c.url, timeout=c.timeout_s, insecure=c.insecure, ca_file=c.ca_file, limit=MAX_SCRAPE,
                     headers={"Accept": "text/plain;version=0.0.4"})
    except FetchError as e:
        if e.fix:
            return fail(f"{c.url}: {e}", fix=c.fix or e.fix, **ev)
        return fail(f"{c.url} did not answer: {e}", fix=c.fix or f"start the exporter behind {c.url}", **ev)
    if resp.status != 200:
        return fail(f"{c.url} answered {resp.status}", fix=c.fix or f"check the metrics path of {c.url}",
                    status=resp.status, **ev)
    try:
        samples = parse_samples(resp.body.decode("utf-8", "replace"), c.metric)
    except (ValueError, IndexError, TypeError) as e:
        return fail(f"{c.url} is not Prometheus text exposition: {e}", fix=c.fix or None, **ev)
    selected = [s for s in samples if all(check(m, dict(s.labels).get(k)) for k, m in c.labels.items())]
    ev["samples"] = len(selected)
    where = c.metric + (
        f" with labels {', '.join(f'{k} {describe(m)}' for k, m in c.labels.items())}" if c.labels else ""
    )
    if not selected:
        found = f" ({len(samples)} {c.metric} samples with other labels)" if samples else ""
        return fail(f"{c.url} exposes no {where}{found}", fix=c.fix or f"check that the service exports {c.metric}",
                    **ev)
    if c.value is None:
        return ok(f"{c.url} exposes {len(selected)} {where} sample(s)", **ev)
    good = [s for s in selected if check(c.value, s.value)]
    bad = [s for s in selected if s not in good]
    passed = not bad if c.require == "all" else bool(good)
    first = (bad or selected)[0]
    ev["value"] = text(first.value)
    if passed:
        shown = good[0].show() if good else first.show()
        return ok(f"{shown} ({describe(c.value)}; {len(good)}/{len(selected)} samples)", **ev)
    return fail(f"{first.show()} is not {describe(c.value)} ({len(bad)}/{len(selected)} samples fail)",
                fix=c.fix or None, **ev)
