"""The binaries `gomedic binary` looks at: each file of Subject.binaries inspected (read, never run),
or the inspections a caller already made (Subject.inspections)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from gomedic.binfmt.inspect import Inspection, inspect
from gomedic.facts import Facts, fact
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from gomedic.binfmt.codesign import Signature


@fact("binary.binaries")
def BINARIES(f: Facts) -> tuple[Inspection, ...]:
    given = f.options.subject.inspections
    if given:
        return tuple(given)
    paths = f.options.subject.binaries
    if not paths:
        from gomedic.errors import FactUnavailable

        raise FactUnavailable("no binary given (run `gomedic binary PATH...`)")
    return tuple(inspect(p) for p in paths)


@fact("binary.codesign-pages")
def SIGNED_PAGES(f: Facts) -> Mapping[str, Signature | None]:
    """The arm64 code signature of each Mach-O binary with every code page hashed, as the kernel checks them
    when it maps them (the whole slice is read: only binary.codesign on a macOS target asks for it)."""
    from gomedic.binfmt import codesign, macho
    from gomedic.binfmt.inspect import arm64_slice
    from gomedic.binfmt.source import FileSource
    from gomedic.errors import FormatError

    out: dict[str, Signature | None] = {}
    for ins in f.get(BINARIES):
        if ins.macho is None or ins.macho.signature is None:
            continue
        try:
            with FileSource(ins.path) as src:
                arm = arm64_slice(macho.parse(src))
                out[ins.path] = codesign.read(arm) if arm is not None else None
        except (OSError, FormatError) as e:
            out[ins.path] = codesign.Signature("", "", False, False, 0, None, f"cannot read it again: {e}")
    return MappingProxyType(out)


# what binary.runtime-files asks of a binary's function names: which runtime files it may read
RUNTIME_PREFIXES = ("crypto/x509.", "time/tzdata.", "time.LoadLocation", "os/user.")


@fact("binary.runtime-uses")
def RUNTIME_USES(f: Facts) -> Mapping[str, Mapping[str, bool] | None]:
    """For each Linux Go binary, which of RUNTIME_PREFIXES its pclntab names (None when it cannot be read)."""
    from gomedic.binfmt import gosyms
    from gomedic.binfmt.exe import Format

    out: dict[str, Mapping[str, bool] | None] = {}
    for ins in f.get(BINARIES):
        if ins.is_go and ins.format is Format.ELF and ins.path not in out:
            out[ins.path] = gosyms.uses(ins.path, RUNTIME_PREFIXES)
    return MappingProxyType(out)
