"""Test programs whose build info records vulnerable and fixed module versions, built offline in vendor mode.

The vendored packages are tiny stand-ins written here at the real module paths (golang.org/x/text/language,
golang.org/x/net/http2, ...), with functions named like the vulnerable symbols of the real advisories, so a
symbol is present in the binary's pclntab or absent as a test needs. `go build -mod=vendor` records each
module's path and version from vendor/modules.txt (no download); the binaries themselves are real.
"""

from __future__ import annotations

from pathlib import Path

from tests.support.gobuild import build

TEXT_LANGUAGE = """package language

// Tag is a language tag.
type Tag struct{ s string }

// Parse has the name of the symbol GO-2021-0113 lists (not inlined: the stand-in is too small to survive
// inlining, the real one is not).
//
//go:noinline
func Parse(s string) (Tag, error) { return Tag{s}, nil }

func (t Tag) String() string { return t.s }
"""

NET_HTTPGUTS = """package httpguts

import "strings"

// HeaderValuesContainsToken has the name of the symbol GO-2022-0236 lists.
//
//go:noinline
func HeaderValuesContainsToken(values []string, token string) bool {
	for _, v := range values {
		if strings.Contains(v, token) {
			return true
		}
	}
	return false
}
"""

NET_HTTP2 = """package http2

// Server has the method GO-2022-1144 and GO-2023-2102 list as Server.ServeConn.
type Server struct{ n int }

//go:noinline
func (s *Server) ServeConn(n int) int { s.n += n; return s.n }
"""

MAIN_TEXT = """package main

import (
	"fmt"

	"golang.org/x/text/language"
)

func main() {
	t, err := language.Parse("en-US")
	fmt.Println(t, err)
}
"""

MAIN_NET = """package main

import (
	"fmt"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http2"
)

func main() {
	var s http2.Server
	fmt.Println(httpguts.HeaderValuesContainsToken([]string{"a"}, "a"), s.ServeConn(2))
}
"""

MAIN_PLAIN = """package main

import "fmt"

func main() { fmt.Println("no dependencies") }
"""


def _gomod(requires: dict[str, str], replace: dict[str, str] | None = None) -> str:
    lines = ["module example.com/vulnapp", "", "go 1.21", ""]
    lines += [f"require {m} {v}" for m, v in requires.items()]
    lines += [f"replace {m} => {r}" for m, r in (replace or {}).items()]
    return "\n".join(lines) + "\n"


def _modules_txt(mods: list[tuple[str, str, str | None, list[str]]]) -> str:
    out = []
    for path, version, repl, pkgs in mods:
        out.append(f"# {path} {version}" + (f" => {repl}" if repl else ""))
        out.append("## explicit; go 1.17")
        out += pkgs
    for path, _version, repl, _pkgs in mods:
        if repl:
            out.append(f"# {path} => {repl}")
    return "\n".join(out) + "\n"


def text_app(version: str, go: str = "1.22.10", replace_to: str | None = None, flags: tuple[str, ...] = ()) -> Path:
    """Calls golang.org/x/text/language.Parse; x/text at `version` (optionally => golang.org/x/text replace_to)."""
    repl = f"golang.org/x/text {replace_to}" if replace_to else None
    files = {
        "go.mod": _gomod({"golang.org/x/text": version}, {"golang.org/x/text": repl} if repl else None),
        "vendor/modules.txt": _modules_txt([("golang.org/x/text", version, repl, ["golang.org/x/text/language"])]),
        "vendor/golang.org/x/text/language/language.go": TEXT_LANGUAGE,
    }
    return build(MAIN_TEXT, go, {}, ["-mod=vendor", *flags], name="textapp", files=files)


def net_app(version: str, go: str = "1.27.3", flags: tuple[str, ...] = ()) -> Path:
    """Calls x/net's httpguts.HeaderValuesContainsToken and (*http2.Server).ServeConn; x/net at `version`."""
    pkgs = ["golang.org/x/net/http/httpguts", "golang.org/x/net/http2"]
    files = {
        "go.mod": _gomod({"golang.org/x/net": version}),
        "vendor/modules.txt": _modules_txt([("golang.org/x/net", version, None, pkgs)]),
        "vendor/golang.org/x/net/http/httpguts/guts.go": NET_HTTPGUTS,
        "vendor/golang.org/x/net/http2/server.go": NET_HTTP2,
    }
    return build(MAIN_NET, go, {}, ["-mod=vendor", *flags], name="netapp", files=files)


def plain_app(go: str) -> Path:
    return build(MAIN_PLAIN, go, {}, [], name="plainapp", files={"go.mod": _gomod({})})


def debian_go() -> Path:
    """Debian 12's Go 1.19, unpacked into the test cache (tests/support/debgo.py)."""
    from tests.support.debgo import debian_go119

    return debian_go119()


def build_debian_go(src: str, files: dict[str, str], name: str, flags: tuple[str, ...] = ()) -> Path:
    """Build with Debian's Go 1.19 (old enough for Debian's govulncheck, which reads Go <= 1.20 binaries)."""
    import fcntl
    import os
    import shutil
    import subprocess
    import tempfile

    from tests.support.gobuild import BUILD_TIMEOUT, _key
    from tests.support.toolchains import cache_dir

    goroot = debian_go()
    key = _key(src, "debian-golang-1.19", list(flags), name, files)
    out_dir = cache_dir() / "build" / key
    exe = out_dir / name
    if exe.exists():
        return exe
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.parent / f".lock-{key}", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if exe.exists():
            return exe
        work = Path(tempfile.mkdtemp(prefix="gobuild.", dir=out_dir.parent))
        try:
            (work / "main.go").write_text(src)
            for rel, text in files.items():
                (work / rel).parent.mkdir(parents=True, exist_ok=True)
                (work / rel).write_text(text)
            c = cache_dir()
            env = {"PATH": f"{goroot / 'bin'}:/usr/bin:/bin", "HOME": str(c / "home"), "GOROOT": str(goroot),
                   "GOCACHE": str(c / "gocache" / "debian-1.19"), "GOPATH": str(c / "gopath"),
                   "GOMODCACHE": str(c / "gomodcache"), "GOPROXY": "off", "GOFLAGS": "-mod=vendor",
                   "GOTOOLCHAIN": "local", "GOENV": "off", "CGO_ENABLED": "0"}
            p = subprocess.run([str(goroot / "bin" / "go"), "build", "-o", str(work / name), *flags, "."],
                               cwd=work, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
            if p.returncode != 0:
                raise RuntimeError(f"go build (Debian Go 1.19) failed:\n{p.stderr}")
            out_dir.mkdir(parents=True, exist_ok=True)
            os.replace(work / name, exe)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return exe


def _go119_mod(text: str) -> str:
    return text.replace("go 1.21", "go 1.19")


def text_app_119(version: str) -> Path:
    files = {
        "go.mod": _go119_mod(_gomod({"golang.org/x/text": version})),
        "vendor/modules.txt": _modules_txt([("golang.org/x/text", version, None, ["golang.org/x/text/language"])]),
        "vendor/golang.org/x/text/language/language.go": TEXT_LANGUAGE,
    }
    return build_debian_go(MAIN_TEXT, files, "textapp")


def net_app_119(version: str) -> Path:
    pkgs = ["golang.org/x/net/http/httpguts", "golang.org/x/net/http2"]
    files = {
        "go.mod": _go119_mod(_gomod({"golang.org/x/net": version})),
        "vendor/modules.txt": _modules_txt([("golang.org/x/net", version, None, pkgs)]),
        "vendor/golang.org/x/net/http/httpguts/guts.go": NET_HTTPGUTS,
        "vendor/golang.org/x/net/http2/server.go": NET_HTTP2,
    }
    return build_debian_go(MAIN_NET, files, "netapp")
