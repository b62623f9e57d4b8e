"""deploy/: Prometheus rules (promtool), Kubernetes manifests (offline schemas), systemd units
(systemd-analyze), the Grafana dashboard. Each validator is also shown to reject a broken copy, so a pass
means something."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.support.crd_schemas import BY_KIND
from tests.support.fleet import DEPLOY, RULES, SRC, fast_rules
from tests.support.systools import system_path

K8S = DEPLOY / "kubernetes"
SYSTEMD = DEPLOY / "systemd"
UNITS = ("gomedic-serve.service", "gomedic-textfile.service", "gomedic-textfile.timer")
K8S_VERSION = "1.33"
# The fleet manifests (other files in deploy/kubernetes/, e.g. the gate's init-container example, are
# validated by their owners' tests).
MANIFESTS = ("namespace.yaml", "serviceaccount.yaml", "configmap.yaml", "daemonset.yaml", "service.yaml",
             "servicemonitor.yaml", "prometheusrule.yaml")


def _promtool(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("promtool")
    assert exe, "the Debian package `prometheus` (promtool) is needed (see .ci/apt-packages.txt)"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def _docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def _manifests() -> dict[str, dict[str, Any]]:
    out = {}
    for p in (K8S / n for n in MANIFESTS):
        for d in _docs(p):
            out[d["kind"]] = d
    return out


# -- Prometheus ---------------------------------------------------------------------------------------

def test_promtool_check_rules(tmp_path: Path) -> None:
    p = _promtool("check", "rules", str(RULES), str(fast_rules(tmp_path / "fast.yml")))
    assert p.returncode == 0, p.stdout + p.stderr
    assert "SUCCESS: 13 rules found" in p.stdout
    broken = tmp_path / "broken.yml"
    broken.write_text(RULES.read_text().replace("max_over_time(gomedic_health_score[6h])",
                                                "max_over_time(gomedic_health_score)"))
    assert _promtool("check", "rules", str(broken)).returncode != 0


def test_promtool_rule_unit_tests(tmp_path: Path) -> None:
    p = _promtool("test", "rules", "tests/gomedic-rules.test.yml", cwd=DEPLOY / "prometheus")
    assert p.returncode == 0, p.stdout + p.stderr
    # The unit tests catch a wrong tier: the same tests against rules where high findings page fail.
    (tmp_path / "tests").mkdir()
    shutil.copy(DEPLOY / "prometheus/tests/gomedic-rules.test.yml", tmp_path / "tests")
    rules = RULES.read_text()
    i = rules.index("alert: GomedicHighCheckFailing")
    (tmp_path / "gomedic-rules.yml").write_text(rules[:i] + rules[i:].replace("severity: ticket", "severity: page", 1))
    assert _promtool("test", "rules", "tests/gomedic-rules.test.yml", cwd=tmp_path).returncode != 0


def test_alert_tiers() -> None:
    alerts = {r["alert"]: r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "alert" in r}
    assert alerts["GomedicCriticalCheckFailing"]["labels"]["severity"] == "page"
    assert 'severity="critical"' in alerts["GomedicCriticalCheckFailing"]["expr"]
    assert alerts["GomedicHighCheckFailing"]["labels"]["severity"] == "ticket"
    assert 'severity="high"' in alerts["GomedicHighCheckFailing"]["expr"]
    for name, rule in alerts.items():
        assert rule["labels"]["severity"] in ("page", "ticket"), name
        assert rule["annotations"]["summary"], name
        if "gomedic_check_status" in rule["expr"]:
            assert 'shadow="false"' in rule["expr"], f"{name} must not alert on shadow results"
    # medium, low and info findings never alert: they are for the dashboard
    assert not any(s in r["expr"] for r in alerts.values() for s in ('"medium"', '"low"', '"info"'))
    assert {"GomedicHostStoppedReporting", "GomedicExporterDown", "GomedicResultsStale"} <= set(alerts)


# -- Kubernetes ---------------------------------------------------------------------------------------

def _kubernetes_validate(*files: Path) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("kubernetes-validate") or str(Path(sys.executable).parent / "kubernetes-validate")
    return subprocess.run([exe, "-k", K8S_VERSION, "--strict", *map(str, files)], capture_output=True, text=True,
                          timeout=120)


def test_builtin_kinds_validate_offline(tmp_path: Path) -> None:
    builtin = [K8S / n for n in MANIFESTS if _docs(K8S / n)[0]["kind"] not in BY_KIND]
    assert {_docs(p)[0]["kind"] for p in builtin} == {
        "Namespace",
        "ServiceAccount",
        "ConfigMap",
        "Service",
        "DaemonSet",
    }
    p = _kubernetes_validate(*builtin)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.count(" passed ") == len(builtin) and "WARN" not in p.stdout + p.stderr, p.stdout
    # and it does reject a broken manifest
    ds = _docs(K8S / "daemonset.yaml")[0]
    ds["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = "metrics"
    ds["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesytem"] = True
    bad = tmp_path / "ds.yaml"
    bad.write_text(yaml.safe_dump(ds))
    assert _kubernetes_validate(bad).returncode != 0


@pytest.mark.parametrize("kind", sorted(BY_KIND))
def test_custom_resources_validate(kind: str) -> None:
    doc = _manifests()[kind]
    jsonschema.validate(doc, BY_KIND[kind])
    bad = json.loads(json.dumps(doc))
    bad["spec"]["selectr" if kind == "ServiceMonitor" else "grups"] = {}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, BY_KIND[kind])


def test_prometheusrule_embeds_the_production_rules() -> None:
    assert _manifests()["PrometheusRule"]["spec"] == yaml.safe_load(RULES.read_text())


def test_daemonset_reads_the_host_read_only_within_limits(tmp_path: Path) -> None:
    m = _manifests()
    pod = m["DaemonSet"]["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    host_vols = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v}
    assert {"/proc", "/sys"} <= set(host_vols.values())
    mounts = {vm["name"]: vm for vm in c["volumeMounts"]}
    for name in host_vols:
        assert mounts[name].get("readOnly") is True, f"hostPath {name} must be mounted read-only"
    res = c["resources"]
    assert (
        set(res) == {"requests", "limits"}
        and {"cpu", "memory"} <= set(res["requests"])
        and {"cpu", "memory"} <= set(res["limits"])
    )
    sc = c["securityContext"]
    assert sc["readOnlyRootFilesystem"] and not sc["allowPrivilegeEscalation"] and sc["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["runAsNonRoot"] and not pod.get("hostNetwork") and not pod.get("hostPID")
    assert pod["automountServiceAccountToken"] is False
    # serve is what runs; its probes and port agree with the Service and the ServiceMonitor
    assert c["args"][0] == "serve"
    port = c["ports"][0]
    assert m["Service"]["spec"]["ports"][0]["targetPort"] == port["name"]
    assert m["ServiceMonitor"]["spec"]["endpoints"][0]["port"] == m["Service"]["spec"]["ports"][0]["name"]
    # liveness is the exporter's own health, never the node's verdict (a failing check must not restart it)
    assert c["readinessProbe"]["httpGet"]["path"] == "/-/ready"
    assert c["livenessProbe"]["httpGet"]["path"] == "/-/healthy"
    # the config the DaemonSet mounts is one gomedic serve accepts, and it reads the host mounts
    cfg_path = c["args"][c["args"].index("--config") + 1]
    assert mounts["config"]["mountPath"] == str(Path(cfg_path).parent)
    cfg = tmp_path / "serve.yaml"
    cfg.write_text(m["ConfigMap"]["data"][Path(cfg_path).name])
    p = subprocess.run([sys.executable, "-m", "gomedic", "serve", "--check-config", "--config", str(cfg)],
                       env={"PYTHONPATH": str(SRC), "PATH": system_path()}, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "gomedic host --root /host" in p.stdout


# -- systemd ------------------------------------------------------------------------------------------

def _installed_units(dest: Path, text_of: dict[str, str] | None = None) -> list[Path]:
    """The units with ExecStart pointing at this machine's gomedic (systemd-analyze checks it exists)."""
    exe = Path(sys.executable).parent / "gomedic"
    assert exe.exists(), exe
    out = []
    for name in UNITS:
        text = (text_of or {}).get(name, (SYSTEMD / name).read_text())
        (dest / name).write_text(text.replace("/opt/gomedic/bin/gomedic", str(exe)))
        out.append(dest / name)
    return out


def test_systemd_units_verify(tmp_path: Path) -> None:
    units = _installed_units(tmp_path)
    p = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stdout + p.stderr == "", p.stdout + p.stderr
    broken = {"gomedic-serve.service": (SYSTEMD / "gomedic-serve.service").read_text().replace(
        "ProtectSystem=strict", "ProtectSystem=strictly")}
    bad = _installed_units(tmp_path, broken)
    p = subprocess.run(["systemd-analyze", "verify", str(bad[0])], capture_output=True, text=True, timeout=60)
    assert "protect system value" in p.stderr


@pytest.mark.parametrize("unit", ["gomedic-serve.service", "gomedic-textfile.service"])
def test_units_are_hardened(unit: str) -> None:
    text = (SYSTEMD / unit).read_text()
    keys = {
        line.split("=", 1)[0]: line.split("=", 1)[1]
        for line in text.splitlines()
        if "=" in line and not line.startswith("#")
    }
    for k, v in {
        "ProtectSystem": "strict",
        "NoNewPrivileges": "yes",
        "PrivateTmp": "yes",
        "CapabilityBoundingSet": "",
        "ProtectKernelTunables": "yes",
        "RestrictSUIDSGID": "yes",
        "SystemCallFilter": "@system-service",
    }.items():
        assert keys.get(k) == v, (unit, k)
    assert "MemoryMax" in keys
    assert keys.get("DynamicUser") == "yes" or keys.get("User") == "gomedic"


def test_timer_runs_the_textfile_service() -> None:
    timer = (SYSTEMD / "gomedic-textfile.timer").read_text()
    assert "OnCalendar=hourly" in timer and "RandomizedDelaySec=" in timer and "Persistent=true" in timer
    svc = (SYSTEMD / "gomedic-textfile.service").read_text()
    assert "--textfile-dir /var/lib/gomedic" in svc and "SuccessExitStatus=1" in svc


# -- Grafana ------------------------------------------------------------------------------------------

def test_grafana_dashboard() -> None:
    dash = json.loads((DEPLOY / "grafana" / "gomedic-fleet.json").read_text())
    ids = [p["id"] for p in dash["panels"]]
    assert len(ids) == len(set(ids))
    titles = " ".join(p["title"] for p in dash["panels"]).lower()
    for needed in ("health score", "failing checks by id", "failing checks by host", "stale hosts"):
        assert needed in titles
    for p in dash["panels"]:
        assert p["targets"] and p["datasource"]["uid"] == "${datasource}", p["title"]
        for t in p["targets"]:
            assert t["expr"].strip()
    exprs = " ".join(t["expr"] for p in dash["panels"] for t in p["targets"])
    recorded = {r["record"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"] if "record" in r}
    assert {
        "gomedic:health_score:avg",
        "id:gomedic_hosts_failing:count",
        "instance:gomedic_last_run_age:seconds",
    } <= recorded
    assert all(r in exprs for r in ("gomedic:health_score:avg", "id:gomedic_hosts_failing:count"))
