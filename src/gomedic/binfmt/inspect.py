"""Everything the binary checks need from one file, read once: format, arch, build info, loader facts.

`inspect(path)` never raises for a bad file: an unreadable or foreign file gives an Inspection with
`error` set, so one corrupt binary in a directory yields a clear result, not a crash.
"""

from __future__ import annotations

import os
import struct

from gomedic.binfmt import buildinfo, dynamic, elf, elfos, goruntime, macho, pe
from gomedic.binfmt.dynamic import Dynamic, Hardening, Notes
from gomedic.binfmt.exe import Exe, Format, open_exe
from gomedic.binfmt.goruntime import GoRuntime
from gomedic.binfmt.source import FileSource, Source
from gomedic.errors import FormatError
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:
    from gomedic.binfmt.codesign import Signature


@frozen
class ElfFacts:
    machine: int
    bits: int
    big_endian: bool
    osabi: int
    type: int
    dynamic: Dynamic
    notes: Notes
    hardening: Hardening
    os: str = "linux"  # from the ABI notes, EI_OSABI and the interpreter (elfos.elf_os)
    os_evidence: str = ""


@frozen
class MachoFacts:
    cputype: int
    uuid: str | None
    minos: str | None
    arches: tuple[str, ...]
    pie: bool
    dylibs: tuple[str, ...]
    sdk: str | None = None
    has_arm64: bool = False  # the file is, or holds, an arm64 slice
    signature: Signature | None = None  # of the arm64 slice (None: unsigned, or no arm64 slice)


@frozen
class PeFacts:
    machine: int
    os_version: str
    subsystem_version: str
    subsystem: int
    dll_characteristics: int


@frozen
class Inspection:
    path: str
    size: int = 0
    format: Format | None = None
    goarch: str | None = None  # from the container header
    bits: int = 0
    buildinfo: buildinfo.BuildInfo | None = None
    error: str | None = None  # why the file could not be read as an executable
    go_error: str | None = None  # why no build info was found (a non-Go executable)
    elf: ElfFacts | None = None
    macho: MachoFacts | None = None
    pe: PeFacts | None = None
    go_runtime: GoRuntime | None = None  # a Go program without build info (esbuild 0.28): its runtime's traces

    @property
    def is_go(self) -> bool:
        """A Go program: build info, or (without it) the Go runtime's pclntab, build ID note or version."""
        return self.buildinfo is not None or self.go_runtime is not None

    @property
    def goos(self) -> str | None:
        """GOOS from the build info, else what the ELF's notes/OSABI/interpreter say, else the format's OS."""
        if self.buildinfo is not None and self.buildinfo.setting("GOOS"):
            return self.buildinfo.setting("GOOS")
        if self.format is None:
            return None
        if self.elf is not None:
            return self.elf.os
        return {Format.ELF: "linux", Format.MACHO: "darwin", Format.PE: "windows"}[self.format]

    @property
    def go_version(self) -> str | None:
        """The Go release: from the build info, else runtime.buildVersion found in the data."""
        if self.buildinfo is not None:
            return self.buildinfo.go_version
        return self.go_runtime.version if self.go_runtime is not None else None

    def setting(self, key: str, default: str = "") -> str:
        return self.buildinfo.setting(key, default) if self.buildinfo is not None else default


# The ELF sections an inspection reads (by name): build info, hardening's `.symtab`, the Go runtime's traces
# (goruntime._elf) and scan._looks_go. Building the other section records is most of an ELF parse.
SECTIONS = frozenset({".go.buildinfo", ".symtab", ".gopclntab", ".data.rel.ro.gopclntab", ".note.go.buildid",
                      ".rodata", ".noptrdata", ".data", ".data.rel.ro"})


def _elf_facts(f: elf.ElfFile) -> ElfFacts:
    dyn = dynamic.parse(f)
    notes = dynamic.notes(f)
    os_, why = elfos.elf_os(f.osabi, notes, dyn.interpreter)
    return ElfFacts(f.machine, f.bits, f.big_endian, f.osabi, f.type, dyn, notes, dynamic.hardening(f, dyn), os_, why)


def arm64_slice(f: macho.MachoFile) -> macho.MachoFile | None:
    """The slice macOS on Apple Silicon runs natively (and refuses unsigned)."""
    return f if f.goarch == "arm64" else (macho.slice_for(f.src, "arm64") if "arm64" in f.arches else None)


def _macho_facts(f: macho.MachoFile) -> MachoFacts:
    """The header's facts, and the structure of the arm64 slice's code signature (its page hashes are
    compared by the binary.codesign-pages fact, when a macOS target asks)."""
    from gomedic.binfmt import codesign  # hashlib: only when a Mach-O shows up

    arm = arm64_slice(f)
    sig = codesign.read(arm, verify=False) if arm is not None else None
    return MachoFacts(f.cputype, f.uuid, f.minos, f.arches, f.pie, f.dylibs, f.sdk, arm is not None, sig)


def inspect_exe(path: str, x: Exe, size: int, raw: tuple[str, str] | FormatError | None = None) -> Inspection:
    """`raw`: what buildinfo.raw_exe(x) gave (or raised) when the caller already asked."""
    bi: buildinfo.BuildInfo | None = None
    go_error = None
    try:
        if isinstance(raw, FormatError):
            raise raw
        vers, mod = buildinfo.raw_exe(x) if raw is None else raw
        bi = buildinfo.parse_modinfo(vers, mod)
    except FormatError as e:
        go_error = str(e)
    ef = mf = pf = None
    f = x.file
    if isinstance(f, elf.ElfFile):
        ef = _elf_facts(f)
    elif isinstance(f, macho.MachoFile):
        mf = _macho_facts(f)
    elif isinstance(f, pe.PeFile):
        pf = PeFacts(f.machine, f.os_version, f.subsystem_version, f.subsystem, f.dll_characteristics)
    rt = goruntime.detect(x, ef.notes.go_buildid if ef else False) if bi is None else None
    return Inspection(path, size, x.format, x.goarch, x.bits, bi, None, go_error, ef, mf, pf, rt)


def inspect_source(src: Source, path: str | None = None) -> Inspection:
    """Inspect an open source; a malformed file gives an Inspection with `error`, never an exception."""
    p = path or src.name
    try:
        return inspect_exe(p, open_exe(src, sections=SECTIONS), src.size)
    except FormatError as e:
        return Inspection(p, error=str(e))
    except (ValueError, OverflowError, MemoryError, RecursionError, struct.error) as e:  # hostile input
        return Inspection(p, error=f"{p}: malformed executable ({type(e).__name__}: {e})")


def inspect(path: str | os.PathLike[str]) -> Inspection:
    p = os.fspath(path)
    try:
        with FileSource(p) as src:
            return inspect_source(src, p)
    except FormatError as e:
        return Inspection(p, error=str(e))
