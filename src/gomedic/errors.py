"""The one error hierarchy. The top-level handler in cli.py maps these to exit codes."""

from __future__ import annotations


class GomedicError(Exception):
    """Root of every error gomedic raises on purpose. Exit code 3 unless a subclass says otherwise."""

    exit_code = 3


class UsageError(GomedicError):
    """The command line, a config file or a named input is wrong: exit 2."""

    exit_code = 2


class ConfigError(UsageError):
    """A configuration or data file failed validation: exit 2."""


class FactUnavailable(GomedicError):
    """A fact could not be gathered for an expected reason (no go on PATH, file missing).

    Checks that need the fact report `skip` with this reason; the run goes on.
    """


class CommandError(GomedicError):
    """A process could not be started, timed out, or failed where success was required."""


class FormatError(GomedicError):
    """A file is not in the format a reader expects (truncated binary, bad header, ...)."""
