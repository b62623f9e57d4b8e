"""Real Go programs that die the ways `gomedic why` recognises, built once (tests.support.gobuild) and run
here to capture their real stderr and exit status.

    c = run_crasher("nilmap")        # Crash(lines=[...stderr lines...], status=2, pid=...)
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.support.gobuild import build
from tests.support.toolchains import cache_dir, toolchain

NILMAP = """package main

var m map[string]int

func store(k string) { m[k] = 1 }

func main() { store("a") }
"""

DEADLOCK = """package main

func main() {
	ch := make(chan int)
	<-ch
}
"""

CONCURRENT = """package main

import "strconv"

func main() {
	m := map[string]int{}
	for g := 0; g < 8; g++ {
		go func(g int) {
			for i := 0; ; i++ {
				m[strconv.Itoa(g*1000000+i%1000)] = i
			}
		}(g)
	}
	select {}
}
"""

# Keeps every block: with RLIMIT_AS below what it asks for, the runtime's mmap fails.
HOG = """package main

import "fmt"

var keep [][]byte

func main() {
	for i := 0; ; i++ {
		b := make([]byte, 64<<20)
		for j := 0; j < len(b); j += 4096 {
			b[j] = 1
		}
		keep = append(keep, b)
		if i%8 == 0 {
			fmt.Println("allocated", (i+1)*64, "MiB")
		}
	}
}
"""

LISTEN = """package main

import (
	"log"
	"net"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	defer ln.Close()
}
"""

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n'

CGO_LIB = "int why_answer(void) { return 42; }\n"
CGO_MAIN = """package main

// #cgo LDFLAGS: -L${SRCDIR} -lwhy -Wl,-rpath,$ORIGIN
// int why_answer(void);
import "C"

import "fmt"

func main() { fmt.Println("answer", C.why_answer()) }
"""

ENV = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LC_ALL": "C"}


class Crash:
    def __init__(self, argv: Sequence[str], lines: list[str], status: int, pid: int) -> None:
        self.argv = list(argv)
        self.lines = lines
        self.status = status  # exit status, or -N when killed by signal N
        self.pid = pid

    def __repr__(self) -> str:
        return f"Crash({self.argv[0]}, status={self.status}, {len(self.lines)} lines)"


def run(argv: Sequence[str], env: Mapping[str, str] | None = None, timeout: float = 60) -> Crash:
    """Run a program to its end; its stdout and stderr lines in order (as journald would store them)."""
    p = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**ENV, **(env or {})},
                         start_new_session=True)
    try:
        out, _ = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    return Crash(argv, out.decode("utf-8", "replace").splitlines(), p.returncode, p.pid)


def program(name: str) -> Path:
    src = {"nilmap": NILMAP, "deadlock": DEADLOCK, "concurrent": CONCURRENT, "hog": HOG, "listen": LISTEN,
           "hello": HELLO}[name]
    return build(src, name="app")


def cgo_program() -> Path:
    """A cgo binary linked against libwhy.so, which it finds next to itself ($ORIGIN rpath)."""
    libdir = cache_dir() / "why-cgo-lib"
    lib = libdir / "libwhy.so"
    if not lib.exists():
        libdir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=libdir))
        (tmp / "why.c").write_text(CGO_LIB)
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(tmp / "libwhy.so"), str(tmp / "why.c")], check=True,
                       timeout=120)
        os.replace(tmp / "libwhy.so", lib)
        shutil.rmtree(tmp, ignore_errors=True)
    src = CGO_MAIN.replace("${SRCDIR}", str(libdir))
    return build(src, env={"CGO_ENABLED": "1"}, name="app")


def cpu_refusal_text(level: str = "v4") -> str:
    """The refusal the runtime prints on a CPU below GOAMD64=level, from the toolchain's asm_amd64.s."""
    asm = (toolchain("1.27.3") / "src" / "runtime" / "asm_amd64.s").read_text()
    for line in asm.splitlines():
        if "bad_cpu_msg" in line and f"with {level} microarchitecture" in line:
            return line.split('$"', 1)[1].split("\\n", 1)[0]
    raise RuntimeError(f"no {level} refusal in {asm}")


def busy_port() -> tuple[socket.socket, str]:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, f"127.0.0.1:{s.getsockname()[1]}"


def cpu_levels() -> int:
    """The x86-64 level of this CPU (from /proc/cpuinfo flags; 0 when not amd64)."""
    flags: set[str] = set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    except OSError:
        return 0
    v2 = {"cx16", "lahf_lm", "popcnt", "sse4_1", "sse4_2", "ssse3"}
    v3 = {"avx", "avx2", "bmi1", "bmi2", "f16c", "fma", "movbe", "xsave"}
    v4 = {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"}
    level = 1
    for n, need in ((2, v2), (3, v3), (4, v4)):
        if need <= flags:
            level = n
        else:
            break
    return level


SLEEPER = """package main

import (
	"fmt"
	"os"
	"time"
)

func main() {
	fmt.Println("ready")
	os.Stdout.Sync()
	time.Sleep(time.Hour)
}
"""

NOTIFIER = """package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if s := os.Getenv("NOTIFY_SOCKET"); s != "" {
		c, err := net.Dial("unixgram", s)
		if err == nil {
			c.Write([]byte("READY=1"))
		}
	}
	fmt.Println("serving")
}
"""


def signalled(sig: int) -> Crash:
    """A Go program that is running (it printed `ready`) and then gets `sig`: its real output and status."""
    exe = build(SLEEPER, name="app")
    p = subprocess.Popen([str(exe)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=ENV, start_new_session=True)
    assert p.stdout is not None
    first = p.stdout.readline()
    os.kill(p.pid, sig)
    try:
        rest, _ = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        rest, _ = p.communicate()
    text = (first + rest).decode("utf-8", "replace")
    return Crash([str(exe)], text.splitlines(), p.returncode, p.pid)
