"""binary: the code signature a Mach-O needs on Apple Silicon (its architecture, macOS version and dylibs are
binary.arch, binary.kernel and binary.libs). Registered with the rest of the binary area
(gomedic.checks.BUILTIN); helpers from gomedic.checks.binary.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from functools import partial

from gomedic.binfmt.inspect import Inspection
from gomedic.checks.binary import Macho, describe, each, foreign
from gomedic.facts import Facts
from gomedic.facts.binaries import SIGNED_PAGES
from gomedic.finding import Finding, fail, ok, skip
from gomedic.model import Category, Severity
from gomedic.registry import check
from gomedic.targets import Target
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from gomedic.binfmt.codesign import Signature


def mach_o(ins: Inspection, t: Target) -> Macho | Finding:
    """A Mach-O for the target's OS. Skip a binary of another OS; on its own OS an ELF needs no signature
    (Linux requires none)."""
    if (s := foreign(ins, t)) is not None:
        return s
    if ins.macho is None and ins.elf is not None and t.goos == "linux":
        return ok(f"{ins.path} is a Linux ELF: the kernel runs it without a code signature", signature="not required")
    if ins.macho is None:
        return skip(f"{ins.path} is not a Mach-O executable")
    return Macho(ins, ins.macho)


@check("binary.codesign", category=Category.BINARY, severity=Severity.CRITICAL,
       title="An arm64 Mach-O carries a code signature whose page hashes match the file")
def codesign(f: Facts) -> Iterator[Finding]:
    """macOS on Apple Silicon runs arm64 code only when it is signed (golang/go#42684); the Go linker signs
    darwin/arm64 binaries ad hoc (LC_CODE_SIGNATURE). gomedic reads the CodeDirectory and hashes every code
    page as the kernel does when it maps them; it does not validate a Developer ID certificate chain.

    Unsigned, or changed after signing (patched, or a tool that rewrote it without re-signing), the program is
    killed at launch: the shell prints `killed`, the crash report says `SIGKILL (Code Signature Invalid)`.
    amd64 code (Intel Macs, Rosetta 2) needs no signature.

    Fix: rebuild with `go build` (the linker signs it), or sign it ad hoc: `codesign --force -s - PATH`.
    """

    # the page hashes are read only when a Mach-O for this Mac reaches the judge (never on a Linux target)
    return each(f, mach_o, partial(_judge, pages=functools.cache(lambda: f.get(SIGNED_PAGES))))


def _judge(x: Macho, t: Target, *, pages: Callable[[], Mapping[str, Signature | None]]) -> Finding:
    ins, m = x.ins, x.macho
    arches = m.arches or (ins.goarch or "?",)
    runs = t.goarch if t.goarch in arches else ("amd64" if t.goarch == "arm64" and "amd64" in arches else None)
    if runs is None:
        return skip(f"{ins.path} ({', '.join(arches)}) does not run on {describe(t)} at all: binary.arch judges that")
    if runs != "arm64":
        return ok(f"{ins.path} runs as amd64 on {describe(t)}: macOS requires no signature for amd64 code",
                  signature="present" if m.signature else "none")
    fix = f"rebuild it with `go build` (the Go linker signs darwin/arm64), or sign it: codesign --force -s - {ins.path}"
    sig = m.signature
    if sig is not None and sig.error is None:
        sig = pages().get(ins.path, sig)
    if sig is None:
        return fail(f"{ins.path} is arm64 with no code signature (no LC_CODE_SIGNATURE): macOS on Apple Silicon "
                    "kills it at launch (`killed`; crash report: `Code Signature Invalid`)", fix=fix, signature="none")
    if sig.error is not None:
        return fail(f"{ins.path}: its code signature cannot be read ({sig.error}): macOS kills it at launch",
                    fix=fix, signature="unreadable", error=sig.error)
    ev = {"signature": sig.describe(), "pages": str(sig.pages)}
    if sig.bad_page is not None:
        return fail(f"{ins.path} was changed after it was signed: code page {sig.bad_page} no longer matches its "
                    f"{sig.hash_type} hash: macOS kills it when it maps that page (`SIGKILL (Code Signature "
                    "Invalid)`)", fix=fix, bad_page=str(sig.bad_page), **ev)
    return ok(f"{ins.path} (arm64) is signed ({sig.describe()}); all {sig.pages} code page hashes match", **ev)
