"""vendor/modules.txt parsing and its consistency with go.mod, as cmd/go checks it (pure).

modules.txt lists `# path version [=> new [newversion]]` module lines, `## explicit[; go 1.N]`
annotations and package lines. cmd/go (modload.checkVendorConsistency) refuses to build in vendor mode
when the explicit requirements or the replacements disagree with go.mod; the messages below are its own.
"""

from __future__ import annotations

import os

from gomedic.facts.modfile import ModFile
from gomedic.values import frozen

MAX_MODULES_TXT = 4 << 20


@frozen
class VendoredModule:
    path: str
    version: str
    explicit: bool = False
    replacement: str = ""  # "new" or "new version", "" when not replaced
    line: int = 0


@frozen
class ModulesTxt:
    modules: tuple[VendoredModule, ...]
    replacements: tuple[tuple[str, str, str], ...]  # wildcard replacements: (old path, old version, new)


def parse(text: str) -> ModulesTxt:
    rows: list[tuple[str, str, str, int]] = []  # (path, version, replacement, line)
    explicit: set[int] = set()  # indexes into rows
    wild: list[tuple[str, str, str]] = []
    cur = -1
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# "):
            f = line[2:].split()
            cur = -1
            if "=>" in f:
                i = f.index("=>")
                left, right = f[:i], " ".join(f[i + 1 :])
                if not left:
                    continue
                rows.append((left[0], left[1] if len(left) > 1 else "", right, n))
                if len(left) == 1:
                    wild.append((left[0], "", right))
            elif f:
                rows.append((f[0], f[1] if len(f) > 1 else "", "", n))
            else:
                continue
            cur = len(rows) - 1
        elif cur >= 0 and line.startswith("## ") and any(a.strip() == "explicit" for a in line[3:].split(";")):
            explicit.add(cur)
    mods = tuple(VendoredModule(p, v, i in explicit, r, n) for i, (p, v, r, n) in enumerate(rows))
    return ModulesTxt(mods, tuple(wild))


def _rep_text(new: str, new_version: str) -> str:
    return f"{new} {new_version}".strip()


def inconsistencies(mod: ModFile, txt: ModulesTxt) -> list[str]:
    """cmd/go's `inconsistent vendoring` lines for go >= 1.14 modules (empty when consistent)."""
    errs: list[str] = []
    explicit = {(m.path, m.version) for m in txt.modules if m.explicit}
    required = {(r.path, r.version) for r in mod.requires}
    for r in mod.requires:
        if (r.path, r.version) not in explicit:
            errs.append(f"{r.path}@{r.version}: is explicitly required in go.mod, but not marked as explicit "
                        "in vendor/modules.txt")
    vendored_rep: dict[tuple[str, str], str] = {(m.path, m.version): m.replacement for m in txt.modules}
    vendored_rep.update({(p, v): new for p, v, new in txt.replacements})
    for rep in mod.replaces:
        want = _rep_text(rep.new, rep.new_version)
        keys = [(rep.old, rep.old_version)] if rep.old_version else [k for k in vendored_rep if k[0] == rep.old]
        got = [vendored_rep[k] for k in keys if vendored_rep.get(k)]
        name = f"{rep.old}@{rep.old_version}" if rep.old_version else rep.old
        if not got:
            errs.append(f"{name}: is replaced in go.mod, but not marked as replaced in vendor/modules.txt")
        elif any(g != want for g in got):
            errs.append(f"{name}: is replaced by {want} in go.mod, but marked as replaced by {got[0]} in "
                        "vendor/modules.txt")
    replaced_in_mod = {(r.old, r.old_version) for r in mod.replaces} | {(r.old, "") for r in mod.replaces}
    for m in txt.modules:
        if m.explicit and (m.path, m.version) not in required:
            errs.append(f"{m.path}@{m.version}: is marked as explicit in vendor/modules.txt, but not explicitly "
                        "required in go.mod")
        if m.replacement and (m.path, m.version) not in replaced_in_mod and (m.path, "") not in replaced_in_mod:
            errs.append(f"{m.path}@{m.version}: is marked as replaced in vendor/modules.txt, but not replaced "
                        "in go.mod")
    return list(dict.fromkeys(errs))


@frozen
class VendorState:
    path: str
    used: bool  # whether go builds from vendor/ with these settings
    mode: str  # why (or why not)
    errors: tuple[str, ...]


def _mod_flag(goflags: str) -> str:
    value = ""
    for tok in goflags.split():
        if tok.startswith("-mod=") or tok.startswith("--mod="):
            value = tok.split("=", 1)[1]
    return value


def vendor_state(mod: ModFile, vendor_dir: str, goflags: str) -> VendorState:
    """Read vendor/modules.txt and judge it against go.mod (I/O: one bounded file read)."""
    from gomedic.binfmt import goversion

    path = os.path.join(vendor_dir, "modules.txt")
    flag = _mod_flag(goflags)
    auto = mod.go is not None and goversion.compare_lang(mod.go, "1.14") >= 0
    if flag == "vendor":
        used, mode = True, "GOFLAGS=-mod=vendor"
    elif flag in ("mod", "readonly"):
        used, mode = False, f"GOFLAGS=-mod={flag} ignores vendor/"
    else:
        used, mode = (
            auto,
            "vendor mode: go line >= 1.14" if auto else "go line < 1.14: vendor/ used only with -mod=vendor",
        )
    from gomedic.facts.showable import open_showable

    try:  # as root: never through a link to a file the module's owner cannot read (errors quote lines)
        with os.fdopen(open_showable(path), "rb") as fh:
            text = fh.read(MAX_MODULES_TXT).decode("utf-8", "replace")
    except FileNotFoundError:
        errs = ("vendor/modules.txt does not exist",) if mod.requires else ()
        return VendorState(path, used, mode, errs)
    except OSError as e:
        return VendorState(path, used, mode, (f"cannot read vendor/modules.txt: {e.strerror or e}",))
    if not auto and flag != "vendor":
        return VendorState(path, used, mode, ())
    return VendorState(path, used, mode, tuple(inconsistencies(mod, parse(text))))
