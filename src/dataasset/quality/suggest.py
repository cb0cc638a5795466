"""Suggested checks (建议规则) from what discovery found in a table: a starting rule set a steward
reviews and saves. Pure: it reads the profile figures it is given.

* ``not_null`` where nulls are rare (under 1% of rows, and the column is not all-null);
* ``valid_type`` for every column discovery decided a type for (身份证号, 手机号 …);
* ``unique`` for candidate keys (every value present and distinct) whose name reads like an
  identifier (编号, 号, 码, id, no, code …), or the first candidate key when none does;
* ``allowed_values`` for low-cardinality text columns (at most 12 values, exactly counted, every
  value among the top values and each value seen at least twice);
* ``between`` for numeric columns from the observed range (never for identifiers);
* ``row_count`` at least 1.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

RARE_NULLS = 0.01
MAX_CODES = 12
_KEYISH = re.compile(r"(编号|编码|代码|号码|单号|账号|帐号|ID|Id|id|_no$|No$|code$|Code$|号$|码$)")
_NUMERIC = {"integer", "decimal", "float"}


@dataclass(frozen=True)
class ColumnInfo:
    name: str
    type: str  # discovery's logical type
    rows: int
    nulls: int
    distinct: int
    distinct_exact: bool = False
    sensitive_type: str | None = None
    min: str | None = None
    max: str | None = None
    top_values: Sequence[tuple[str, int]] = field(default_factory=tuple)


def suggest(columns: Sequence[ColumnInfo], candidate_keys: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Check mappings in rule-file form, in column order, ``row_count`` first."""
    out: list[dict[str, Any]] = [{"check": "row_count", "min": 1}]
    keys = [k for k in candidate_keys if any(c.name == k for c in columns)]
    keyish = [k for k in keys if _KEYISH.search(k)]
    unique = set(keyish or keys[:1])
    for col in columns:
        if col.rows <= 0:
            continue
        if col.nulls < col.rows and col.nulls / col.rows < RARE_NULLS:
            out.append({"check": "not_null", "column": col.name})
        if col.sensitive_type:
            out.append({"check": "valid_type", "column": col.name, "type": col.sensitive_type})
        if col.name in unique:
            out.append({"check": "unique", "columns": [col.name]})
            continue
        codes = _codes(col)
        if codes is not None:
            out.append({"check": "allowed_values", "column": col.name, "values": codes})
        elif col.type in _NUMERIC and not col.sensitive_type and not _KEYISH.search(col.name):
            low, high = _number(col.min), _number(col.max)
            if low is not None and high is not None and low < high:
                out.append({"check": "between", "column": col.name, "min": low, "max": high})
    return out


def _codes(col: ColumnInfo) -> list[str] | None:
    present = col.rows - col.nulls
    if col.type not in {"string", "boolean"} or col.sensitive_type or not col.distinct_exact:
        return None
    if not 1 <= col.distinct <= MAX_CODES or present < 2 * col.distinct:
        return None
    values = [str(v) for v, n in col.top_values if n >= 2]
    if len(values) != col.distinct:
        return None
    return sorted(values)


def _number(text: str | None) -> int | float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else value
