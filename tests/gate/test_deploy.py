"""The shipped deploy examples: the gated unit parses cleanly and its ExecStartPre is a valid gate command."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

from gomedic.cli import build_parser
from gomedic.facts.systemd import load_service
from gomedic.facts.unitfile import parse_unit

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def _gate_args(argv: list[str]) -> None:
    assert argv[0].endswith("gomedic") and argv[1] == "gate"
    args = build_parser().parse_args(argv[1:])  # argparse exits (SystemExit) on a bad option
    assert args.command == "gate"


def test_gated_unit_parses_and_gate_line_is_valid() -> None:
    u = load_service(str(DEPLOY / "systemd/goapp-gated.service"), Path("/"))
    assert u.diagnostics == ()
    assert u.limits["LimitNOFILE"][:2] == (65536, 65536)
    pre = u.merged.all("Service", "ExecStartPre")
    assert len(pre) == 1
    _gate_args([w.replace("%n", u.name) for w in shlex.split(pre[0].value)])


def test_dropin_parses() -> None:
    t = parse_unit((DEPLOY / "systemd/gate.d/10-gomedic-gate.conf").read_bytes(), "10-gomedic-gate.conf")
    assert t.diagnostics == ()
    pre = [e for e in t.entries if e.key == "ExecStartPre"]
    _gate_args(shlex.split(pre[0].value.replace("%n", "x.service")))


def test_init_container_snippet() -> None:
    doc = yaml.safe_load((DEPLOY / "kubernetes/gate-init-container.yaml").read_text())
    gate = next(c for c in doc["spec"]["initContainers"] if c["name"] == "gomedic-gate")
    _gate_args(gate["command"])
    app = doc["spec"]["containers"][0]
    assert gate["resources"] == app["resources"] and gate["env"] == app["env"]
