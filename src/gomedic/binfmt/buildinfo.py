"""Go build info, as `debug/buildinfo` and `go version -m` read it.

Format-aware (ELF, Mach-O thin and fat, PE): the `.go.buildinfo` / `__go_buildinfo` section or the first
read-write data section, searched at 16-byte alignment, chunk by chunk, with no 64 KiB cap. Both header
formats: inline uvarint strings (Go >= 1.18) and the older pointer format, dereferenced through segments.
`format_m` prints what `go version -m` prints; `go_json` what `go version -m -json` prints.
"""

from __future__ import annotations

import os
import struct

from gomedic.binfmt import goquote
from gomedic.binfmt.exe import Exe, open_exe
from gomedic.binfmt.source import FileSource, Source
from gomedic.errors import FormatError
from gomedic.values import field, frozen

MAGIC = b"\xff Go buildinf:"
ALIGN = 16
HEADER_SIZE = 32
CHUNK = 1 << 20
MAX_STRING = 16 << 20


class NotGoError(FormatError):
    """The file is an executable, but not a Go one (no build info)."""


@frozen
class Module:
    path: str
    version: str
    sum: str = ""
    replace: Module | None = None


@frozen
class BuildInfo:
    go_version: str
    modinfo: str = ""
    path: str = ""
    main: Module | None = None
    deps: tuple[Module, ...] = ()
    settings: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def setting(self, key: str, default: str = "") -> str:
        for k, v in self.settings:
            if k == key:
                return v
        return default


def _uvarint(b: bytes, pos: int) -> tuple[int, int]:
    x = shift = 0
    for i in range(pos, min(len(b), pos + 10)):
        c = b[i]
        x |= (c & 0x7F) << shift
        if c < 0x80:
            return x, i + 1
        shift += 7
    raise NotGoError("not a Go executable")


def _search(r: Exe, start: int, size: int) -> int:
    end = start + size
    start = (start + ALIGN - 1) & ~(ALIGN - 1)
    while start < end:
        chunk = r.read(start, min(CHUNK, end - start))
        if not chunk:
            break
        i = chunk.find(MAGIC)
        while i >= 0:
            if i % ALIGN == 0:
                if end - (start + i) < HEADER_SIZE:
                    raise NotGoError("not a Go executable")
                return start + i
            i = chunk.find(MAGIC, i + 1)
        # Chunks are 16-aligned and the magic (14 bytes) sits at 16-aligned offsets: it cannot straddle.
        start += len(chunk)
    raise NotGoError("not a Go executable")


def _inline_string(r: Exe, addr: int) -> tuple[bytes, int]:
    head = r.read(addr, 10)
    n, used = _uvarint(head, 0)
    if n > MAX_STRING:
        raise NotGoError("not a Go executable")
    data = r.read(addr + used, n) if n else b""
    if len(data) != n:
        raise NotGoError("not a Go executable")
    return data, addr + used + n


def _pointer_string(r: Exe, ptr_size: int, end: str, ptr: int) -> bytes:
    fmt = end + ("I" if ptr_size == 4 else "Q")
    try:
        hdr = r.read(ptr, 2 * ptr_size)
        if len(hdr) < 2 * ptr_size:
            return b""
        data_ptr = struct.unpack_from(fmt, hdr, 0)[0]
        length = struct.unpack_from(fmt, hdr, ptr_size)[0]
        if length > MAX_STRING:
            return b""
        data = r.read(data_ptr, length) if length else b""
    except FormatError:
        return b""
    return data if len(data) == length else b""


def _text(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


def raw_exe(r: Exe) -> tuple[str, str]:
    """(version, modinfo) of an opened executable, sentinels stripped, as debug/buildinfo returns them."""
    start, size = r.data_start()
    if size == 0:
        raise NotGoError("not a Go executable")
    try:
        addr = _search(r, start, size)
        header = r.read(addr, HEADER_SIZE)
        if len(header) < HEADER_SIZE:
            raise NotGoError("not a Go executable")
        flags = header[15]
        if flags & 2:
            vb, nxt = _inline_string(r, addr + HEADER_SIZE)
            mb, _ = _inline_string(r, nxt)
        else:
            ptr_size = header[14]
            if ptr_size not in (4, 8):
                raise NotGoError("not a Go executable")
            end = ">" if flags & 1 else "<"
            fmt = end + ("I" if ptr_size == 4 else "Q")
            vb = _pointer_string(r, ptr_size, end, struct.unpack_from(fmt, header, 16)[0])
            mb = _pointer_string(r, ptr_size, end, struct.unpack_from(fmt, header, 16 + ptr_size)[0])
    except NotGoError:
        raise
    except FormatError:
        raise NotGoError("not a Go executable") from None
    if not vb:
        raise NotGoError("not a Go executable")
    mb = mb[16:-16] if len(mb) >= 33 and mb[-17:-16] == b"\n" else b""
    return _text(vb), _text(mb)


def raw(src: Source) -> tuple[str, str]:
    """(version, modinfo) with the modinfo sentinels stripped, as debug/buildinfo returns them."""
    return raw_exe(open_exe(src, buildinfo_only=True))


class BadModinfo(NotGoError):
    """Build info found, but its text does not parse (debug.ParseBuildInfo's error)."""


# The characters that make debug.BuildInfo quote a build setting's key or value (a set test: a scan checks
# thousands of settings, and a regex call costs several times as much on such short strings).
_KEY_QUOTE = frozenset('= \t\r\n"`')
_VALUE_QUOTE = frozenset(' \t\r\n"`')


def _quote_key(k: str) -> bool:
    return k == "" or not _KEY_QUOTE.isdisjoint(k)


def _quote_value(v: str) -> bool:
    return not _VALUE_QUOTE.isdisjoint(v)


def _module_line(cols: list[str]) -> Module:
    if len(cols) not in (2, 3):
        raise ValueError(f"expected 2 or 3 columns; got {len(cols)}")
    return Module(cols[0], cols[1], cols[2] if len(cols) == 3 else "")


def _setting(kv: str) -> tuple[str, str]:
    if not kv:
        raise ValueError("build line missing '='")
    if kv[0] == "=":
        raise ValueError("build line with missing key")
    if kv[0] in "`\"":
        raw_key = goquote.quoted_prefix(kv)
        if raw_key is None:
            raise ValueError("invalid quoted key in build line")
        if len(kv) == len(raw_key):
            raise ValueError("build line missing '=' after quoted key")
        if kv[len(raw_key)] != "=":
            raise ValueError(f"unexpected character after quoted key: {kv[len(raw_key)]!r}")
        key = goquote.unquote(raw_key) or ""
        raw_value = kv[len(raw_key) + 1 :]
    else:
        key, sep, raw_value = kv.partition("=")
        if not sep:
            raise ValueError("build line missing '=' after key")
        if _quote_key(key):
            raise ValueError(f"unquoted key {key!r} must be quoted")
    value = ""
    if raw_value:
        if raw_value[0] in "`\"":
            v = goquote.unquote(raw_value)
            if v is None:
                raise ValueError("invalid quoted value in build line")
            value = v
        else:
            value = raw_value
            if _quote_value(value):
                raise ValueError(f"unquoted value {value!r} must be quoted")
    return key, value


def parse_modinfo(vers: str, mod: str) -> BuildInfo:
    """debug.ParseBuildInfo, error for error: unknown lines are skipped, a last line without `\\n` is
    ignored, malformed mod/dep/=>/build lines raise BadModinfo."""
    path = ""
    main: Module | None = None
    deps: list[Module] = []
    settings: list[tuple[str, str]] = []
    last: str | None = None  # "main" or "dep"
    lines = mod.split("\n")[:-1]
    for n, line in enumerate(lines, 1):
        try:
            if line.startswith("path\t"):
                path = line[5:]
            elif line.startswith("mod\t"):
                main, last = _module_line(line[4:].split("\t")), "main"
            elif line.startswith("dep\t"):
                deps.append(_module_line(line[4:].split("\t")))
                last = "dep"
            elif line.startswith("=>\t"):
                cols = line[3:].split("\t")
                if len(cols) != 3:
                    raise ValueError(f"expected 3 columns for replacement; got {len(cols)}")
                if last is None:
                    raise ValueError("replacement with no module on previous line")
                rep = Module(cols[0], cols[1], cols[2])
                if last == "main" and main is not None:
                    main = Module(main.path, main.version, main.sum, rep)
                else:
                    d = deps[-1]
                    deps[-1] = Module(d.path, d.version, d.sum, rep)
                last = None
            elif line.startswith("build\t"):
                settings.append(_setting(line[6:]))
        except ValueError as e:
            raise BadModinfo(f"could not parse Go build info: line {n}: {e}") from None
    return BuildInfo(vers, mod, path, main, tuple(deps), tuple(settings))


def modinfo_string(bi: BuildInfo, with_version: bool = True) -> str:
    """debug.BuildInfo.String()."""
    out: list[str] = []
    if with_version and bi.go_version:
        out.append(f"go\t{bi.go_version}\n")
    if bi.path:
        out.append(f"path\t{bi.path}\n")

    def fmt_mod(word: str, m: Module) -> None:
        out.append(f"{word}\t{m.path}\t{m.version}")
        if m.replace is None:
            out.append(f"\t{m.sum}")
        else:
            out.append("\n")
            fmt_mod("=>", m.replace)
        out.append("\n")

    if bi.main is not None and bi.main != Module("", ""):
        fmt_mod("mod", bi.main)
    for d in bi.deps:
        fmt_mod("dep", d)
    for k, v in bi.settings:
        k = goquote.quote(k) if _quote_key(k) else k
        v = goquote.quote(v) if _quote_value(v) else v
        out.append(f"build\t{k}={v}\n")
    return "".join(out)


def format_m(name: str, bi: BuildInfo) -> str:
    """Exactly what `go version -m NAME` prints for this build info."""
    mod = modinfo_string(bi, with_version=False)
    text = f"{name}: {bi.go_version}\n"
    if mod:
        text += "\t" + mod[:-1].replace("\n", "\n\t") + "\n"
    return text


def _mod_json(m: Module) -> dict[str, object]:
    d: dict[str, object] = {}
    for k, v in (("Path", m.path), ("Version", m.version), ("Sum", m.sum)):
        if v:
            d[k] = v
    if m.replace is not None:
        d["Replace"] = _mod_json(m.replace)
    return d


def as_json(bi: BuildInfo) -> dict[str, object]:
    """The build info as Go's encoding/json marshals debug.BuildInfo."""
    d: dict[str, object] = {}
    if bi.go_version:
        d["GoVersion"] = bi.go_version
    if bi.path:
        d["Path"] = bi.path
    d["Main"] = _mod_json(bi.main) if bi.main is not None else {}
    if bi.deps:
        d["Deps"] = [_mod_json(m) for m in bi.deps]
    if bi.settings:
        d["Settings"] = [{n: x for n, x in (("Key", k), ("Value", v)) if x} for k, v in bi.settings]
    return d


def go_json(bi: BuildInfo) -> str:
    """What `go version -m -json` prints for one file (MarshalIndent with a tab, HTML-safe escapes)."""
    import json  # here, not at top: `go version -m` text output never needs it

    text = json.dumps(as_json(bi), indent="\t", ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return text.encode("utf-8", "replace").decode("utf-8") + "\n"


def read(src: Source) -> BuildInfo:
    vers, mod = raw(src)
    return parse_modinfo(vers, mod)


def read_file(path: str | os.PathLike[str]) -> BuildInfo:
    with FileSource(path) as src:
        return read(src)


def go_version_of(path: str | os.PathLike[str]) -> str | None:
    """The Go release a binary was built with, or None when it is not a readable Go executable."""
    try:
        with FileSource(path) as src:
            return raw(src)[0]
    except FormatError:
        return None
