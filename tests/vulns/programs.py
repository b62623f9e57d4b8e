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
    """Build with Debian's Go 1.19 (old enough for Debian's govulncheck, which reads Go <= 1.20 binaries):
    gobuild's cached build with the apt `golang-1.19-go` toolchain, from the vendored modules."""
    from tests.support.gobuild import build
    from tests.support.toolchains import DEBIAN

    return build(src, DEBIAN, {"GOFLAGS": "-mod=vendor"}, list(flags), name, files)


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
