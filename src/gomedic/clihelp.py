"""argparse's parser and help formatter as gomedic uses them, built so that parsing imports nothing more.

argparse's HelpFormatter asks `shutil.get_terminal_size()` for the width when it is created, and argparse
creates one for every `add_argument` (to check the metavar), so building a parser imports shutil and with
it zlib, bz2 and lzma (about 2 ms, the largest single import of `gomedic check`). Here the width is asked
the same way, but only when text is really formatted (help, usage, an error): the output is identical.
"""

from __future__ import annotations

import argparse

from gomedic.typenames import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any

_UNSET: Any = object()


class LazyWidthFormatter(argparse.HelpFormatter):
    """argparse.HelpFormatter whose default width (the terminal's, via shutil) is computed on first use."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None, **kwargs: Any) -> None:
        self._lazy_args = (indent_increment, max_help_position, width)
        self._lazy_width = _UNSET
        self._lazy_max_help = _UNSET
        # 80 only fills the two attributes below while __init__ runs; their getters compute the real values.
        super().__init__(prog, indent_increment, max_help_position, 80 if width is None else width, **kwargs)

    def _resolve(self) -> None:
        indent_increment, max_help_position, width = self._lazy_args
        if width is None:  # exactly argparse.HelpFormatter.__init__'s default
            import shutil

            width = shutil.get_terminal_size().columns
            width -= 2
        self._lazy_width = width
        self._lazy_max_help = min(max_help_position, max(width - 20, indent_increment * 2))

    @property
    def _width(self) -> int:
        if self._lazy_width is _UNSET:
            self._resolve()
        value: int = self._lazy_width
        return value

    @_width.setter
    def _width(self, value: int) -> None:
        pass  # set by HelpFormatter.__init__ from the placeholder; the getter computes the real one

    @property
    def _max_help_position(self) -> int:
        if self._lazy_max_help is _UNSET:
            self._resolve()
        value: int = self._lazy_max_help
        return value

    @_max_help_position.setter
    def _max_help_position(self, value: int) -> None:
        pass


class HelpFormatter(LazyWidthFormatter):
    """argparse's wrapping, except that a paragraph with indented lines (the examples) is kept as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for block in text.split("\n\n"):
            if "\n  " in block:
                out.append("\n".join(indent + line for line in block.splitlines()))
            else:
                out.append(super()._fill_text(block, width, indent))
        return "\n\n".join(out)


class Parser(argparse.ArgumentParser):
    """Every parser of the CLI: no abbreviated long options (`--outp` is not `--output`: a serve job or a
    wrapper cannot smuggle an option in by prefix), and LazyWidthFormatter as the default help formatter.
    Subparsers are built with parser_class=Parser, so every command and sub-command parser is one too;
    argparse itself passes allow_abbrev to none of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        kwargs.setdefault("formatter_class", LazyWidthFormatter)
        super().__init__(*args, **kwargs)
