"""How long does loading a 300-check file take? (`gomedic run`/`validate` pay this before any check runs.)

    python3 bench/userchecks_load.py [--checks 300] [--runs 21]

Writes a file of N declared checks cycling through every kind (with variables, matchers, tags), then times,
in-process: parsing + validation of every entry (loader.validate) and compilation to CheckSpecs. Also times
`python -m gomedic validate FILE` end to end against `python -c pass`. Medians, in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TEMPLATES = [
    "  - {{name: tcp-{i}, kind: tcp, address: '127.0.0.1:${{port}}', severity: high, tags: [net]}}",
    "  - {{name: http-{i}, kind: http, url: 'http://127.0.0.1:${{port}}/healthz', status: {{between: [200, 299]}},"
    " body: {{contains: ok}}, headers: {{Content-Type: {{contains: json}}}}}}",
    "  - {{name: file-{i}, kind: file, path: /etc/app-{i}.yaml, mode: '0640', owner: app, size: {{le: 1048576}}}}",
    "  - {{name: sysctl-{i}, kind: sysctl, key: vm.max_map_count, value: {{ge: 262144}}}}",
    "  - {{name: env-{i}, kind: env, var: GOMEMLIMIT, value: {{matches: '^[0-9]+MiB$'}}, rollout: shadow}}",
    "  - {{name: proc-{i}, kind: process, process: api, count: {{ge: 1}}, user: app}}",
    "  - {{name: cmd-{i}, kind: command, run: [go, version], stdout: {{matches: 'go1\\.2[4-9]'}}, timeout: 10s}}",
    "  - {{name: dns-{i}, kind: dns, host: db.internal, addresses: [10.0.0.5]}}",
    "  - {{name: bin-{i}, kind: binary, path: /opt/app/bin, go: '>=1.24, <1.28', cgo: false, goamd64_max: v2}}",
    "  - {{name: metric-{i}, kind: metric, url: 'http://127.0.0.1:9100/metrics', metric: delay_seconds,"
    " labels: {{db: main}}, value: {{lt: 60}}}}",
    "  - {{name: svc-{i}, kind: service, unit: api.service, user: {{ne: root}},"
    " limits: {{LimitNOFILE: {{ge: 65536}}}}}}",
]


def make(n: int) -> str:
    lines = ["version: 1", "vars: {port: 8443}", "checks:"]
    lines += [TEMPLATES[i % len(TEMPLATES)].format(i=i) for i in range(n)]
    return "\n".join(lines) + "\n"


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checks", type=int, default=300)
    ap.add_argument("--runs", type=int, default=21)
    a = ap.parse_args()
    from gomedic.userchecks.compile import to_specs
    from gomedic.userchecks.loader import validate

    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "checks.yaml"
        f.write_text(make(a.checks))
        loaded = validate([f], env={})
        assert not loaded.issues and len(loaded.checks) == a.checks, loaded.issues[:3]
        load_ms = median_ms(lambda: validate([f], env={}), a.runs)
        compile_ms = median_ms(lambda: to_specs(loaded.checks), a.runs)
        py = [sys.executable, "-c", "pass"]
        gm = [sys.executable, "-m", "gomedic", "validate", str(f)]
        env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
        cli, base = [], []
        for _ in range(max(5, a.runs // 2)):
            for argv, out in ((gm, cli), (py, base)):
                t0 = time.perf_counter()
                subprocess.run(argv, env=env, check=True, capture_output=True)
                out.append((time.perf_counter() - t0) * 1000)
        print(f"file: {a.checks} checks, {f.stat().st_size} bytes")
        print(f"load+validate (in-process): median {load_ms:.1f} ms ({load_ms / a.checks * 1000:.0f} us/check)")
        print(f"compile to CheckSpecs:      median {compile_ms:.2f} ms")
        print(f"`gomedic validate` end to end: median {statistics.median(cli):.0f} ms "
              f"(python -c pass: {statistics.median(base):.0f} ms)")


if __name__ == "__main__":
    main()
