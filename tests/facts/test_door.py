"""facts.door: the reader and runner a Facts hands its gatherers (this machine's by default, a recorded
tree and recorded answers in tests), and the real reader's refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gomedic import execx
from gomedic.errors import CommandError
from gomedic.facts import Facts
from gomedic.facts.door import HOST_READER, host_runner
from gomedic.facts.kernel import SYSCTL
from gomedic.facts.nettools import NET_TOOLS
from tests.support.recorded import RecordedReader, RecordedRunner, recorded_facts


def test_default_door_is_this_machine() -> None:
    f = Facts()
    assert f.reader is HOST_READER and f.runner is host_runner


def test_host_reader(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hosts").write_text("127.0.0.1 localhost\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/tool").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "bin/tool", 0o755)
    os.mkfifo(tmp_path / "fifo")
    r = HOST_READER
    assert r.text(tmp_path, "/etc/hosts") == "127.0.0.1 localhost\n"
    assert r.data(tmp_path, "/etc/hosts", 9) == b"127.0.0.1"
    assert r.text(tmp_path, "/etc/missing") is None
    assert r.text(tmp_path, "/fifo") is None  # never blocks on a FIFO: refused
    with pytest.raises(OSError, match="FIFO"):
        r.read(tmp_path, "/fifo", 10)
    assert sorted(r.listdir(tmp_path, "/")) == ["bin", "etc", "fifo"]
    assert r.exists(tmp_path, "/etc") and not r.exists(tmp_path, "/nope")
    assert r.is_executable(tmp_path, "/bin/tool") and not r.is_executable(tmp_path, "/etc/hosts")
    assert r.xattr(tmp_path, "/etc/hosts", "security.capability") is None


def test_a_recorded_tree_is_what_gatherers_read() -> None:
    f = recorded_facts({"/proc/sys/kernel/osrelease": "6.1.0-rec\n", "/proc/sys/fs/nr_open": "not a number"})
    sc = f.get(SYSCTL)
    assert sc.get("kernel.osrelease") == "6.1.0-rec"
    assert sc.number("fs.nr_open") is None and sc.get("vm.max_map_count") is None


def test_net_tools_run_through_the_runner() -> None:
    """The trusted openssl is 'run' by the recorded runner when the inspected PATH's openssl is the same file
    (as the recorded tree says): the version shown is the runner's answer."""
    try:
        trusted = execx.resolve("openssl")
    except CommandError:
        pytest.skip("no openssl on gomedic's trusted PATH")
    runner = RecordedRunner({(trusted, "version"): (0, "OpenSSL 9.9.9 (recorded)\n")})
    f = Facts(recorded_facts({}, env={"PATH": os.path.dirname(trusted)}).options,
              reader=RecordedReader({trusted: "#!/bin/sh\n"}, executables=[trusted]), runner=runner)
    tools = {t.name: t for t in f.get(NET_TOOLS)}
    assert runner.calls == [(trusted, "version")]
    assert tools["openssl"].describe() == f"{trusted}: OpenSSL 9.9.9 (recorded)"
    assert tools["curl"].path is None or tools["curl"].path != trusted
