"""What a check type is, and the SQL helpers every check uses.

A check type is a plug-in registered under its name (:func:`register`), in two parts:

* ``parse(raw, ctx)`` reads the check's own parameters from the rule file (already YAML) and returns
  a :class:`Parsed`, or raises :class:`ParamError` with a Chinese message (the rule parser adds the
  line). It does no I/O.
* evaluation, pushed down to DuckDB SQL. A **row** check gives two SQL boolean expressions over one
  row (:meth:`CheckType.predicate`): when the check applies (the row's value is not null, except for
  the completeness checks) and when the row passes; the engine counts every row check of a table in
  one aggregate query. A **query** check (``unique``, ``foreign_key``, ``matches``) counts with its
  own query; a **table** check (``row_count``, ``cross_total``, ``fresh_within``, ``reachable``)
  scores 1 or 0 from its own query or from what the runner measured.

Every identifier is quoted and every literal escaped by :class:`Sql`; user SQL (``expression``) is
parsed and rebuilt by sqlglot and never pasted into a statement as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from dataasset.quality.types import Check, Dimension

ROW, QUERY, TABLE = "row", "query", "table"

# DuckDB type names (DESCRIBE) grouped by what the checks do with them
# DuckDB's names, then Spark's (DESCRIBE gives int, bigint, double, decimal(10,2), string, date …)
_NUMERIC = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
            "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "REAL", "DECIMAL",
            "INT", "LONG", "SHORT", "BYTE")  # fmt: skip
_TEMPORAL = ("DATE", "TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS")
# text forms of dates and times besides ISO 8601 that a time check accepts
TIME_FORMATS = ("%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y%m%d", "%Y%m%d%H%M%S", "%Y年%m月%d日", "%Y.%m.%d")


class ParamError(ValueError):
    """A parameter of a check is wrong; the message is Chinese and says what is expected."""


@dataclass(frozen=True)
class ParseContext:
    """What the parser knows of the data: the checked table's columns and the other tables' (None
    when unknown, e.g. a rule file checked before any scan: column checks are then left to the run)."""

    columns: Sequence[str] | None = None
    tables: Mapping[str, Sequence[str]] | None = None  # other table → its columns

    def column(self, raw: Mapping[str, Any], key: str = "column", *, required: bool = True) -> str | None:
        value = raw.get(key)
        if value is None:
            if required:
                raise ParamError(f"缺少参数 {key}（要检查的列名）")
            return None
        if not isinstance(value, str | int) or not str(value).strip():
            raise ParamError(f"参数 {key} 应是一个列名")
        name = str(value)
        if self.columns is not None and name not in self.columns:
            raise ParamError(f"表中没有列“{name}”（现有列：{_few(self.columns)}）")
        return name

    def column_list(self, raw: Mapping[str, Any], key: str = "columns") -> tuple[str, ...]:
        value = raw.get(key)
        if value is None and "column" in raw:
            value = [raw["column"]]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str | int) for v in value):
            raise ParamError(f"参数 {key} 应是列名的列表，例如 [客户编号]")
        names = tuple(str(v) for v in value)
        if len(set(names)) != len(names):
            raise ParamError(f"参数 {key} 中有重复的列名")
        for name in names:
            if self.columns is not None and name not in self.columns:
                raise ParamError(f"表中没有列“{name}”（现有列：{_few(self.columns)}）")
        return names

    def other_table(self, raw: Mapping[str, Any], key: str = "table") -> str:
        value = raw.get(key)
        if not isinstance(value, str | int) or not str(value).strip():
            raise ParamError(f"缺少参数 {key}（用来比对的另一张表）")
        name = str(value)
        if self.tables is not None and name not in self.tables:
            raise ParamError(f"数据源中没有表“{name}”（现有表：{_few(list(self.tables))}）")
        return name

    def other_column(self, table: str, raw: Mapping[str, Any], key: str, default: str | None) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str | int) or not str(value).strip():
            raise ParamError(f"缺少参数 {key}（表“{table}”中用来比对的列）")
        name = str(value)
        cols = self.tables.get(table) if self.tables is not None else None
        if cols is not None and name not in cols:
            raise ParamError(f"表“{table}”中没有列“{name}”（现有列：{_few(cols)}）")
        return name


def _few(names: Sequence[str]) -> str:
    shown = "、".join(str(n) for n in list(names)[:12])
    return shown + ("……" if len(names) > 12 else "") if shown else "无"


def number(
    raw: Mapping[str, Any], key: str, *, required: bool = False, minimum: float | None = None
) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise ParamError(f"缺少参数 {key}（一个数）")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParamError(f"参数 {key} 应是一个数，而不是“{value}”")
    if minimum is not None and value < minimum:
        raise ParamError(f"参数 {key} 不能小于 {minimum:g}")
    return float(value)


def duration_seconds(raw: Mapping[str, Any]) -> tuple[float, str]:
    """``days`` and/or ``hours`` (and ``minutes``) → seconds, and a Chinese phrase ("30 天")."""
    parts = [(k, number(raw, k, minimum=0)) for k in ("days", "hours", "minutes")]
    given = [(k, v) for k, v in parts if v is not None]
    if not given:
        raise ParamError("缺少时长：请给出 days、hours 或 minutes，例如 days: 30")
    unit = {"days": ("天", 86400), "hours": ("小时", 3600), "minutes": ("分钟", 60)}
    seconds = sum(v * unit[k][1] for k, v in given)
    phrase = " ".join(f"{v:g} {unit[k][0]}" for k, v in given)
    return seconds, phrase


def only_keys(raw: Mapping[str, Any], allowed: set[str]) -> None:
    common = {"check", "dimension", "weight", "name", "description"}
    unknown = sorted(str(k) for k in raw if k not in allowed | common)
    if unknown:
        raise ParamError(
            f"不认识的参数 {'、'.join(unknown)}（此检查可用：{'、'.join(sorted(allowed)) or '无'}）"
        )


@dataclass(frozen=True)
class Parsed:
    column: str | None
    columns: tuple[str, ...]
    params: dict[str, Any]
    title: str
    other_tables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sql:
    """Builds the SQL of the checks for one loaded table: quoting, and typed views of a column."""

    table: str  # the DuckDB relation of the checked table
    types: Mapping[str, str]  # column → DuckDB type name (DESCRIBE)
    tables: Mapping[str, str] = field(default_factory=dict)  # other table (as the rules name it) → relation
    other_types: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    now: datetime | None = None
    row_column: str | None = None  # a column holding the 0-based row number (else DuckDB's rowid)
    dialect: str = "duckdb"  # or "spark": the same checks as Spark SQL

    def row(self, alias: str = "") -> str:
        prefix = f"{alias}." if alias else ""
        return prefix + (self.quote(self.row_column) if self.row_column else "rowid")

    @property
    def spark(self) -> bool:
        return self.dialect == "spark"

    def quote(self, name: str) -> str:
        if self.spark:
            return "`" + name.replace("`", "``") + "`"
        return self.ident(name)

    def lit(self, value: Any) -> str:
        if self.spark and isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return self.literal(value)

    def regex_full(self, expr: str, pattern: str) -> str:
        """The whole value matches ``pattern`` (RE2 in DuckDB, Java regex in Spark)."""
        if self.spark:
            return f"({expr} RLIKE {self.lit('^(?:' + pattern + ')$')})"
        return f"regexp_full_match({expr}, {self.lit(pattern)})"

    def parse_time(self, expr: str, formats: Sequence[str]) -> str:
        """``expr`` read with the first strftime format that fits, else NULL."""
        if self.spark:
            tries = ", ".join(f"try_to_timestamp({expr}, {self.lit(java_format(f))})" for f in formats)
            return f"coalesce({tries})" if len(formats) > 1 else tries
        if len(formats) == 1:
            return f"try_strptime({expr}, {self.lit(formats[0])})"
        return f"try_strptime({expr}, [{', '.join(self.lit(f) for f in formats)}])"

    def epoch(self, expr: str) -> str:
        return f"unix_timestamp({expr})" if self.spark else f"epoch({expr})"

    @staticmethod
    def ident(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    @staticmethod
    def literal(value: Any) -> str:
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, int | float):
            return repr(value) if isinstance(value, int) else repr(float(value))
        return "'" + str(value).replace("'", "''") + "'"

    def col(self, name: str, alias: str = "") -> str:
        return f"{alias}.{self.quote(name)}" if alias else self.quote(name)

    def kind(self, name: str, types: Mapping[str, str] | None = None) -> str:
        t = (types if types is not None else self.types).get(name, "VARCHAR").upper()
        if t.startswith(_NUMERIC) or t.startswith("DECIMAL"):
            return "number"
        if t.startswith(_TEMPORAL):
            return "time"
        if t in ("VARCHAR", "STRING") or t.startswith(("VARCHAR(", "CHAR(")):
            return "text"
        return "other"

    def present(self, name: str, alias: str = "", types: Mapping[str, str] | None = None) -> str:
        """The value is there: not NULL and, for text, not the empty string (what every check but
        the completeness ones skips). A value of spaces is there: a dirty value, not a missing one
        (``not_blank`` is the check that refuses it)."""
        c = self.col(name, alias)
        if self.kind(name, types) == "text":
            return f"({c} IS NOT NULL AND {c} <> '')"
        return f"({c} IS NOT NULL)"

    def text(self, name: str, alias: str = "", types: Mapping[str, str] | None = None) -> str:
        c = self.col(name, alias)
        if self.kind(name, types) == "text":
            return c
        return f"CAST({c} AS {'STRING' if self.spark else 'VARCHAR'})"

    def num(self, name: str, alias: str = "", types: Mapping[str, str] | None = None) -> str:
        c = self.col(name, alias)
        kind = self.kind(name, types)
        if kind == "number":
            return f"CAST({c} AS DOUBLE)"
        return f"TRY_CAST(trim({self.text(name, alias, types)}) AS DOUBLE)"

    def ts(self, name: str, alias: str = "", types: Mapping[str, str] | None = None) -> str:
        c = self.col(name, alias)
        kind = self.kind(name, types)
        if kind == "time":
            return f"CAST({c} AS TIMESTAMP)"
        t = f"trim({self.text(name, alias, types)})"
        return f"coalesce(TRY_CAST({t} AS TIMESTAMP), {self.parse_time(t, TIME_FORMATS)})"

    def now_literal(self) -> str:
        now = self.now or datetime.now()
        return f"TIMESTAMP {self.literal(now.replace(tzinfo=None).isoformat(sep=' '))}"


_JAVA = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%f": "SSSSSS", "%y": "yy",
         "%j": "DDD", "%b": "MMM", "%B": "MMMM", "%a": "EEE", "%A": "EEEE", "%p": "a", "%I": "hh", "%e": "d",
         "%z": "Z", "%Z": "z", "%%": "%"}  # fmt: skip


def java_format(strftime: str) -> str:
    """A strftime format as a Java (Spark) datetime pattern; literal text is quoted."""
    out, i, literal = [], 0, ""
    while i < len(strftime):
        code = strftime[i : i + 2]
        if code in _JAVA:
            if literal:
                out.append(
                    "'" + literal.replace("'", "''") + "'" if any(ch.isalpha() for ch in literal) else literal
                )
                literal = ""
            out.append(_JAVA[code])
            i += 2
        else:
            literal += strftime[i]
            i += 1
    if literal:
        out.append("'" + literal.replace("'", "''") + "'" if any(ch.isalpha() for ch in literal) else literal)
    return "".join(out)


@dataclass
class Counted:
    """What a query or table check found."""

    checked: int
    passed: int
    detail: str = ""
    failing_sql: str | None = None  # a SELECT of failing rows with their number as dq_row_no

    @property
    def failed(self) -> int:
        return self.checked - self.passed


class CheckType:
    """A check plug-in; subclasses set the class attributes and ``parse`` plus ``predicate`` (row)
    or ``count`` (query and table checks)."""

    name: ClassVar[str]
    label: ClassVar[str]  # Chinese name of the check type, e.g. "非空"
    dimension: ClassVar[Dimension]
    level: ClassVar[str] = ROW
    skips_nulls: ClassVar[bool] = True

    def parse(self, raw: Mapping[str, Any], ctx: ParseContext) -> Parsed:  # pragma: no cover - abstract
        raise NotImplementedError

    def predicate(self, check: Check, sql: Sql) -> tuple[str, str]:
        """(applies, passes) as SQL boolean expressions over a row of ``sql.table``."""
        raise NotImplementedError  # pragma: no cover - row checks override it

    def count(self, check: Check, sql: Sql, con: Any, measured: Mapping[str, Any]) -> Counted:
        raise NotImplementedError  # pragma: no cover - query and table checks override it


REGISTRY: dict[str, CheckType] = {}


def register(cls: type[CheckType]) -> type[CheckType]:
    REGISTRY[cls.name] = cls()
    return cls
