"""node_exporter's textfile collector: a report written as DIR/gomedic_<command>.prom, atomically.

The rendering is render/prom.py's (pure); this module is the file I/O around it.
"""

from __future__ import annotations

import os
from pathlib import Path

from gomedic.model import Report


def write_textfile(report: Report, directory: str | os.PathLike[str]) -> Path:
    """Write DIR/gomedic_<command>.prom atomically (temp file in DIR, fsync, rename) for node_exporter.

    Each command writes its own file with job="<command>", so several commands can share one textfile
    directory without duplicate series (which would break node_exporter's gathering).
    """
    from gomedic.errors import UsageError
    from gomedic.fsutil import atomic_write
    from gomedic.render.prom import render_report, textfile_name

    d = Path(directory)
    if not d.is_dir():
        raise UsageError(f"--textfile-dir {d}: not a directory")
    text = render_report(report, job=report.command, build_info_labels=(("job", report.command),))
    target = d / textfile_name(report.command)
    atomic_write(target, text, streams=False)
    return target
