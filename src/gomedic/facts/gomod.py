"""The module or workspace the current directory is in: go.mod and go.work found as cmd/go finds them."""

from __future__ import annotations

import os

from gomedic.facts import Facts, fact
from gomedic.typenames import TYPE_CHECKING
from gomedic.values import frozen

if TYPE_CHECKING:  # the parser loads only when there is a go.mod or go.work to read
    from typing import Literal

    from gomedic.facts.modfile import ModFile

    WorkHow = Literal["GOWORK", "found", "GOWORK=off", ""]

MAX_MODFILE = 8 << 20


@frozen
class ModuleContext:
    gomod: str | None = None
    mod: ModFile | None = None
    gowork: str | None = None
    work: ModFile | None = None
    gowork_how: WorkHow = ""  # "" without a go.work
    read_errors: tuple[str, ...] = ()
    # go.mod/go.work root must not show (showable): go's own errors would quote them, so go is not run here
    hidden: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "go.work" if self.work is not None else "go.mod"

    @property
    def file(self) -> str | None:
        """The file whose go/toolchain lines govern the toolchain: go.work in workspace mode, else go.mod."""
        return self.gowork if self.work is not None else self.gomod

    @property
    def governing(self) -> ModFile | None:
        return self.work if self.work is not None else self.mod

    @property
    def go_line(self) -> str | None:
        m = self.governing
        return m.go if m else None

    @property
    def toolchain_line(self) -> str | None:
        m = self.governing
        return m.toolchain if m else None

    @property
    def module_dir(self) -> str | None:
        return os.path.dirname(self.gomod) if self.gomod else None


def find_up(start: str, name: str) -> str | None:
    d = os.path.realpath(start)
    while True:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            return p
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def read_modfile(path: str) -> tuple[ModFile | None, str | None, bool]:
    """The parsed file, or the reason it is not. As root, a file that the user controlling its name could
    not read is not parsed at all (its lines would show up in errors and summaries: see showable)."""
    from gomedic.facts.modfile import parse
    from gomedic.facts.showable import open_showable
    from gomedic.safefs import UnsafePath

    try:
        fd = open_showable(path)
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(MAX_MODFILE + 1)
    except UnsafePath as e:
        return None, f"cannot read {path}: {e}", True
    except OSError as e:
        return None, f"cannot read {path}: {e.strerror or e}", False
    if len(data) > MAX_MODFILE:
        return None, f"{path} is larger than {MAX_MODFILE >> 20} MiB", False
    return parse(data.decode("utf-8", "replace")), None, False


@fact("go.module")
def GO_MODULE(f: Facts) -> ModuleContext:
    from gomedic.facts.go import GO_CONFIG

    cfg = f.get(GO_CONFIG)
    if cfg.value("GO111MODULE") == "off":
        return ModuleContext()
    errors: list[str] = []
    hidden: list[str] = []
    gomod = find_up(f.cwd, "go.mod")
    mod = None
    if gomod:
        mod, err, unshown = read_modfile(gomod)
        errors += [err] if err else []
        hidden += [gomod] if unshown else []
    gowork_env = f.env.get("GOWORK", "")
    gowork: str | None = None
    how: WorkHow = ""
    if gowork_env == "off":
        how = "GOWORK=off"
    elif gowork_env:
        gowork, how = os.path.abspath(os.path.join(f.cwd, gowork_env)), "GOWORK"
    else:
        gowork = find_up(f.cwd, "go.work")
        how = "found" if gowork else ""
    work = None
    if gowork:
        work, err, unshown = read_modfile(gowork)
        errors += [err] if err else []
        hidden += [gowork] if unshown else []
    return ModuleContext(gomod, mod, gowork, work, how, tuple(errors), tuple(hidden))
