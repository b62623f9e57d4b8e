"""macOS path_helper (run by /etc/profile and /etc/zprofile in login shells: ``eval `/usr/libexec/path_helper -s` ``):
PATH becomes the lines of /etc/paths, then of each /etc/paths.d file in name order, then the entries of the
old PATH not already listed. Pure: gomedic.facts.layers reads the files (on macOS only)."""

from __future__ import annotations

from collections.abc import Sequence


def path_helper(files: Sequence[str], current: str) -> str:
    """files: the texts of /etc/paths and the /etc/paths.d files, in the order path_helper reads them."""
    out: list[str] = []
    for text in files:
        for line in text.split("\n"):
            d = line.strip()
            if d and not d.startswith("#") and d not in out:
                out.append(d)
    out += [d for d in current.split(":") if d and d not in out]
    return ":".join(out)
