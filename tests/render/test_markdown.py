"""Markdown a user can paste into an issue: redacted, and parsed by markdown-it (what rich uses) as meant."""

from __future__ import annotations

from markdown_it import MarkdownIt

from gomedic.model import Status
from gomedic.render import RenderOptions, render
from tests.support.outputs import mixed_report, report, result


def tokens(text: str) -> list:
    return MarkdownIt("commonmark").enable("table").parse(text)


def test_structure_problems_and_redaction() -> None:
    text = render(mixed_report(), "markdown", RenderOptions())
    assert "hunter2" not in text and "s3cr3t-value-123" not in text
    toks = tokens(text)
    headings = [toks[i + 1].content for i, t in enumerate(toks) if t.type == "heading_open"]
    assert headings[0] == "gomedic check report"
    assert "**FAIL** `toolchain.goroot-matches`" in headings
    assert sum(h.startswith(("**FAIL**", "**WARN**", "**ERROR**")) for h in headings) == 6
    fences = [t.content for t in toks if t.type == "fence"]
    assert any("GOROOT: /opt/go1.22" in f for f in fences)
    rows = [t for t in toks if t.type == "tr_open"]
    assert len(rows) == 2 + 1 + len(mixed_report().results)  # summary table (head+row) + results head + rows


def test_hostile_text_cannot_break_out() -> None:
    nasty = "```\n# heading?\n</details> | pipe `tick` <script>x</script>"
    rep = report(result(status=Status.FAIL, summary=nasty, evidence={"k": nasty}, fix=nasty, subject=nasty))
    toks = tokens(render(rep, "markdown", RenderOptions()))
    headings = [toks[i + 1].content for i, t in enumerate(toks) if t.type == "heading_open"]
    assert len(headings) == 2  # the report title and the one problem: nothing injected
    fence = next(t for t in toks if t.type == "fence")
    assert "k: ```" in fence.content and "</details>" in fence.content
    html = "".join(t.content for t in toks if t.type in ("html_block", "html_inline"))
    assert "<script>" not in html
    # the results table keeps 4 cells per row although the text holds pipes
    row, cells = 0, []
    for t in toks:
        if t.type == "tr_open":
            row += 1
            cells.append(0)
        elif t.type in ("td_open", "th_open"):
            cells[-1] += 1
    assert cells[-2:] == [4, 4]


def test_no_problems() -> None:
    text = render(report(result(status=Status.OK)), "markdown", RenderOptions())
    assert "No problems found." in text
