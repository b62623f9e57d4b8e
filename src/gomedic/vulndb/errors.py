"""Errors of the vulnerability database client (all exit 3: nothing could be evaluated)."""

from __future__ import annotations

from gomedic.errors import GomedicError


class VulnDBError(GomedicError):
    """The database could not be read: neither the source nor a cache answered, or an entry is corrupt."""


class NotFound(VulnDBError):
    """The source has no such file (HTTP 404, or no file in the mirror)."""


class Unreachable(VulnDBError):
    """The source did not answer (connection refused, timeout, DNS, an HTTP error other than 404)."""


class CorruptEntry(VulnDBError):
    """A file of the database is not what its format says (bad JSON, wrong types, an id that does not match)."""
