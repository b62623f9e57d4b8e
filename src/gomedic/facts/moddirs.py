"""Directories the modules checks look at: the main module's vendor/ (and its state against go.mod), and
the directories of `file:` entries in GOPROXY. Probed through `f.reader`."""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from types import MappingProxyType

from gomedic.facts import Facts, fact
from gomedic.facts.door import Reader
from gomedic.facts.go import GO_CONFIG
from gomedic.facts.gomod import GO_MODULE
from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from gomedic.facts.modvendor import VendorState

ROOT = "/"  # the reader's root: this machine


def is_dir(reader: Reader, path: str) -> bool:
    try:
        return stat.S_ISDIR(reader.stat(ROOT, path).st_mode)
    except (OSError, ValueError):
        return False


def vendor_dir(f: Facts) -> str | None:
    """The main module's vendor/ directory when it has one."""
    mod = f.get(GO_MODULE)
    if mod.mod is None or mod.module_dir is None:
        return None
    d = os.path.join(mod.module_dir, "vendor")
    return d if is_dir(f.reader, os.path.join(str(f.cwd), d)) else None


@fact("modules.vendor-dir")
def VENDOR_DIR(f: Facts) -> str | None:
    return vendor_dir(f)


@fact("modules.vendor")
def VENDOR(f: Facts) -> VendorState:
    """vendor/modules.txt judged against go.mod (FactUnavailable when there is no vendor/)."""
    from gomedic.errors import FactUnavailable
    from gomedic.facts.modvendor import vendor_state  # only where vendor/ exists

    d, mod = f.get(VENDOR_DIR), f.get(GO_MODULE).mod
    if d is None or mod is None:
        raise FactUnavailable("the module has no vendor/ directory")
    return vendor_state(mod, d, f.get(GO_CONFIG).value("GOFLAGS"))


def file_url_dir(url: str) -> str:
    """The directory of a `file:` GOPROXY entry (file:///srv/proxy or file:/srv/proxy)."""
    return url[len("file://"):] if url.startswith("file://") else url[len("file:"):]


@fact("modules.file-proxies")
def FILE_PROXIES(f: Facts) -> Mapping[str, bool]:
    """Each `file:` entry of GOPROXY -> whether its directory exists."""
    from gomedic.facts.goproxy import proxy_list

    urls = proxy_list(f.get(GO_CONFIG).value("GOPROXY")).urls if f.get(GO_CONFIG).value("GOPROXY") else ()
    return MappingProxyType({u: is_dir(f.reader, os.path.join(str(f.cwd), file_url_dir(u)))
                             for u in urls if u.startswith("file:")})
