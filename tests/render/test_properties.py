"""Hostile reports never crash a renderer, and every output still satisfies its consumer's grammar."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families

from gomedic.model import Category, Report, Result, Severity, Status, frozen_map
from gomedic.render import RENDERERS, RenderOptions, render
from tests.support.outputs import validate_sarif

MINE = ("junit", "sarif", "tap", "nagios", "markdown", "prom")
text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60) | st.sampled_from(
    ["", "\x00", "a\nb", '"', "\\", "`", "|", "#", "]]>", "</x>", "\ud800", "https://u:p@h/", "TOKEN=x", "…"])
ids = st.from_regex(r"\A[a-z][a-z0-9]{0,6}\.[a-z0-9][a-z0-9-]{0,10}\Z")

results = st.builds(
    lambda i, c, s, sev, summ, subj, ev, fix, sh: Result(
        id=i, area=i.split(".")[0], category=c, status=s, severity=sev, title="t", summary=summ or "x",
        subject=subj, evidence=frozen_map(ev), fix=fix, duration_s=0.001, shadow=sh),
    ids, st.sampled_from(Category), st.sampled_from(Status), st.sampled_from(Severity), text,
    st.none() | text, st.dictionaries(text | st.sampled_from(["file", "line", "go.mod"]), text, max_size=4),
    st.none() | text, st.booleans(),
)
reports = st.builds(
    lambda rs, cmd: Report(command=cmd, results=tuple(rs), started_at="2026-11-21T19:00:00Z", duration_s=0.5,
                           context={"host": None, "go": None, "target": None}),
    st.lists(results, max_size=8), st.sampled_from(["check", "host", "binary"]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports, st.booleans())
def test_every_renderer_survives(rep: Report, verbose: bool) -> None:
    for fmt in RENDERERS:
        out = render(rep, fmt, RenderOptions(verbose=verbose))
        assert isinstance(out, str)
        if fmt in MINE:
            out.encode("utf-8")  # printable: no lone surrogates reach stdout
    ET.fromstring(render(rep, "junit", RenderOptions()).encode())
    validate_sarif(json.loads(render(rep, "sarif", RenderOptions())))
    prom = render(rep, "prom", RenderOptions())
    names = {f.name for f in text_string_to_metric_families(prom)}
    assert "gomedic_build_info" in names
    nagios = render(rep, "nagios", RenderOptions())
    assert nagios.count("\n") == 1 and nagios.count(" | ") == 1
    tap = render(rep, "tap", RenderOptions(verbose=verbose)).splitlines()
    assert tap[1] == f"1..{len(rep.results)}"
    points = [ln for ln in tap if ln.startswith(("ok ", "not ok "))]
    assert len(points) == len(rep.results)
