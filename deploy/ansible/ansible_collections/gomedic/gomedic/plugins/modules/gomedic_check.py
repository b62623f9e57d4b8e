#!/usr/bin/python
# Copyright: gomedic developers
# MIT License (see the gomedic repository)
"""Ansible module gomedic_check: run gomedic on a host and return its parsed JSON report."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gomedic_check
short_description: Run gomedic and return its JSON report
description:
  - Runs C(gomedic COMMAND ARGS... --format json) on the target host and returns the parsed report
    (schema gomedic/report/v1).
  - Read-only; never reports C(changed). Supports check mode (it runs the same read-only checks).
  - Fails per O(fail_on), counting only non-shadow results, and always when gomedic produced no report
    (usage error, gomedic missing, timeout).
options:
  command:
    description: The gomedic command to run (C(check), C(host), C(binary), C(gate), ...).
    type: str
    default: check
  args:
    description: Arguments for the command. Do not pass C(--format) or C(-o); the module owns the output.
    type: list
    elements: str
    default: []
  executable:
    description:
      - How to start gomedic, as an argv prefix, e.g. V([/opt/gomedic/bin/gomedic]) or
        V([/usr/bin/python3, -m, gomedic]).
    type: list
    elements: str
    default: [gomedic]
  fail_on:
    description:
      - V(fail) fails the task when a result is C(fail) or C(error); V(warn) also on C(warn);
        V(never) only when no report could be produced.
    type: str
    choices: [warn, fail, never]
    default: fail
  timeout:
    description: Seconds before gomedic is stopped and the task fails.
    type: int
    default: 600
author:
  - gomedic developers
"""

EXAMPLES = r"""
- name: Audit the Go toolchain, tolerating failures (collect only)
  gomedic.gomedic.gomedic_check:
    command: check
    args: [--area, toolchain]
    fail_on: never
  register: gomedic

- name: Gate a deploy on the service's host checks
  gomedic.gomedic.gomedic_check:
    command: host
    executable: [/opt/gomedic/bin/gomedic]
"""

RETURN = r"""
report:
  description: The parsed gomedic/report/v1 document.
  returned: when gomedic produced a report
  type: dict
failing:
  description: Counted (non-shadow) results at or above the fail_on threshold (id, subject, status, severity, summary).
  returned: when gomedic produced a report
  type: list
  elements: dict
summary:
  description: Counts per status and the health score, as in the report.
  returned: when gomedic produced a report
  type: dict
gomedic_rc:
  description: gomedic's exit code (not C(rc), which Ansible would read as the task's failure).
  returned: always
  type: int
cmd:
  description: The argv that ran.
  returned: always
  type: list
"""

# Ansible reads DOCUMENTATION/EXAMPLES/RETURN as the first statements of a module; imports follow them.
import json  # noqa: E402

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

REPORT_SCHEMA = "gomedic/report/v1"
BAD = {"fail": ("fail", "error"), "warn": ("warn", "fail", "error"), "never": ()}


def parse_report(stdout):
    """The report from gomedic's stdout, or None when it is not a gomedic/report/v1 document."""
    try:
        doc = json.loads(stdout)
    except ValueError:
        return None
    if not isinstance(doc, dict) or doc.get("schema") != REPORT_SCHEMA or not isinstance(doc.get("results"), list):
        return None
    return doc


def failing_results(report, fail_on):
    out = []
    for r in report["results"]:
        if not isinstance(r, dict) or r.get("shadow") or r.get("status") not in BAD[fail_on]:
            continue
        out.append({k: r.get(k) for k in ("id", "subject", "status", "severity", "summary")})
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            command=dict(type="str", default="check"),
            args=dict(type="list", elements="str", default=[]),
            executable=dict(type="list", elements="str", default=["gomedic"]),
            fail_on=dict(type="str", default="fail", choices=["warn", "fail", "never"]),
            timeout=dict(type="int", default=600),
        ),
        supports_check_mode=True,
    )
    p = module.params
    for a in p["args"]:
        if a.split("=", 1)[0] in ("--format", "-o", "--output"):
            module.fail_json(msg=f"args: {a} is not allowed: the module chooses the output format", cmd=[])
    argv = [*p["executable"], p["command"], *p["args"], "--format", "json"]
    # Prefix `timeout` so a hung gomedic cannot hang the play; run_command has no timeout of its own.
    timeout_bin = module.get_bin_path("timeout")
    full = ([timeout_bin, "--kill-after=10", str(p["timeout"])] if timeout_bin else []) + argv
    rc, out, err = module.run_command(full, check_rc=False)
    report = parse_report(out)
    if report is None:
        why = f"timed out after {p['timeout']}s" if rc in (124, 137) and timeout_bin else f"exited {rc}"
        module.fail_json(msg=f"gomedic {p['command']} produced no report ({why}): {(err or out).strip()[:2000]}",
                         gomedic_rc=rc, cmd=argv, stderr=err, stdout=out[:2000])
    failing = failing_results(report, p["fail_on"])
    result = dict(
        changed=False, gomedic_rc=rc, cmd=argv, report=report, failing=failing, summary=report.get("summary", {})
    )
    if failing:
        names = ", ".join(sorted({f["id"] + (f"[{f['subject']}]" if f["subject"] else "") for f in failing}))
        module.fail_json(msg=f"gomedic {p['command']}: {len(failing)} result(s) at or above {p['fail_on']}: {names}",
                         **result)
    if rc == 3 and p["fail_on"] != "never":
        module.fail_json(msg=f"gomedic {p['command']} could not evaluate any check (exit 3)", **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
