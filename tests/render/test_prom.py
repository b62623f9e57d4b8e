"""Prometheus text: accepted by promtool, parsed back by prometheus_client, the metric contract holds."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from gomedic.model import Status
from gomedic.render import RenderOptions, render
from gomedic.render import prom as p
from gomedic.textfile import write_textfile
from tests.support.outputs import mixed_report, promtool_check, report, result


def samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    out: dict[str, list[tuple[dict[str, str], float]]] = {}
    for fam in text_string_to_metric_families(text):
        for s in fam.samples:
            out.setdefault(s.name, []).append((dict(s.labels), s.value))
    return out


def test_promtool_accepts_and_lints_clean() -> None:
    text = render(mixed_report(), "prom", RenderOptions())
    res = promtool_check(text)
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.strip() == "" and res.stderr.strip() == "", res.stdout + res.stderr


def test_contract_families_and_values() -> None:
    rep = mixed_report()
    s = samples(render(rep, "prom", RenderOptions()))
    status = {(lb["id"], lb["subject"]): (lb, v) for lb, v in s["gomedic_check_status"]}
    lb, v = status[("toolchain.goroot-matches", "")]
    assert v == 2 and lb == {"id": "toolchain.goroot-matches", "area": "toolchain", "category": "toolchain",
                             "severity": "high", "subject": "", "shadow": "false", "job": ""}
    assert status[("goenv.file", "")][1] == 1
    assert status[("modules.proxy", "")][1] == -1
    assert status[("host.nofile", "")][1] == 3
    assert status[("binary.glibc", "/srv/app/bin/server")][1] == 2
    assert status[("binary.glibc", "/srv/app/bin/other")][1] == 0
    assert status[("custom.shadowed", "")][0]["shadow"] == "true"
    assert s["gomedic_health_score"] == [({"job": ""}, float(rep.score))]
    cats = {lb["category"]: v for lb, v in s["gomedic_category_health_score"]}
    assert set(cats) == {"toolchain", "binary", "limits"}  # custom is only a shadow result; skips are left out
    assert cats["limits"] == 0 and cats["binary"] == 50  # one fail, one ok of equal weight
    assert s["gomedic_run_duration_seconds"] == [({"job": ""}, 0.25)]
    started = datetime(2026, 11, 21, 19, 0, 0, tzinfo=timezone.utc).timestamp()
    assert s["gomedic_last_run_timestamp_seconds"] == [({"job": ""}, started)]
    counts = {lb["status"]: v for lb, v in s["gomedic_results"]}
    assert counts == {"ok": 2, "warn": 1, "fail": 4, "skip": 1, "error": 1}
    (build,) = s["gomedic_build_info"]
    assert build[1] == 1 and set(build[0]) == {"version", "python"}


def test_every_family_has_help_and_type() -> None:
    text = render(mixed_report(), "prom", RenderOptions())
    names = {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")}
    helps = {line.split()[2] for line in text.splitlines() if line.startswith("# HELP")}
    assert names == helps == set(p.HELP)
    assert all(line.startswith("#") or line.split("{")[0].split()[0] in names for line in text.splitlines())


def test_duplicate_series_keep_the_worst_result() -> None:
    rep = report(result("toolchain.gotoolchain", Status.OK), result("toolchain.gotoolchain", Status.FAIL),
                 result("toolchain.gotoolchain", Status.WARN))
    s = samples(render(rep, "prom", RenderOptions()))
    assert s["gomedic_check_status"] == [(s["gomedic_check_status"][0][0], 2.0)]
    assert promtool_check(render(rep, "prom", RenderOptions())).returncode == 0


def test_hostile_label_values_are_escaped() -> None:
    subject = 'C:\\dir "quoted"\nnext line'
    rep = report(result("binary.format", Status.FAIL, subject=subject))
    text = render(rep, "prom", RenderOptions())
    assert promtool_check(text).returncode == 0
    (lb, _), = samples(text)["gomedic_check_status"]
    assert lb["subject"] == subject


def test_secrets_in_subjects_are_redacted() -> None:
    rep = report(result("runtime.reachable", Status.FAIL, subject="https://admin:pw123456@svc:9090/metrics"))
    text = render(rep, "prom", RenderOptions())
    assert "pw123456" not in text and "admin:***@svc" in text


def test_empty_report_is_valid() -> None:
    text = render(report(), "prom", RenderOptions())
    assert promtool_check(text).returncode == 0
    assert "gomedic_check_status" not in text and "gomedic_health_score" in text


READER = r"""
import hashlib, pathlib, sys
target, stop, allowed = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), set(sys.argv[3:])
reads = bad = 0
while not stop.exists():
    data = target.read_bytes()
    reads += 1
    if hashlib.sha256(data).hexdigest() not in allowed:
        bad += 1
print(reads, bad)
"""


def test_textfile_is_atomic_for_a_reader_in_a_loop(tmp_path: Path) -> None:
    """Another process reading the file in a loop while it is rewritten never sees a partial file."""
    small = report(result("toolchain.go-on-path", Status.OK))
    big = report(*[result("binary.glibc", Status.FAIL, subject=f"/srv/bin/{i:05d}" + "x" * 200) for i in range(400)])
    out = tmp_path / "out"
    out.mkdir()
    write_textfile(small, out)
    target = out / "gomedic_check.prom"
    allowed = [hashlib.sha256(p.render_report(r, job="check", build_info_labels=(("job", "check"),)).encode())
               .hexdigest() for r in (small, big)]
    assert hashlib.sha256(target.read_bytes()).hexdigest() == allowed[0]
    stop = tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(target), str(stop), *allowed],
                              stdout=subprocess.PIPE, text=True)
    try:
        for i in range(40):
            write_textfile(big if i % 2 == 0 else small, out)
    finally:
        stop.touch()
        stdout, _ = reader.communicate(timeout=60)
    reads, bad = map(int, stdout.split())
    assert bad == 0, f"the reader saw {bad} partial files in {reads} reads"
    assert reads > 40
    assert [f.name for f in out.iterdir()] == ["gomedic_check.prom"]  # no temp files left behind
    assert oct(os.stat(target).st_mode & 0o777) == "0o644"
