"""Build real Go programs with real toolchains, cached by content hash (shared by xdist workers).

    from tests.support.gobuild import build, corpus
    exe = build(HELLO, version="1.27.3", env={"GOARCH": "arm64"}, flags=["-trimpath"])
    exe = corpus("cgo-glibc")          # a named member of the differential corpus

Builds run offline (GOPROXY=off, GOFLAGS=-mod=mod, GOTOOLCHAIN=local) with a shared GOCACHE per release,
into <cache>/build/<hash>/<name>, under a file lock per hash: a second caller waits and reuses the result.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.systools import system_path
from tests.support.toolchains import NEWEST, cache_dir, toolchain

HELLO = 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n'

# Uses what binary.runtime-files and binary.glibc look for: crypto/x509, os/user, time zones, the resolver.
NETPROG = """package main

import (
	"crypto/x509"
	"fmt"
	"net"
	"os/user"
	"time"
)

func main() {
	pool, err := x509.SystemCertPool()
	u, _ := user.Current()
	loc, _ := time.LoadLocation("Europe/Berlin")
	addrs, _ := net.LookupHost("localhost")
	fmt.Println(pool != nil, err, u, loc, addrs)
}
"""

BUILD_TIMEOUT = 900


def _key(*parts: object) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:24]


def go_env(version: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An offline environment for `go` of this release, sharing caches across builds."""
    root = toolchain(version)
    c = cache_dir()
    env = {
        "PATH": system_path(root / "bin"),
        "HOME": str(c / "home"),
        "GOROOT": str(root),
        "GOCACHE": str(c / "gocache" / version),
        "GOMODCACHE": str(c / "gomodcache"),
        "GOPATH": str(c / "gopath"),
        "GOPROXY": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOTELEMETRY": "off",
        "GOENV": "off",
        "CGO_ENABLED": "0",
    }
    env.update(extra or {})
    return env


def build(
    src: str,
    version: str = NEWEST,
    env: Mapping[str, str] | None = None,
    flags: Sequence[str] = (),
    name: str = "app",
    files: Mapping[str, str] | None = None,
) -> Path:
    """Build `src` (a main package) and return the executable's path. Raises RuntimeError with go's output."""
    env = dict(env or {})
    files = dict(files or {})
    key = _key(src, version, env, list(flags), name, files)
    out_dir = cache_dir() / "build" / key
    exe = out_dir / (name + (".exe" if env.get("GOOS") == "windows" else ""))
    if exe.exists():
        return exe
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".lock-{key}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if exe.exists():
            return exe
        work = Path(tempfile.mkdtemp(prefix="gobuild.", dir=out_dir.parent))
        try:
            (work / "go.mod").write_text(f"module example.com/{name}\n\ngo 1.22\n")
            (work / "main.go").write_text(src)
            for rel, text in files.items():
                (work / rel).parent.mkdir(parents=True, exist_ok=True)
                (work / rel).write_text(text)
            tmp_out = work / exe.name
            p = subprocess.run(
                [str(toolchain(version) / "bin" / "go"), "build", "-o", str(tmp_out), *flags, "."],
                cwd=work, env=go_env(version, env), capture_output=True, text=True, timeout=BUILD_TIMEOUT,
            )
            if p.returncode != 0:
                raise RuntimeError(f"go build failed ({version}, {env}, {flags}):\n{p.stderr}")
            out_dir.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_out, exe)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return exe


# name -> (program, go release, environment, flags): the differential corpus of the issue.
CORPUS: dict[str, tuple[str, str, dict[str, str], list[str]]] = {
    "linux-amd64": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "amd64"}, []),
    "linux-arm64": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "arm64"}, []),
    "linux-arm": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "arm", "GOARM": "7"}, []),
    "linux-386": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "386"}, []),
    "linux-s390x": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "s390x"}, []),
    "linux-ppc64le": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "ppc64le"}, []),
    "linux-riscv64": (HELLO, NEWEST, {"GOOS": "linux", "GOARCH": "riscv64"}, []),
    "windows-amd64": (HELLO, NEWEST, {"GOOS": "windows", "GOARCH": "amd64"}, []),
    "windows-386": (HELLO, NEWEST, {"GOOS": "windows", "GOARCH": "386"}, []),
    "darwin-amd64": (HELLO, NEWEST, {"GOOS": "darwin", "GOARCH": "amd64"}, []),
    "darwin-arm64": (HELLO, NEWEST, {"GOOS": "darwin", "GOARCH": "arm64"}, []),
    # other OSes' ELF files (static FreeBSD/NetBSD, dynamic OpenBSD/Solaris): Linux loads them all
    "freebsd-amd64": (HELLO, NEWEST, {"GOOS": "freebsd", "GOARCH": "amd64"}, []),
    "netbsd-amd64": (HELLO, NEWEST, {"GOOS": "netbsd", "GOARCH": "amd64"}, []),
    "openbsd-amd64": (HELLO, NEWEST, {"GOOS": "openbsd", "GOARCH": "amd64"}, []),
    "solaris-amd64": (HELLO, NEWEST, {"GOOS": "solaris", "GOARCH": "amd64"}, []),
    "static-net": (NETPROG, NEWEST, {}, []),
    "cgo-glibc": (NETPROG, NEWEST, {"CGO_ENABLED": "1"}, []),
    "cgo-musl": (NETPROG, NEWEST, {"CGO_ENABLED": "1", "CC": "musl-gcc"}, []),
    "pie-nocgo": (HELLO, NEWEST, {}, ["-buildmode=pie"]),
    "pie-cgo": (NETPROG, NEWEST, {"CGO_ENABLED": "1"}, ["-buildmode=pie"]),
    "trimpath": (HELLO, NEWEST, {}, ["-trimpath"]),
    "stripped": (HELLO, NEWEST, {}, ["-ldflags=-s -w"]),
    "amd64-v3": (HELLO, NEWEST, {"GOAMD64": "v3"}, []),
    "amd64-v4": (HELLO, NEWEST, {"GOAMD64": "v4"}, []),
    "external-link": (NETPROG, NEWEST, {"CGO_ENABLED": "1"}, ["-ldflags=-linkmode=external"]),
    "go1.22": (HELLO, "1.22.10", {}, []),
    "go1.25": (HELLO, "1.25.5", {}, []),
}


def corpus(name: str) -> Path:
    src, version, env, flags = CORPUS[name]
    return build(src, version, env, flags, name=name.replace(".", "_"))


def toolchain_executables(versions: Sequence[str]) -> list[Path]:
    """Every executable in bin/ and pkg/tool/*/ of the given test toolchains."""
    out: list[Path] = []
    for v in versions:
        root = toolchain(v)
        for d in [root / "bin", *sorted((root / "pkg" / "tool").glob("*"))]:
            out += sorted(p for p in d.iterdir() if p.is_file() and os.access(p, os.X_OK))
    return out


if __name__ == "__main__":  # prefetch: python -m tests.support.gobuild
    for n in CORPUS:
        print(n, corpus(n))
