"""JUnit XML: a <testsuite> per area, a <testcase> per result (classname = area, name = id [subject]).

fail -> <failure>, error -> <error>, skip -> <skipped>; warn is a passing testcase whose warning is in
<system-out> (CI systems have no "warning" state; use `--fail-on warn` to fail the job on warnings).
Failure text carries the summary, every evidence line and the fix, so the CI page says what to do.
Characters XML 1.0 cannot carry (control bytes from hostile input) are replaced, never emitted.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from gomedic.model import Status

if TYPE_CHECKING:
    from gomedic.model import Report, Result
    from gomedic.render import RenderOptions

_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text: str) -> str:
    return _BAD_XML.sub("\ufffd", text)


def case_name(r: Result) -> str:
    return f"{r.id} [{r.subject}]" if r.subject else r.id


def detail(r: Result) -> str:
    lines = [r.summary]
    lines += [f"{k}: {v}" for k, v in r.evidence.items()]
    if r.fix:
        lines.append(f"fix: {r.fix}")
    if r.shadow:
        lines.append("(shadow rule: reported, never fails the run)")
    return "\n".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = clean(text)
    return el


def _case(suite: ET.Element, r: Result) -> None:
    tc = _sub(suite, "testcase", classname=f"gomedic.{r.area}", name=case_name(r), time=f"{r.duration_s:.6f}")
    if r.status is Status.FAIL:
        _sub(tc, "failure", detail(r), message=r.summary, type=f"{r.severity.value}")
    elif r.status is Status.ERROR:
        _sub(tc, "error", detail(r), message=r.summary, type="check-error")
    elif r.status is Status.SKIP:
        _sub(tc, "skipped", message=r.summary)
    elif r.status is Status.WARN:
        _sub(tc, "system-out", "WARNING: " + detail(r))
    else:
        _sub(tc, "system-out", r.summary)


def render(report: Report, opts: RenderOptions) -> str:
    root = ET.Element("testsuites", {
        "name": clean(f"gomedic {report.command}"),
        "tests": str(len(report.results)),
        "failures": str(report.count(Status.FAIL)),
        "errors": str(report.count(Status.ERROR)),
        "skipped": str(report.count(Status.SKIP)),
        "time": f"{report.duration_s:.6f}",
    })
    areas: dict[str, list[Result]] = {}
    for r in report.results:
        areas.setdefault(r.area, []).append(r)
    host = report.context.get("host")
    hostname = str(host.get("hostname", "")) if isinstance(host, dict) else ""
    for area, results in areas.items():
        suite = _sub(
            root, "testsuite",
            name=area,
            tests=str(len(results)),
            failures=str(sum(r.status is Status.FAIL for r in results)),
            errors=str(sum(r.status is Status.ERROR for r in results)),
            skipped=str(sum(r.status is Status.SKIP for r in results)),
            time=f"{sum(r.duration_s for r in results):.6f}",
            timestamp=report.started_at.rstrip("Z"),
            **({"hostname": hostname} if hostname else {}),
        )
        for r in results:
            _case(suite, r)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
