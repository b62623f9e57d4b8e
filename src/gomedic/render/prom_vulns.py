"""gomedic_vulns: known vulnerabilities reachable in each binary (binary.vulns results; docs/metrics.md)."""

from __future__ import annotations

from collections.abc import Iterable

from gomedic.model import Result

HELP = ("Known vulnerabilities (Go vulnerability database) whose code is in a binary, per binary: "
        "the binary.vulns result's vulns_count (advisories present but not linked in are not counted).")


Labels = tuple[tuple[str, str], ...]


def vulns_samples(results: Iterable[Result], job: str) -> list[tuple[Labels, float]]:
    out: list[tuple[Labels, float]] = []
    seen: set[str] = set()
    for r in results:
        n = r.evidence.get("vulns_count") if r.id == "binary.vulns" else None
        if n is None or not n.isdigit() or (r.subject or "") in seen:
            continue
        seen.add(r.subject or "")
        out.append(((("subject", r.subject or ""), ("job", job)), float(n)))
    return out
