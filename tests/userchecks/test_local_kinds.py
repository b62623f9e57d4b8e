"""file, sysctl, env, command and process checks on real files, real /proc/sys, real processes and users."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from gomedic.model import Status
from tests.support.userchecks import by_id, run_inprocess
from tests.support.users import as_user, ensure_user

USER = "gmuchk"


def test_file_attributes(tmp_path: Path) -> None:
    u = ensure_user(USER)
    cfg = tmp_path / "config.yaml"
    cfg.write_text("listen: :8443\ntls: true\n")
    os.chown(cfg, u.uid, u.gid)
    cfg.chmod(0o640)
    loose = tmp_path / "loose.yaml"
    loose.write_text("x")
    loose.chmod(0o666)
    (tmp_path / "link").symlink_to(cfg)
    f = tmp_path / "c.yaml"
    f.write_text(f"""
vars: {{dir: "{tmp_path}"}}
checks:
  - {{name: config, kind: file, path: "${{dir}}/config.yaml", type: file, mode: "0640", owner: {USER},
     group: {u.gid}, size: {{between: [10, 100]}}, contains: ["listen:", "tls:"]}}
  - {{name: config-wrong, kind: file, path: "${{dir}}/config.yaml", mode: "0600", owner: root,
     contains: "cert:"}}
  - {{name: loose, kind: file, path: "${{dir}}/loose.yaml", mode_max: "0640"}}
  - {{name: absent, kind: file, path: "${{dir}}/nope", exists: false}}
  - {{name: missing, kind: file, path: "${{dir}}/nope"}}
  - {{name: must-be-absent, kind: file, path: "${{dir}}/loose.yaml", exists: false}}
  - {{name: link, kind: file, path: "${{dir}}/link", type: symlink}}
  - {{name: dir, kind: file, path: "${{dir}}", type: file}}
""")
    r = by_id(run_inprocess([f]))
    assert r["custom.config"].status is Status.OK, r["custom.config"].summary
    assert r["custom.config"].summary == f"{cfg}: file, mode 0640, {USER}:{USER}, 24 bytes"
    bad = r["custom.config-wrong"]
    assert bad.status is Status.FAIL
    assert bad.summary == (f"{cfg}: mode 0640, expected 0600; owned by {USER}, not root; "
                           "does not contain 'cert:'")
    assert bad.fix == f"chmod 0600 {cfg}; chown root {cfg}"
    assert r["custom.loose"].status is Status.FAIL
    assert r["custom.loose"].fix == f"chmod 0640 {loose}"
    assert r["custom.absent"].status is Status.OK
    assert r["custom.missing"].status is Status.FAIL and r["custom.missing"].summary.endswith("does not exist")
    assert r["custom.must-be-absent"].status is Status.FAIL
    assert r["custom.link"].status is Status.OK
    assert r["custom.dir"].status is Status.FAIL and "is a directory, not a file" in r["custom.dir"].summary
    assert r["custom.config"].category.value == "filesystem"


def test_sysctl_real_values(tmp_path: Path) -> None:
    current = int(Path("/proc/sys/vm/max_map_count").read_text())
    f = tmp_path / "c.yaml"
    f.write_text(f"""
checks:
  - {{name: map-count, kind: sysctl, key: vm.max_map_count, value: {{ge: {current}}}}}
  - {{name: map-count-high, kind: sysctl, key: vm.max_map_count, value: {{gt: {current}}}, severity: high}}
  - {{name: ostype, kind: sysctl, key: kernel.ostype, value: Linux}}
  - {{name: port-range, kind: sysctl, key: net/ipv4/ip_local_port_range, value: {{matches: '^[0-9]+ [0-9]+$'}}}}
  - {{name: no-such, kind: sysctl, key: vm.no_such_knob, value: 1}}
""")
    r = by_id(run_inprocess([f]))
    assert r["custom.map-count"].status is Status.OK
    assert r["custom.map-count"].summary == f"vm.max_map_count = {current} (ge {current})"
    assert r["custom.map-count-high"].status is Status.FAIL
    assert r["custom.map-count-high"].summary == f"vm.max_map_count = {current}, expected gt {current}"
    assert "sysctl -w vm.max_map_count=" in (r["custom.map-count-high"].fix or "")
    assert r["custom.ostype"].status is Status.OK
    assert r["custom.port-range"].status is Status.OK
    assert r["custom.no-such"].status is Status.FAIL
    assert r["custom.map-count"].category.value == "limits"


def test_env(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("""
checks:
  - {name: gomemlimit, kind: env, var: GOMEMLIMIT, value: {matches: '^[0-9]+MiB$'}}
  - {name: gomaxprocs-set, kind: env, var: GOMAXPROCS}
  - {name: no-godebug, kind: env, var: GODEBUG, value: {exists: false}}
  - {name: api-token, kind: env, var: API_TOKEN, value: {exists: true}}
""")
    report = run_inprocess([f], env={"GOMEMLIMIT": "512MiB", "API_TOKEN": "s3cr3t-value"})
    r = by_id(report)
    assert r["custom.gomemlimit"].status is Status.OK and r["custom.gomemlimit"].summary == "GOMEMLIMIT=512MiB"
    assert r["custom.gomaxprocs-set"].status is Status.FAIL
    assert r["custom.gomaxprocs-set"].summary == "GOMAXPROCS is not set, expected present"
    assert r["custom.no-godebug"].status is Status.OK
    from gomedic.render import RenderOptions, render

    text = render(report, "json", RenderOptions())
    assert "s3cr3t-value" not in text  # redacted in the render path


def test_command(tmp_path: Path) -> None:
    f = tmp_path / "c.yaml"
    f.write_text("""
checks:
  - {name: echo, kind: command, run: [sh, -c, 'echo go1.27.3; echo warn >&2'], stdout: {matches: 'go1\\.2[4-9]'},
     stderr: {contains: warn}}
  - {name: exit-3, kind: command, run: "sh -c 'exit 3'"}
  - {name: exit-3-ok, kind: command, run: "sh -c 'exit 3'", exit: {ne: 0}}
  - {name: env, kind: command, run: [sh, -c, 'test "$GM_X" = yes'], env: {GM_X: yes}}
  - {name: slow, kind: command, run: [sleep, "30"], timeout: 1s}
  - {name: no-such, kind: command, run: [/nonexistent/gomedic-tool]}
""")
    r = by_id(run_inprocess([f]))
    assert r["custom.echo"].status is Status.OK, r["custom.echo"].summary
    assert r["custom.exit-3"].status is Status.FAIL
    assert r["custom.exit-3"].summary == "`sh -c 'exit 3'`: exit status 3, expected eq 0"
    assert r["custom.exit-3-ok"].status is Status.OK
    assert r["custom.env"].status is Status.OK
    assert r["custom.slow"].status is Status.FAIL and "timed out after 1s" in r["custom.slow"].summary
    assert r["custom.no-such"].status is Status.FAIL and "could not start" in r["custom.no-such"].summary


def test_process_running_count_and_user(tmp_path: Path) -> None:
    u = ensure_user(USER)
    name = "gm" + uuid.uuid4().hex[:10]  # comm is the executable's file name (a symlink's name)
    d = Path(tempfile.mkdtemp(prefix="gmproc-", dir="/tmp"))
    d.chmod(0o755)
    link = d / name
    link.symlink_to(shutil.which("sleep") or "/bin/sleep")
    procs = [subprocess.Popen(as_user(u, [str(link), "300"])) for _ in range(2)]
    try:
        deadline = time.monotonic() + 30  # setpriv has exec'd the program: its comm is now the link's name
        while not all(Path(f"/proc/{p.pid}/comm").read_text().strip() == name for p in procs):
            assert time.monotonic() < deadline, "the test processes did not start"
            time.sleep(0.02)
        f = tmp_path / "c.yaml"
        f.write_text(f"""
checks:
  - {{name: running, kind: process, process: {name}, count: 2, user: {USER}}}
  - {{name: as-root, kind: process, process: {name}, user: root}}
  - {{name: three, kind: process, process: {name}, count: {{ge: 3}}}}
  - {{name: cmdline, kind: process, process: {name}, cmdline: {{contains: " 300"}}}}
  - {{name: not-running, kind: process, process: gm-not-a-process}}
  - {{name: must-not-run, kind: process, process: {name}, running: false}}
""")
        r = by_id(run_inprocess([f]))
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(d)
    assert r["custom.running"].status is Status.OK, r["custom.running"].summary
    assert r["custom.running"].evidence["users"] == USER
    assert r["custom.as-root"].status is Status.FAIL
    assert f"runs as {USER}, not root" in r["custom.as-root"].summary
    assert r["custom.three"].status is Status.FAIL and "2 running, expected ge 3" in r["custom.three"].summary
    assert r["custom.cmdline"].status is Status.OK
    assert r["custom.not-running"].status is Status.FAIL
    assert r["custom.not-running"].summary == "no gm-not-a-process process runs"
    assert r["custom.must-not-run"].status is Status.FAIL
