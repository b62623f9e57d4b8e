"""Where systemd finds a unit and its drop-ins: the system unit path, templates, aliases, masking.

`find_unit(spec, root)` locates the fragment (a path, or a name looked up in the system unit path under
`root`; template `foo@.service` for `foo@x.service`; aliases through symlinks; /dev/null = masked) and
its drop-ins (`<name>.d/`, `<template>.d/`, dash-prefix `a-.service.d/` and `service.d/` directories; a
drop-in of the same file name in a higher-priority directory masks lower ones).
"""

from __future__ import annotations

import os
from pathlib import Path

from gomedic.errors import UsageError
from gomedic.values import frozen

UNIT_PATH = (
    "/etc/systemd/system.control", "/run/systemd/system.control", "/run/systemd/transient",
    "/etc/systemd/system", "/run/systemd/system", "/usr/local/lib/systemd/system",
    "/usr/lib/systemd/system", "/lib/systemd/system",
)
SUFFIXES = (".service", ".socket", ".target", ".timer", ".mount", ".path", ".slice", ".scope", ".swap",
            ".device", ".automount")
MAX_DROPINS = 256
NAME_MAX = 255  # bytes in one file name (Linux), and the longest unit name systemd accepts


@frozen
class Located:
    name: str  # the unit name asked for (an alias resolves to its target's fragment)
    fragment: Path  # the file as seen in the root (for messages: path relative to the root)
    dropins: tuple[Path, ...]
    masked: bool = False


def shown_path(root: Path, p: Path) -> str:
    return "/" + str(p.relative_to(root)) if str(root) != "/" and p.is_relative_to(root) else str(p)


def in_root(root: Path, p: str) -> Path:
    return root / p.lstrip("/")


def _dropin_dirs(name: str) -> list[str]:
    stem, _, suffix = name.rpartition(".")
    out = [name + ".d"]
    if "@" in stem and not stem.endswith("@"):
        out.append(stem.split("@", 1)[0] + "@." + suffix + ".d")
    parts = stem.split("-")
    out += ["-".join(parts[:i]) + "-." + suffix + ".d" for i in range(len(parts) - 1, 0, -1)]
    out.append(suffix + ".d")
    return out[::-1]  # least specific first: more specific drop-ins are applied later


def _what(p: Path) -> str:
    """Why a path is no unit file: missing, or a FIFO/socket/device/directory (never opened)."""
    from gomedic.safeio import kind_of

    try:
        return f"is {kind_of(p.stat().st_mode)}, not a regular file"
    except OSError:
        return "does not exist"


def _check_name_lengths(spec: str) -> None:
    """A name longer than NAME_MAX is the user's mistake (exit 2), not a file system error later."""
    name = spec.rsplit("/", 1)[-1]
    for part in [*spec.split("/"), name if name.endswith(SUFFIXES) else name + ".service"]:
        n = len(os.fsencode(part))
        if n > NAME_MAX:
            raise UsageError(f"unit name {part[:24]}...{part[-16:]} is {n} bytes long; a unit or file name "
                             f"has at most {NAME_MAX} bytes")


def find_unit(spec: str, root: Path) -> Located:
    """Locate a unit by file path or by name. Raises UsageError when it is not found."""
    _check_name_lengths(spec)
    if "/" in spec:
        p = Path(spec) if str(root) == "/" or not spec.startswith("/") else in_root(root, spec)
        if p.is_symlink() and os.readlink(p) == "/dev/null":
            return Located(p.name, p, (), masked=True)
        if not p.is_file():
            raise UsageError(f"unit file {spec} {_what(p)}")
        return Located(p.name, p, _dropins(root, p.name, extra_dir=p.parent))
    name = spec if spec.endswith(SUFFIXES) else spec + ".service"
    names = [name]
    stem, _, suffix = name.rpartition(".")
    if "@" in stem and not stem.endswith("@"):
        names.append(stem.split("@", 1)[0] + "@." + suffix)
    for n in names:
        for d in UNIT_PATH:
            p = in_root(root, d) / n
            if p.is_symlink() and os.readlink(p) == "/dev/null":
                return Located(name, p, (), masked=True)
            if p.is_symlink():  # an alias: the fragment is the link's target
                target = os.readlink(p)
                p = in_root(root, target) if target.startswith("/") else p.parent / target
            if p.is_file():
                return Located(name, p, _dropins(root, name))
    raise UsageError(
        f"unit {name} not found in {', '.join(UNIT_PATH)}" + (f" under {root}" if str(root) != "/" else "")
    )


def _dropins(root: Path, name: str, extra_dir: Path | None = None) -> tuple[Path, ...]:
    chosen: dict[str, Path] = {}
    order: list[str] = []
    dirs = [str(extra_dir)] if extra_dir is not None else []
    for ddir in _dropin_dirs(name):
        for base in [*dirs, *UNIT_PATH]:
            d = Path(base) / ddir if base in dirs else in_root(root, base) / ddir
            try:
                confs = sorted(x for x in os.listdir(d) if x.endswith(".conf"))
            except OSError:
                continue
            for c in confs:
                if c not in chosen:  # a higher-priority directory was seen first: it masks this one
                    chosen[c] = d / c
                    order.append(c)
    return tuple(chosen[c] for c in sorted(order)[:MAX_DROPINS])
