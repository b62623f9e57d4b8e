"""Which C toolchain a path on a Mac belongs to (Apple clang from Xcode or the Command Line Tools, Homebrew LLVM,
Homebrew GCC), and the directories cgo flags point at (pure: strings in, strings out). macos.cc-mix uses it to
find a compiler mixed with another toolchain's headers or libraries."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

APPLE, LLVM, GCC = "Apple clang", "Homebrew LLVM", "Homebrew GCC"

_APPLE_DIR = re.compile(r"^(/Applications/Xcode[^/]*\.app/|/Library/Developer/CommandLineTools/)")
_BREW = r"^(/opt/homebrew|/usr/local|/home/linuxbrew/\.linuxbrew)/(opt|Cellar)/"
_LLVM_DIR = re.compile(_BREW + r"llvm(@\d+)?/")
_GCC_DIR = re.compile(_BREW + r"gcc(@\d+)?/")
_GCC_NAME = re.compile(r"^(gcc|g\+\+|c\+\+|cpp)-\d+$")  # Homebrew links gcc-14, g++-14 into its bin
# /usr/bin/clang, cc, gcc, ... on macOS are Apple's shims: they run the active developer dir's clang (xcrun).
APPLE_SHIMS = ("clang", "clang++", "cc", "c++", "gcc", "g++")
# Flags naming a directory of headers, libraries or frameworks. The sysroot flags are left out: Homebrew
# LLVM is meant to be given Apple's SDK as its sysroot.
_DIR_FLAGS = ("-I", "-L", "-F", "-isystem", "-idirafter", "-iquote", "-iframework")


def kind_of(path: str) -> str | None:
    """The toolchain a compiler (or a directory in a flag) belongs to; None when it is none of the three."""
    if _LLVM_DIR.match(path):
        return LLVM
    if _GCC_DIR.match(path) or _GCC_NAME.match(os.path.basename(path)):
        return GCC
    if _APPLE_DIR.match(path) or (path.startswith("/usr/bin/") and os.path.basename(path) in APPLE_SHIMS):
        return APPLE
    return None


def flag_dirs(flags: Sequence[str]) -> list[tuple[str, str]]:
    """(flag, directory) for each header/library/framework directory in split cgo flags (`-I/x`, `-I /x`,
    `-Wl,-L,/x`)."""
    out: list[tuple[str, str]] = []
    args: list[str] = []
    for a in flags:  # -Wl,-L,/x and -Xlinker -L/x hand the linker the same directories
        args.extend(a.split(",")[1:] if a.startswith("-Wl,") else [a])
    for i, a in enumerate(args):
        for name in _DIR_FLAGS:
            if a == name and i + 1 < len(args):
                out.append((name, args[i + 1]))
            elif a.startswith(name) and len(a) > len(name) and a[len(name)] in "/=":
                out.append((name, a[len(name):].lstrip("=")))
    return out
