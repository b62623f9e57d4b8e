"""python -m gomedic."""

from __future__ import annotations

import sys

from gomedic.cli import main

if __name__ == "__main__":
    sys.exit(main())
