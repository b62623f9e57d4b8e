"""A real OpenSSH server on loopback aliases for the fleet tests, with a throwaway host key and user key.

The server runs as root (as sshd must) with its own config, listens only on the given 127.0.0.x
addresses, and lets in one unprivileged user by public key. Its files live in a world-traversable
directory because sshd reads the authorized keys as that user.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.cli import free_port
from tests.support.fleet import processes, wait_until
from tests.support.systools import system_path
from tests.support.users import User


@dataclass(frozen=True)
class Sshd:
    hosts: tuple[str, ...]
    port: int
    user: User
    key: Path  # the client's private key


def _keygen(path: Path) -> None:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True, timeout=30)


def _listening(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


@contextmanager
def sshd(hosts: Sequence[str], user: User) -> Iterator[Sshd]:
    exe = shutil.which("sshd") or "/usr/sbin/sshd"
    assert os.path.exists(exe), "the Debian package `openssh-server` is needed (see .ci/apt-packages.txt)"
    root = Path(tempfile.mkdtemp(prefix="gomedic-sshd-", dir="/tmp"))
    try:
        root.chmod(0o755)
        _keygen(root / "host_key")
        _keygen(root / "client_key")
        auth = root / "authorized_keys"
        auth.write_text((root / "client_key.pub").read_text())
        auth.chmod(0o644)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation directory
        port = free_port(list(hosts))
        conf = root / "sshd_config"
        conf.write_text(
            "".join(f"ListenAddress {h}:{port}\n" for h in hosts)
            + f"HostKey {root / 'host_key'}\n"
            f"PidFile {root / 'sshd.pid'}\n"
            f"AuthorizedKeysFile {auth}\n"
            f"AllowUsers {user.name}\n"
            "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "PermitRootLogin no\nX11Forwarding no\nAllowTcpForwarding no\nLogLevel ERROR\n"
            "Subsystem sftp internal-sftp\n"
        )
        with processes() as start:
            proc = start("sshd", [exe, "-D", "-e", "-f", str(conf)], env={"PATH": system_path()},
                         log_dir=root)

            def up() -> bool:
                assert proc.popen.poll() is None, f"sshd exited:\n{proc.output()}"
                return all(_listening(h, port) for h in hosts)

            wait_until(up, 30, "sshd to listen")
            yield Sshd(tuple(hosts), port, user, root / "client_key")
    finally:
        shutil.rmtree(root, ignore_errors=True)
