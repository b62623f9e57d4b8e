"""Which OS an ELF file is for, when no Go build info says so: ABI notes, EI_OSABI, the interpreter path.

The Linux kernel ignores all three (it loads any ELF of its machine), so a FreeBSD, NetBSD, OpenBSD or
Solaris binary looks like a Linux one unless these markers are read. Most specific first: an ABI note
(FreeBSD `.note.tag` NT_FREEBSD_ABI_TAG, `.note.openbsd.ident`, `.note.netbsd.ident`, the GNU ABI tag's OS
field), then EI_OSABI (set by the BSD linkers and Go's), then the interpreter (Solaris binaries keep
EI_OSABI at SYSV, but their loader is /lib/amd64/ld.so.1).
"""

from __future__ import annotations

from gomedic.binfmt.dynamic import Notes

OSABI = {2: "netbsd", 3: "linux", 6: "solaris", 7: "aix", 9: "freebsd", 12: "openbsd"}
OSABI_NAMES = {0: "SYSV", 2: "NetBSD", 3: "GNU/Linux", 6: "Solaris", 7: "AIX", 9: "FreeBSD", 12: "OpenBSD"}
INTERPRETERS = {
    "/libexec/ld-elf.so.1": "freebsd",
    "/libexec/ld-elf32.so.1": "freebsd",
    "/usr/libexec/ld.so": "openbsd",
    "/usr/libexec/ld.elf_so": "netbsd",
    "/lib/ld.so.1": "solaris",
    "/usr/lib/ld.so.1": "solaris",
    "/lib/amd64/ld.so.1": "solaris",
    "/usr/lib/amd64/ld.so.1": "solaris",
    "/lib/64/ld.so.1": "solaris",
    "/usr/lib/64/ld.so.1": "solaris",
    "/lib/sparcv9/ld.so.1": "solaris",
    "/system/bin/linker": "android",
    "/system/bin/linker64": "android",
}


def elf_os(osabi: int, notes: Notes, interpreter: str | None) -> tuple[str, str]:
    """(GOOS-style name, what said so). Linux when nothing says otherwise."""
    if notes.os and notes.os != "linux":
        return notes.os, "its ABI note"
    if osabi in OSABI and OSABI[osabi] != "linux":
        return OSABI[osabi], f"EI_OSABI {osabi} ({OSABI_NAMES[osabi]})"
    if interpreter in INTERPRETERS:
        return INTERPRETERS[interpreter], f"its interpreter {interpreter}"
    if notes.os == "linux":
        return "linux", "its GNU ABI note"
    why = f"EI_OSABI {osabi} ({OSABI_NAMES.get(osabi, 'unknown')})"
    return "linux", why + (f", interpreter {interpreter}" if interpreter else ", static") + ": nothing names another OS"
