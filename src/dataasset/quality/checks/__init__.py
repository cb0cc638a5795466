"""The check registry: one plug-in per check type, keyed by name (see :mod:`.base`)."""

from dataasset.quality.checks import builtin as _builtin  # noqa: F401  (registers the built-in checks)
from dataasset.quality.checks.base import (
    QUERY,
    REGISTRY,
    ROW,
    TABLE,
    CheckType,
    Counted,
    ParamError,
    ParseContext,
    Parsed,
    Sql,
    register,
)

__all__ = [
    "QUERY",
    "REGISTRY",
    "ROW",
    "TABLE",
    "CheckType",
    "Counted",
    "ParamError",
    "ParseContext",
    "Parsed",
    "Sql",
    "register",
]
