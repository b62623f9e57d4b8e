"""binary checks on real Go binaries (built by real toolchains) and service checks on real unit files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gomedic.model import Status
from tests.support.userchecks import by_id, go_binary, run_inprocess


@pytest.fixture(scope="module")
def apps() -> dict[str, Path]:
    return {"v1": go_binary("1.27.3"), "v3": go_binary("1.27.3", goamd64="v3")}


def test_binary_constraints(tmp_path: Path, apps: dict[str, Path]) -> None:
    v1, v3 = apps["v1"], apps["v3"]
    f = tmp_path / "c.yaml"
    f.write_text(f"""
checks:
  - name: good
    kind: binary
    path: {v1}
    go: ">=1.24, <1.28"
    cgo: false
    goamd64_max: v2
    modules: {{present: [example.com/dep], absent: [github.com/golang/protobuf]}}
    settings: {{-trimpath: "true", GOOS: linux}}
  - {{name: too-old-range, kind: binary, path: {v1}, go: ">=1.28"}}
  - {{name: cpu-level, kind: binary, path: {v3}, goamd64_max: v2}}
  - {{name: wants-cgo, kind: binary, path: {v1}, cgo: true}}
  - {{name: banned-module, kind: binary, path: {v1}, modules: {{absent: [example.com/dep]}}}}
  - {{name: not-go, kind: binary, path: /bin/sh}}
  - {{name: missing, kind: binary, path: {tmp_path}/nope}}
""")
    r = by_id(run_inprocess([f]))
    good = r["custom.good"]
    assert good.status is Status.OK, good.summary
    assert good.summary == f"{v1}: go1.27.3 linux/amd64, CGO_ENABLED=0"
    assert good.subject == str(v1)
    assert good.evidence["GOAMD64"] == "v1"
    assert r["custom.too-old-range"].status is Status.FAIL
    assert r["custom.too-old-range"].summary == f"{v1}: built with go1.27.3, not in >=1.28"
    assert r["custom.cpu-level"].status is Status.FAIL
    assert r["custom.cpu-level"].summary == f"{v3}: GOAMD64=v3, above v2"
    assert r["custom.cpu-level"].fix == "rebuild with GOAMD64=v2"
    assert r["custom.wants-cgo"].status is Status.FAIL
    assert "CGO_ENABLED=0, declared 1" in r["custom.wants-cgo"].summary
    assert r["custom.banned-module"].status is Status.FAIL
    assert "contains module example.com/dep" in r["custom.banned-module"].summary
    assert r["custom.not-go"].status is Status.FAIL and "not a readable Go binary" in r["custom.not-go"].summary
    assert r["custom.missing"].status is Status.FAIL
    assert good.category.value == "binary"


def test_binary_directory(tmp_path: Path, apps: dict[str, Path]) -> None:
    d = tmp_path / "bin"
    d.mkdir()
    for name, src in (("api", apps["v1"]), ("worker", apps["v3"])):
        (d / name).write_bytes(src.read_bytes())
        (d / name).chmod(0o755)
    (d / "run.sh").write_text("#!/bin/sh\nexec ./api\n")
    (d / "run.sh").chmod(0o755)
    (d / "README").write_text("not executable")
    f = tmp_path / "c.yaml"
    f.write_text(f"checks:\n  - {{name: all, kind: binary, path: {d}, goamd64_max: v1}}\n")
    report = run_inprocess([f])
    got = {r.subject: r.status for r in report.results}
    assert got == {str(d / "api"): Status.OK, str(d / "worker"): Status.FAIL}


UNIT = """\
[Unit]
Description=API

[Service]
User={user}
ExecStart={exe} --listen 127.0.0.1:18443 --queue=jobs
Environment=GOMEMLIMIT=512MiB
LimitNOFILE=65536
EnvironmentFile={envfile}
WorkingDirectory={workdir}
"""


def _unit(tmp_path: Path, exe: Path) -> Path:
    from tests.support.users import ensure_user

    ensure_user("gmuchk")
    envfile = tmp_path / "api.env"
    envfile.write_text("PORT=18443\n")
    envfile.chmod(0o640)
    unit = tmp_path / "api.service"
    unit.write_text(UNIT.format(user="gmuchk", exe=exe, envfile=envfile, workdir=tmp_path))
    return unit


def test_service_unit_file(tmp_path: Path, apps: dict[str, Path]) -> None:
    unit = _unit(tmp_path, apps["v1"])
    f = tmp_path / "c.yaml"
    f.write_text(f"""
checks:
  - name: api
    kind: service
    unit: {unit}
    user: {{ne: root}}
    exec: {{matches: '^{apps["v1"]} '}}
    environment: {{GOMEMLIMIT: {{exists: true}}}}
    limits: {{LimitNOFILE: {{ge: 65536}}}}
  - {{name: api-nofile, kind: service, unit: {unit}, limits: {{LimitNOFILE: {{ge: 1048576}}}}, severity: high}}
  - {{name: api-root, kind: service, unit: {unit}, user: root}}
  - {{name: no-such-unit, kind: service, unit: gomedic-no-such-unit.service}}
""")
    r = by_id(run_inprocess([f]))
    assert r["custom.api"].status is Status.OK, r["custom.api"].summary
    assert r["custom.api"].subject == "api.service"
    assert r["custom.api"].evidence["User"] == "gmuchk"
    assert r["custom.api-nofile"].status is Status.FAIL
    assert r["custom.api-nofile"].summary == "api.service: LimitNOFILE=65536, expected ge 1048576"
    assert "systemctl edit api.service" in (r["custom.api-nofile"].fix or "")
    assert r["custom.api-root"].status is Status.FAIL
    assert r["custom.no-such-unit"].status is Status.FAIL
    assert "gomedic-no-such-unit.service not found" in r["custom.no-such-unit"].summary
    assert r["custom.api"].category.value == "service"


def test_service_verdicts_run_the_builtin_checks(tmp_path: Path, apps: dict[str, Path]) -> None:
    unit = _unit(tmp_path, apps["v1"])
    f = tmp_path / "c.yaml"
    f.write_text(f"checks:\n  - {{name: api, kind: service, unit: {unit}, severity: critical,"
                 " verdicts: [service.unit, service.user, service.nope]}\n")
    report = run_inprocess([f])
    got = [(r.summary.split(":", 1)[0], r.status) for r in report.results]
    assert got[0] == ("api.service (" + str(unit) + ")", Status.OK)
    assert ("service.unit", Status.OK) in got
    assert any(s == "service.user" for s, _ in got)
    assert any("verdict service.nope is not a check" in r.summary and r.status is Status.FAIL
               for r in report.results)
    assert all(r.severity.value == "critical" and r.id == "custom.api" for r in report.results)


def test_binary_verdicts(tmp_path: Path, apps: dict[str, Path]) -> None:
    from gomedic.checks import BUILTIN

    f = tmp_path / "c.yaml"
    f.write_text(f"checks:\n  - {{name: app, kind: binary, path: {apps['v1']}, verdicts: [binary.arch]}}\n")
    report = run_inprocess([f])
    assert report.results[0].status is Status.OK
    verdicts = report.results[1:]
    assert verdicts and all(r.id == "custom.app" and r.subject == str(apps["v1"]) for r in verdicts)
    if "binary" not in BUILTIN:  # the binary.* checks are not installed in this build: said, not hidden
        assert [r.summary for r in verdicts] == ["binary.arch: this gomedic has no binary.* checks"]
        assert verdicts[0].status is Status.FAIL
    else:  # a linux/amd64 binary on this linux/amd64 host
        assert all(r.summary.startswith("binary.arch: ") for r in verdicts)
        assert [r.status for r in verdicts] == [Status.OK] * len(verdicts)
