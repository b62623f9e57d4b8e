"""Renderers: one module per format, each a pure function of a finished Report.

RENDERERS maps a format name to the module that renders it; modules are imported only when used, so
`--format json` never pays for rich. A module defines `render(report, opts) -> str`.
"""

from __future__ import annotations

from gomedic.errors import UsageError
from gomedic.typenames import TYPE_CHECKING, Protocol
from gomedic.values import frozen

if TYPE_CHECKING:
    from gomedic.model import Report

RENDERERS: dict[str, str] = {
    "text": "gomedic.render.text",
    "json": "gomedic.render.json_",
    "junit": "gomedic.render.junit",
    "sarif": "gomedic.render.sarif",
    "tap": "gomedic.render.tap",
    "nagios": "gomedic.render.nagios",
    "markdown": "gomedic.render.markdown",
    "prom": "gomedic.render.prom",
}


@frozen
class RenderOptions:
    verbose: bool = False
    color: bool = False
    width: int = 100
    pretty: bool = True  # indented JSON for people; compact (and ten times faster to encode) for pipes


def target_label(target: object) -> str | None:
    """The report's target in words, or None when there is nothing to say beyond "this host".

    A string is shown as is; a named profile by its name; `host`/`service` targets ({"pid": ..., "root":
    ..., "binary": ..., "unit": ...}) as "unit app.service, binary /usr/bin/app", leaving out unset keys
    and the root "/".
    """
    if not target:
        return None
    if isinstance(target, str):
        return target
    if not isinstance(target, dict):
        return str(target)
    if target.get("name"):
        return str(target["name"])
    order = ["unit", "pid", "binary", "root"]
    keys = sorted(target, key=lambda k: order.index(k) if k in order else len(order))
    parts = [f"{k} {target[k]}" for k in keys if target[k] not in (None, "") and not (k == "root" and target[k] == "/")]
    return ", ".join(parts) or None


class Renderer(Protocol):
    def render(self, report: Report, opts: RenderOptions) -> str: ...


def get(name: str) -> Renderer:
    try:
        mod = RENDERERS[name]
    except KeyError:
        raise UsageError(f"unknown format {name!r} (formats: {', '.join(RENDERERS)})") from None
    renderer: Renderer = __import__(mod, fromlist=["render"])  # the module itself; importlib is 0.35 ms of start-up
    return renderer


def render(report: Report, fmt: str, opts: RenderOptions) -> str:
    """Render a finished report in any format. Renderers are pure: the report was redacted when it was
    built (runner.build_report), with the environment of the run that produced it."""
    return get(fmt).render(report, opts)
