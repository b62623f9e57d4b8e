"""gomedic: a doctor and a gate for Go."""

__version__ = "0.1.0"
