"""http, tcp, dns and metric checks against real servers on 127.0.0.1 (and a real self-signed TLS server)."""

from __future__ import annotations

import json
import socket
import ssl
from pathlib import Path

from gomedic.model import Status
from tests.support.userchecks import by_id, http_server, prometheus_text, run_inprocess, self_signed


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return int(port)


def test_http_status_body_headers(tmp_path: Path) -> None:
    routes = {
        "/healthz": (200, {"Content-Type": "application/json"}, json.dumps({"status": "ok"}).encode()),
        "/down": (503, {"Content-Type": "text/plain"}, b"draining"),
    }
    with http_server(routes) as srv:
        f = tmp_path / "c.yaml"
        f.write_text(f"""
vars: {{base: "{srv.url}"}}
checks:
  - {{name: health, kind: http, url: "${{base}}/healthz", body: {{contains: '"status": "ok"'}},
     headers: {{Content-Type: {{contains: json}}}}}}
  - {{name: health-range, kind: http, url: "${{base}}/healthz", status: {{between: [200, 299]}}}}
  - {{name: down, kind: http, url: "${{base}}/down"}}
  - {{name: down-expected, kind: http, url: "${{base}}/down", status: 503, body: {{matches: '^drain'}}}}
  - {{name: wrong-header, kind: http, url: "${{base}}/healthz", headers: {{X-Missing: {{exists: true}}}}}}
  - {{name: closed, kind: http, url: "http://127.0.0.1:{_closed_port()}/", timeout: 2s}}
""")
        r = by_id(run_inprocess([f]))
    assert r["custom.health"].status is Status.OK, r["custom.health"]
    assert r["custom.health"].summary == f"GET {srv.url}/healthz answered 200"
    assert r["custom.health-range"].status is Status.OK
    assert r["custom.down"].status is Status.FAIL
    assert "status 503, expected eq 200" in r["custom.down"].summary
    assert r["custom.down"].evidence["body"] == "draining"
    assert r["custom.down-expected"].status is Status.OK
    assert r["custom.wrong-header"].status is Status.FAIL
    assert "header X-Missing: 'absent' is not present" in r["custom.wrong-header"].summary
    assert r["custom.closed"].status is Status.FAIL
    assert "did not answer: Connection refused" in r["custom.closed"].summary
    assert r["custom.closed"].fix and "start the service" in r["custom.closed"].fix
    assert r["custom.health"].category.value == "network"


def test_https_certificate_days_left(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, days=10)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    with http_server({"/": (200, {}, b"hi")}, tls=ctx) as srv:
        f = tmp_path / "c.yaml"
        f.write_text(f"""
checks:
  - {{name: trusted, kind: http, url: "{srv.url}/", ca_file: "{cert}", cert_days_left: {{ge: 9}}}}
  - {{name: expiring, kind: http, url: "{srv.url}/", ca_file: "{cert}", cert_days_left: {{ge: 30}}, severity: high}}
  - {{name: insecure, kind: http, url: "{srv.url}/", insecure: true, cert_days_left: {{between: [9, 10]}}}}
  - {{name: untrusted, kind: http, url: "{srv.url}/"}}
""")
        r = by_id(run_inprocess([f]))
    assert r["custom.trusted"].status is Status.OK, r["custom.trusted"]
    assert "certificate valid 9.9 more days" in r["custom.trusted"].summary
    assert r["custom.expiring"].status is Status.FAIL
    assert "the certificate expires in 9.9 days, expected ge 30" in r["custom.expiring"].summary
    assert r["custom.insecure"].status is Status.OK
    assert r["custom.untrusted"].status is Status.FAIL
    assert "CERTIFICATE_VERIFY_FAILED" in r["custom.untrusted"].summary


def test_tcp_reachable_and_refused(tmp_path: Path) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    closed = _closed_port()
    f = tmp_path / "c.yaml"
    f.write_text(f"""
checks:
  - {{name: listening, kind: tcp, address: "127.0.0.1:{port}"}}
  - {{name: nothing, kind: tcp, address: "127.0.0.1:{closed}", timeout: 2s}}
  - {{name: must-be-closed, kind: tcp, address: "127.0.0.1:{closed}", reachable: false}}
  - {{name: must-be-closed-but-open, kind: tcp, address: "127.0.0.1:{port}", reachable: false}}
""")
    try:
        r = by_id(run_inprocess([f]))
    finally:
        listener.close()
    assert r["custom.listening"].status is Status.OK
    assert r["custom.listening"].summary == f"127.0.0.1:{port} accepts TCP connections"
    assert r["custom.nothing"].status is Status.FAIL
    assert r["custom.nothing"].summary == f"127.0.0.1:{closed} is not reachable: Connection refused"
    assert r["custom.must-be-closed"].status is Status.OK
    assert r["custom.must-be-closed-but-open"].status is Status.FAIL


def test_dns(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("""
checks:
  - {name: localhost, kind: dns, host: localhost, addresses: [127.0.0.1]}
  - {name: wrong-address, kind: dns, host: localhost, addresses: [10.9.9.9]}
  - {name: absent, kind: dns, host: gomedic-test.invalid, resolves: false}
  - {name: must-resolve, kind: dns, host: gomedic-test.invalid}
""")
    r = by_id(run_inprocess([f]))
    assert r["custom.localhost"].status is Status.OK
    assert "localhost resolves to 127.0.0.1" in r["custom.localhost"].summary
    assert r["custom.wrong-address"].status is Status.FAIL
    assert "not to 10.9.9.9" in r["custom.wrong-address"].summary
    assert r["custom.absent"].status is Status.OK
    assert r["custom.must-resolve"].status is Status.FAIL


def test_metric_from_a_real_prometheus_endpoint(tmp_path: Path) -> None:
    text = prometheus_text()
    routes = {"/metrics": (200, {"Content-Type": "text/plain; version=0.0.4"}, text),
              "/garbage": (200, {}, b"{not prometheus\n")}
    with http_server(routes) as srv:
        f = tmp_path / "c.yaml"
        f.write_text(f"""
vars: {{m: "{srv.url}/metrics"}}
checks:
  - {{name: delay-main-replica, kind: metric, url: "${{m}}", metric: replication_delay_seconds,
     labels: {{db: main, role: replica}}, value: {{lt: 60}}}}
  - {{name: delay-all, kind: metric, url: "${{m}}", metric: replication_delay_seconds, value: {{lt: 60}}}}
  - {{name: delay-any, kind: metric, url: "${{m}}", metric: replication_delay_seconds, value: {{lt: 60}},
     require: any}}
  - {{name: jobs, kind: metric, url: "${{m}}", metric: jobs_processed_total, labels: {{queue: {{matches: def}}}},
     value: {{ge: 42}}}}
  - {{name: missing, kind: metric, url: "${{m}}", metric: no_such_metric}}
  - {{name: garbage, kind: metric, url: "{srv.url}/garbage", metric: up}}
  - {{name: not-found, kind: metric, url: "{srv.url}/nope", metric: up}}
""")
        r = by_id(run_inprocess([f]))
    assert r["custom.delay-main-replica"].status is Status.OK
    assert 'replication_delay_seconds{db="main",role="replica"} 12.5' in r["custom.delay-main-replica"].summary
    assert r["custom.delay-all"].status is Status.FAIL
    assert r["custom.delay-all"].summary == (
        'replication_delay_seconds{db="main",role="standby"} 90 is not lt 60 (1/3 samples fail)')
    assert r["custom.delay-any"].status is Status.OK
    assert r["custom.jobs"].status is Status.OK
    assert r["custom.missing"].status is Status.FAIL
    assert "exposes no no_such_metric" in r["custom.missing"].summary
    assert r["custom.garbage"].status is Status.FAIL
    assert r["custom.not-found"].status is Status.FAIL
    assert r["custom.not-found"].summary.endswith("answered 404")
