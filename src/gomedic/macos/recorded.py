"""Parsers of macOS command outputs (pure): what gomedic.facts.macos runs on a Mac, and what the tests feed
from recordings (tests/data/macos/)."""

from __future__ import annotations

import json
import re
from importlib import resources

from gomedic.binfmt import goversion
from gomedic.values import frozen

# The exact text xcrun prints when the Command Line Tools are missing or were removed.
XCRUN_INVALID = re.compile(r"xcrun: error: invalid active developer path \(([^)]*)\), missing xcrun at: (\S+)")


@frozen
class MacOS:
    version: str  # ProductVersion, e.g. "14.4.1"
    build: str
    machine: str  # uname -m of this process: x86_64 under Rosetta even on Apple Silicon
    arm64_hardware: bool  # sysctl hw.optional.arm64 == 1
    translated: bool  # sysctl.proc_translated == 1: this process runs under Rosetta
    developer_dir: str | None  # xcode-select -p, None when it failed
    clang: str | None  # xcrun --find clang, None when it failed
    xcrun_error: str | None  # the first line of xcrun's error, when it failed


def sw_vers(text: str) -> tuple[str, str]:
    """(ProductVersion, BuildVersion) from `sw_vers` output."""
    fields = dict(re.findall(r"^(\w+):\s*(.*?)\s*$", text, re.M))
    if "ProductVersion" not in fields:
        raise ValueError("sw_vers output has no ProductVersion line")
    return fields["ProductVersion"], fields.get("BuildVersion", "")


def sysctl_flag(text: str) -> bool:
    """`sysctl -n NAME`: "1" is true; "0", empty and `unknown oid` (Intel Macs) are false."""
    return text.strip() == "1"


def xcrun_error(stderr: str) -> str | None:
    for line in stderr.splitlines():
        if line.startswith("xcrun: error:"):
            return line.strip()
    return None


def macos(sw: str, machine: str, arm64: str, translated: str, select: tuple[int, str, str],
          find: tuple[int, str, str]) -> MacOS:
    """MacOS from the raw outputs; select/find are (exit code, stdout, stderr) of `xcode-select -p` and
    `xcrun --find clang`."""
    version, build = sw_vers(sw)
    dev = select[1].strip() if select[0] == 0 and select[1].strip() else None
    clang = find[1].strip() if find[0] == 0 and find[1].strip() else None
    err = xcrun_error(find[2]) if clang is None else None
    return MacOS(version, build, machine.strip(), sysctl_flag(arm64), sysctl_flag(translated), dev, clang, err)


@frozen
class Minimum:
    go: str
    macos: str
    name: str
    source: str


def minimums() -> tuple[Minimum, ...]:
    raw = json.loads(resources.files("gomedic.macos").joinpath("data/go-macos-minimum.json").read_text())
    return tuple(Minimum(r["go"], r["macos"], r["name"], r["source"]) for r in raw["releases"])


def minimum_for(go_version: str) -> Minimum | None:
    """The oldest macOS a Go release runs on (None: older than the table)."""
    lang = goversion.lang(go_version)
    found = None
    for m in minimums():
        if goversion.compare(lang, m.go) >= 0:
            found = m
    return found


def version_tuple(v: str) -> tuple[int, int, int]:
    """"13" -> (13, 0, 0), "10.15.7" -> (10, 15, 7): comparable whatever the number of parts."""
    parts = [int(p) for p in re.findall(r"\d+", v)[:3]] + [0, 0, 0]
    return parts[0], parts[1], parts[2]
